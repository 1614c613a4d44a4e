#!/usr/bin/env node
// Static scan of the Electron shell with @doyensec/electronegativity; fails on any HIGH finding (issue 8: zero high findings in CI).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'test-results', 'security');
mkdirSync(out, { recursive: true });
const ELECTRON = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
// Main and preload are scanned as one app: the global checks (navigation limits, permission handler) look across both.
const input = mkdtempSync(join(tmpdir(), 'geosift-scan-'));
for (const dir of ['main/electron', 'main/preload']) cpSync(join(root, dir), join(input, dir), { recursive: true });
const csv = join(out, 'electronegativity.csv');
execFileSync('npx', ['-y', '@doyensec/electronegativity@1.10.3', '-i', input, '-r', '-e', ELECTRON, '-v', 'false', '-o', csv], { stdio: 'inherit' });
rmSync(input, { recursive: true, force: true });
let high = 0;
for (const r of readFileSync(csv, 'utf8').trim().split('\n').slice(1)) {
  const [check, severity, confidence, file, where] = r.split(',');
  console.log(`${severity.replace(/"/g, '')} ${confidence.replace(/"/g, '')} ${check} ${file}:${where}`);
  if (severity === '"HIGH"' || severity === '"CRITICAL"') high++;
}
console.log(high ? `security:scan: ${high} high finding(s)` : 'security:scan: no high findings');
process.exit(high ? 1 : 0);
