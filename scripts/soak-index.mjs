#!/usr/bin/env node
// Crash-safety soak: kills `geosift index` with SIGKILL at many random moments and checks after each kill that the index reopens at a committed state equal to a prefix of an uninterrupted run, then that a resumed run ends identical to it.
//
// Usage: node scripts/soak-index.mjs [--points 100] [--seed 1] [--min-ms 300] [--max-ms 3500] [--tile 48px] [--batch 8]
//                                    [--scene PATH] [--model PATH] [--json]
// Needs a current build (npm run build) and the generated fixtures (node scripts/make-fixtures.mjs):
// the test model and mosaic under test/fixtures/.generated. Each run gets its own GEOSIFT_HOME in a temporary folder.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mulberry32 } from '../test/fixtures/tiff-patch.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const points = Number(arg('points', 100));
const seed = Number(arg('seed', 1));
const minMs = Number(arg('min-ms', 300));
const maxMs = Number(arg('max-ms', 3500));
const tile = arg('tile', '48px');
const batch = arg('batch', '8');
const generated = resolve(process.env.GEOSIFT_FIXTURES ?? join(root, 'test', 'fixtures', '.generated'));
const scene = resolve(arg('scene', join(generated, 'mosaic', 'ucm-mosaic.tif')));
const model = resolve(arg('model', join(generated, 'models', 'test-clip')));
const json = process.argv.includes('--json');
const bin = join(root, 'bin', 'geosift.js');

for (const p of [scene, model, join(root, 'dist', 'main', 'engine', 'index', 'store.js')]) {
  if (!existsSync(p)) {
    console.error(`soak-index: ${p} is missing: run npm run build and node scripts/make-fixtures.mjs first`);
    process.exit(2);
  }
}
const { IndexStore } = await import(pathToFileURL(join(root, 'dist', 'main', 'engine', 'index', 'store.js')).href);

const log = (s) => {
  if (!json) console.error(s);
};

/** The child must use GEOSIFT_HOME's index, whatever the caller's environment says. */
function withoutIndexDir(env) {
  delete env.GEOSIFT_INDEX_DIR;
  return env;
}

/** Runs `geosift index` with GEOSIFT_HOME=home; kills it with SIGKILL after killAfterMs unless it ends first. */
function runIndex(home, killAfterMs) {
  return new Promise((done) => {
    const t0 = Date.now();
    const p = spawn(process.execPath, [bin, 'index', scene, '--model', model, '--tile', tile, '--batch', batch, '--quiet'], {
      cwd: root,
      env: withoutIndexDir({ ...process.env, GEOSIFT_HOME: home }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    let timer;
    if (killAfterMs !== undefined) timer = setTimeout(() => p.kill('SIGKILL'), killAfterMs);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stderr, ms: Date.now() - t0 });
    });
  });
}

/** The single entry of an index folder: its summary and committed tiles/vectors, or null when none exists yet. */
async function entryOf(home) {
  const store = await IndexStore.open(join(home, 'index'));
  const list = await store.list();
  if (list.length === 0) return null;
  if (list.length !== 1) throw new Error(`expected one index entry, found ${list.length}`);
  const e = list[0];
  const reader = await store.reader({ scene: e.scene, model: e.model, tiling: e.tiling });
  if (!reader) throw new Error('the entry is listed but cannot be opened for reading');
  const { tiles, vectors } = await reader.load();
  return { summary: e, commit: reader.commit, dim: reader.meta.dim, tiles, vectors };
}

/** Max |a-b| over the first `rows` vectors, plus whether the tile records agree. */
function compare(a, ref) {
  const n = a.tiles.length;
  let sameTiles = n <= ref.tiles.length;
  for (let i = 0; sameTiles && i < n; i++) {
    const x = a.tiles[i];
    const y = ref.tiles[i];
    if (x.index !== y.index || x.row !== y.row || Math.abs(x.validFraction - y.validFraction) > 1e-6) sameTiles = false;
  }
  let maxDiff = 0;
  const len = a.commit.rows * a.dim;
  for (let i = 0; i < len; i++) maxDiff = Math.max(maxDiff, Math.abs(a.vectors[i] - ref.vectors[i]));
  return { sameTiles, maxDiff };
}

const t0 = Date.now();
const refHome = mkdtempSync(join(tmpdir(), 'geosift-soak-ref-'));
log(`[soak] reference run (uninterrupted) of ${scene} at ${tile}...`);
const refRun = await runIndex(refHome);
if (refRun.code !== 0) {
  console.error(`soak-index: the reference run failed (exit ${refRun.code}):\n${refRun.stderr}`);
  process.exit(1);
}
const ref = await entryOf(refHome);
log(`[soak] reference: ${ref.commit.positions} tiles, ${ref.commit.rows} vectors in ${refRun.ms} ms`);

