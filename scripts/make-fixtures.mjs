#!/usr/bin/env node
// Builds every generated test fixture (models, tokenizers, rasters, mosaics) under test/fixtures/.generated.
// Each generator reruns only when its script changed, so this is cheap to call before every test run.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.env.GEOSIFT_FIXTURES ?? join(root, 'test', 'fixtures', '.generated'));
const python = process.env.PYTHON ?? 'python3';

/**
 * Each generator writes into the folder given as --out. `deps` are the files whose content decides
 * whether to rerun (the script itself by default).
 */
const generators = [
  { name: 'tokenizers', cmd: python, script: 'test/fixtures/make_tokenizers.py' },
  { name: 'models', cmd: python, script: 'test/fixtures/make_test_model.py' },
  { name: 'rasters', cmd: process.execPath, script: 'test/fixtures/make-rasters.mjs' },
  { name: 'mosaic', cmd: process.execPath, script: 'test/fixtures/make-mosaic.mjs' },
  { name: 'antimeridian', cmd: process.execPath, script: 'test/fixtures/make-antimeridian.mjs' },
  { name: 'hostile', cmd: process.execPath, script: 'test/fixtures/make-hostile.mjs', deps: ['test/fixtures/make-hostile.mjs', 'test/fixtures/tiff-patch.mjs'] },
  // The exact RS-M-CLIP architecture with seeded weights, exported by our tooling, plus PyTorch reference outputs (~2 min).
  { name: 'rs-m-clip-parity', cmd: python, module: 'geosift_models.parity_fixture', cwd: 'models', deps: ['models/geosift_models'] },
];

function hashDeps(g) {
  const h = createHash('sha256');
  const files = [];
  for (const d of g.deps ?? [g.script]) {
    const p = join(root, d);
    if (statSync(p).isDirectory()) for (const f of readdirSync(p).sort()) { if (f.endsWith('.py') || f.endsWith('.mjs')) files.push(join(p, f)); }
    else files.push(p);
  }
  for (const f of files) h.update(f.slice(root.length)).update(readFileSync(f));
  return h.digest('hex');
}

mkdirSync(out, { recursive: true });

// One builder at a time (two test runs may start together); a lock older than 20 minutes is stale.
const lock = join(out, '.lock');
for (let waited = 0; ; waited += 500) {
  try {
    mkdirSync(lock);
    break;
  } catch {
    let age = 0;
    try { age = Date.now() - statSync(lock).mtimeMs; } catch { continue; }
    if (age > 20 * 60_000) { rmSync(lock, { recursive: true, force: true }); continue; }
    if (waited === 0) console.log('[fixtures] waiting for another fixture build to finish');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  }
}
process.on('exit', () => rmSync(lock, { recursive: true, force: true }));

for (const g of generators) {
  const script = g.script ? join(root, g.script) : null;
  if (script && !existsSync(script)) {
    console.error(`[fixtures] missing generator ${g.script}`);
    process.exitCode = 1;
    continue;
  }
  const hash = hashDeps(g);
  const dest = join(out, g.name);
  const stamp = join(dest, '.stamp');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) continue;
  // Build beside the destination and swap it in whole, so a reader never sees half a fixture set.
  const tmp = `${dest}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const t0 = Date.now();
  try {
    const args = script ? [script, '--out', tmp] : ['-m', g.module, '--out', tmp];
    execFileSync(g.cmd, args, { stdio: 'inherit', cwd: join(root, g.cwd ?? '.') });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  writeFileSync(join(tmp, '.stamp'), hash);
  rmSync(dest, { recursive: true, force: true });
  renameSync(tmp, dest);
  console.log(`[fixtures] ${g.name} built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
