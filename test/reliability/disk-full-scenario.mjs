#!/usr/bin/env node
// Runs `geosift index` on a small, nearly full filesystem mounted at --dir (tmpfs), then frees space and resumes; prints what happened as JSON.
// Driven by disk-safety.test.ts, directly as root or inside `unshare -rm` otherwise (the mount then lives only in that namespace).
// Usage: node disk-full-scenario.mjs --dir MOUNTED_DIR --free-kb N --ref-home DIR --ro remount|chmod
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name) => process.argv[process.argv.indexOf(`--${name}`) + 1];
const dir = resolve(arg('dir'));
const freeKb = Number(arg('free-kb'));
const refHome = resolve(arg('ref-home'));
const roMethod = arg('ro');
const generated = resolve(process.env.GEOSIFT_FIXTURES ?? join(root, 'test', 'fixtures', '.generated'));
const scene = join(generated, 'mosaic', 'ucm-mosaic.tif');
const model = join(generated, 'models', 'test-clip');
const { IndexStore } = await import(pathToFileURL(join(root, 'dist', 'main', 'engine', 'index', 'store.js')).href);

function geosift(home, args) {
  const env = { ...process.env, GEOSIFT_HOME: home };
  delete env.GEOSIFT_INDEX_DIR;
  const r = spawnSync(process.execPath, [join(root, 'bin', 'geosift.js'), ...args], { cwd: root, env, encoding: 'utf8' });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
const index = (home, tile = '96px') => geosift(home, ['index', scene, '--model', model, '--tile', tile, '--batch', '8', '--json']);

async function entry(home) {
  const store = await IndexStore.open(join(home, 'index'));
  const list = await store.list();
  if (list.length === 0) return null;
  const e = list[0];
  const reader = await store.reader({ scene: e.scene, model: e.model, tiling: e.tiling });
  const { tiles, vectors } = await reader.load();
  return { commit: reader.commit, dim: reader.meta.dim, tiles, vectors };
}

const report = { method: null, freeBefore: 0 };
const home = join(dir, 'home');
mkdirSync(home, { recursive: true });

// Fill the filesystem, leaving freeKb: the index's first commits fit, later batches do not.
const filler = join(dir, 'filler');
const st = statfsSync(dir);
const free = st.bavail * st.bsize;
writeFileSync(filler, Buffer.alloc(Math.max(0, free - freeKb * 1024)));
report.freeBefore = statfsSync(dir).bavail * statfsSync(dir).bsize;

// 1. The run that hits the full disk.
const full = index(home);
report.full = { code: full.code, signal: full.signal, stderr: full.stderr.trim() };
const after = await entry(home);
report.afterFull = after && { positions: after.commit.positions, rows: after.commit.rows, complete: after.commit.complete, tilesLoaded: after.tiles.length, prefixOk: after.tiles.every((t, i) => t.index === i) };

// 2. Space back: the same command resumes from the last commit and finishes.
rmSync(filler);
const resumed = index(home);
report.resumed = { code: resumed.code, stderr: resumed.stderr.trim(), result: resumed.code === 0 ? JSON.parse(resumed.stdout)[0] : null };
const done = await entry(home);
const ref = await entry(refHome);
let maxDiff = 0;
for (let i = 0; i < ref.vectors.length; i++) maxDiff = Math.max(maxDiff, Math.abs(done.vectors[i] - ref.vectors[i]));
report.final = {
  complete: done.commit.complete,
  positions: done.commit.positions,
  sameTiles: JSON.stringify(done.tiles.map((t) => [t.index, t.row])) === JSON.stringify(ref.tiles.map((t) => [t.index, t.row])),
  maxDiff,
};

// 3. The index folder made read-only: a new tiling fails clearly; searching what is indexed still works.
if (roMethod === 'remount') execFileSync('mount', ['-o', 'remount,ro', dir]);
else execFileSync('chmod', ['-R', 'a-w', join(home, 'index')]);
report.readOnly = { method: roMethod };
const ro = index(home, '128px');
report.readOnly.index = { code: ro.code, stderr: ro.stderr.trim() };
const search = geosift(home, ['search', scene, 'green', '--model', model, '--tile', '96px', '--json', '--top', '3']);
report.readOnly.search = { code: search.code, stderr: search.stderr.trim(), hits: search.code === 0 ? JSON.parse(search.stdout).hits.length : 0 };
const again = await entry(home);
report.readOnly.stillComplete = again?.commit.complete === true && again.commit.positions === done.commit.positions;
if (roMethod === 'remount') execFileSync('mount', ['-o', 'remount,rw', dir]);
else execFileSync('chmod', ['-R', 'u+w', join(home, 'index')]);

writeFileSync(1, JSON.stringify(report) + '\n');