const rand = mulberry32(seed);
const stats = {
  points,
  seed,
  tile,
  batch: Number(batch),
  tilesTotal: ref.summary.tilesTotal,
  referenceMs: refRun.ms,
  killed: 0,
  killedBeforeEntry: 0,
  killedMidIndex: 0,
  finishedBeforeKill: 0,
  cyclesCompleted: 0,
  violations: [],
  /** Committed positions found after each kill: how far into the run the kills landed. */
  committedAfterKill: { min: null, max: null, distinct: 0 },
  maxPrefixDiff: 0,
  finalMaxDiff: null,
  finalSameTiles: null,
  seconds: 0,
};
let home = mkdtempSync(join(tmpdir(), 'geosift-soak-'));
let last = 0;
const seenPositions = new Set();
for (let i = 0; stats.killed < points; i++) {
  const delay = Math.round(minMs + rand() * (maxMs - minMs));
  const r = await runIndex(home, delay);
  let e;
  try {
    e = await entryOf(home);
  } catch (err) {
    stats.violations.push({ point: i, delay, problem: `index cannot be reopened: ${err.message}` });
    e = null;
  }
  if (r.signal === 'SIGKILL') {
    stats.killed++;
    if (!e) stats.killedBeforeEntry++;
    else stats.killedMidIndex++;
  } else if (r.code === 0) {
    stats.finishedBeforeKill++;
  } else {
    stats.violations.push({ point: i, delay, problem: `index exited ${r.code} without being killed: ${r.stderr.slice(-500)}` });
  }
  if (e) {
    const pos = e.commit.positions;
    if (r.signal === 'SIGKILL') seenPositions.add(pos);
    if (pos < last) stats.violations.push({ point: i, delay, problem: `committed positions went back from ${last} to ${pos}` });
    if (e.tiles.some((t, k) => t.index !== k)) stats.violations.push({ point: i, delay, problem: 'committed tiles are not the grid prefix 0..n-1' });
    const c = compare(e, ref);
    if (!c.sameTiles) stats.violations.push({ point: i, delay, problem: 'committed tile records differ from the uninterrupted run' });
    stats.maxPrefixDiff = Math.max(stats.maxPrefixDiff, c.maxDiff);
    last = pos;
    if (e.commit.complete) {
      // Done: check it equals the reference, then start a fresh index so the next kills land mid-run again.
      if (c.maxDiff > 1e-6 || e.commit.positions !== ref.commit.positions) stats.violations.push({ point: i, problem: `completed entry differs from the reference (max diff ${c.maxDiff})` });
      stats.cyclesCompleted++;
      rmSync(home, { recursive: true, force: true });
      home = mkdtempSync(join(tmpdir(), 'geosift-soak-'));
      last = 0;
    }
  }
  if ((i + 1) % 10 === 0) log(`[soak] ${stats.killed}/${points} kills, ${stats.cyclesCompleted} full cycles, ${stats.violations.length} violations`);
}

if (seenPositions.size) {
  stats.committedAfterKill = { min: Math.min(...seenPositions), max: Math.max(...seenPositions), distinct: seenPositions.size };
}

// Resume whatever the last kill left to completion and compare with the uninterrupted run.
const final = await runIndex(home);
if (final.code !== 0) stats.violations.push({ problem: `the resumed run failed (exit ${final.code}): ${final.stderr.slice(-500)}` });
const done = await entryOf(home);
if (!done?.commit.complete) stats.violations.push({ problem: 'the resumed run did not complete the entry' });
else {
  const c = compare(done, ref);
  stats.finalMaxDiff = c.maxDiff;
  stats.finalSameTiles = c.sameTiles && done.tiles.length === ref.tiles.length;
  if (!stats.finalSameTiles || c.maxDiff > 1e-6) stats.violations.push({ problem: `resumed entry differs from the uninterrupted run (max diff ${c.maxDiff})` });
}
stats.seconds = Math.round((Date.now() - t0) / 1000);
rmSync(home, { recursive: true, force: true });
rmSync(refHome, { recursive: true, force: true });
if (json) console.log(JSON.stringify(stats));
else {
  console.log(
    `soak-index: ${stats.killed} kill -9 points (${stats.killedMidIndex} mid-index, ${stats.killedBeforeEntry} before the entry existed), ${stats.finishedBeforeKill} runs finished first, ${stats.cyclesCompleted} full index cycles; ` +
      `${stats.violations.length} violations; committed prefixes max |diff| ${stats.maxPrefixDiff}, resumed vs uninterrupted max |diff| ${stats.finalMaxDiff}; ${stats.seconds}s`,
  );
  for (const v of stats.violations) console.log(`  violation: ${JSON.stringify(v)}`);
}
process.exit(stats.violations.length ? 1 : 0);
