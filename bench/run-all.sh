#!/bin/sh
# Runs every benchmark in turn and keeps the output in bench/.out/<UTC time>.txt (git-ignored). Usage: sh bench/run-all.sh [extra args for memory.ts]
set -e
cd "$(dirname "$0")/.."
mkdir -p bench/.out
out="bench/.out/$(date -u +%Y%m%dT%H%M%SZ).txt"
run() { echo "\$ node --import jiti/register bench/$*" | tee -a "$out"; node --import jiti/register bench/"$@" 2>&1 | tee -a "$out"; uptime | tee -a "$out"; }
run decode.ts
run index-throughput.ts
run search.ts
run query.ts
run flops.ts
run ort-settings.ts
run memory.ts "$@"
echo "results in $out"
