// Text query latency p50/p95: ours (the batch padded to its longest text, as the manifest says) vs the same ONNX session
// fed inputs padded to the context length, for short and long queries, one run.
//
// Usage: node --import jiti/register bench/query.ts [--runs 30] [--threads 2] [--models default,xlmr]
//   default: models/geosift-rs-mini (when present); xlmr: the seeded RS-M-CLIP package (XLM-R base text tower).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../main/engine/model/index.js';
import type { Model } from '../main/engine/model/types.js';
import { arg, load1, machineLine, percentile, ratio, repoRoot } from './lib.js';

const runs = Number(arg('runs', '30'));
const threads = Number(arg('threads', '2'));
const which = arg('models', 'default,xlmr').split(',');

const QUERIES = {
  short: ['harbour', 'golf course', 'Flughafen', '森林'],
  long: [
    'a satellite image of a large harbour with many boats moored along the piers next to a dense residential area and a river',
    'une image satellite d’un terrain de golf avec des bunkers de sable, des arbres et un petit lac au milieu des greens',
  ],
};

/** The same package with padToContextLength set: symlinks to its files and an edited model.json. */
function paddedCopy(dir: string, tmp: string): string {
  const out = join(tmp, `padded-${Math.random().toString(36).slice(2)}`);
  const m = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  m.text.padToContextLength = true;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out);
  for (const f of readdirSync(dir)) if (f !== 'model.json') symlinkSync(join(dir, f), join(out, f));
  writeFileSync(join(out, 'model.json'), JSON.stringify(m));
  return out;
}

async function latencies(model: Model, texts: string[]): Promise<number[]> {
  for (const t of texts) await model.encodeTexts([t]); // warm-up
  const out: number[] = [];
  for (let r = 0; r < runs; r++) {
    for (const t of texts) {
      const t0 = performance.now();
      await model.encodeTexts([t]);
      out.push(performance.now() - t0);
    }
  }
  return out;
}

console.log(`# query | ${machineLine()}`);
console.log(`# one query per call (a search box), ${runs} runs x each text, ${threads} intra-op threads; ms`);
const tmp = mkdtempSync(join(tmpdir(), 'geosift-bench-query-'));
try {
  const targets: [string, string][] = [];
  if (which.includes('default')) {
    const d = join(repoRoot, 'models/geosift-rs-mini');
    if (existsSync(join(d, 'model.json'))) targets.push(['geosift-rs-mini (default)', d]);
    else console.log('# default model models/geosift-rs-mini not present: skipped');
  }
  if (which.includes('xlmr')) targets.push(['XLM-R base text tower (seeded RS-M-CLIP package)', join(repoRoot, 'test/fixtures/.generated/rs-m-clip-parity/package')]);
  for (const [name, dir] of targets) {
    const opts = { intraOpThreads: threads, verifyHashes: false, provider: 'cpu' as const };
    const ours = await loadModel(dir, opts);
    const ctx = ours.info.manifest.text.contextLength;
    console.log(`## ${name}: context length ${ctx}`);
    console.log('query   ours p50  ours p95 | padded p50  padded p95 | p95 ratio (padded/ours)  load1');
    const padded = await loadModel(paddedCopy(dir, tmp), opts);
    for (const [kind, texts] of Object.entries(QUERIES)) {
      const a = await latencies(ours, texts);
      const b = await latencies(padded, texts);
      const [a50, a95, b50, b95] = [percentile(a, 50), percentile(a, 95), percentile(b, 50), percentile(b, 95)];
      console.log(`${kind.padEnd(6)}${a50.toFixed(1).padStart(10)}${a95.toFixed(1).padStart(10)} |${b50.toFixed(1).padStart(11)}${b95.toFixed(1).padStart(12)} | ${ratio(b95, a95).padStart(23)}  ${load1()}`);
    }
    await ours.dispose();
    await padded.dispose();
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
