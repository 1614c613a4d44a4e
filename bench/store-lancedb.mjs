#!/usr/bin/env node
// Our embedding store vs LanceDB (the candidate named in issue 5), same vectors, one run: write time, reopen, exact top-10 search p50/p95.
// LanceDB is not a project dependency; install it beside the repo once:
//   npm install --prefix /tmp/lance --ignore-scripts --omit=optional @lancedb/lancedb@0.31.0 apache-arrow@18.1.0 @lancedb/lancedb-linux-x64-gnu@0.31.0
//   npm run build && node bench/store-lancedb.mjs --lancedb /tmp/lance --sizes 10000,100000 --dim 256
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const lanceDir = resolve(arg('lancedb', '/tmp/lance'));
const sizes = arg('sizes', '10000,100000').split(',').map(Number);
const dim = Number(arg('dim', '256'));
const queries = Number(arg('queries', '30'));
const root = resolve(new URL('..', import.meta.url).pathname);
const { IndexStore } = await import(pathToFileURL(join(root, 'dist/main/engine/index/store.js')).href);
const { scoreAll, selectHits } = await import(pathToFileURL(join(root, 'dist/main/engine/tasks/rank.js')).href);
const lancedb = await import(pathToFileURL(join(lanceDir, 'node_modules/@lancedb/lancedb/dist/index.js')).href);

let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
function unit(n) {
  const v = new Float32Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) s += (v[i] = rand()) ** 2;
  const k = 1 / Math.sqrt(s);
  for (let i = 0; i < n; i++) v[i] *= k;
  return v;
}
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

console.log(`store-lancedb: ${cpus()[0].model}, ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}, ${new Date().toISOString()}, dim ${dim}`);
for (const n of sizes) {
  const vectors = Array.from({ length: n }, () => unit(dim));
  const qs = Array.from({ length: queries }, () => unit(dim));
  const work = mkdtempSync(join(tmpdir(), 'store-bench-'));

  // Ours: append in batches of 256 with a durable commit each (as indexing does), reopen, exact search.
  let t0 = performance.now();
  const store = await IndexStore.open(join(work, 'ours'));
  const key = { scene: 'sha256:bench', model: { id: 'bench', sha256: 'x' }, tiling: { tileSizePx: 224, overlapPx: 0, level: 0, bands: [0, 1, 2], minValid: 0.5 } };
  const w = await store.writer(key, { source: 'bench', scene: { width: 1, height: 1, crs: null, boundsWgs84: null }, grid: { rows: 1, cols: n, tilesTotal: n, windows: Array.from({ length: n }, (_, i) => [i, 0, 1, 1]) }, dim });
  for (let i = 0; i < n; i += 256) {
    const batch = vectors.slice(i, i + 256);
    await w.append(batch.map((_, k) => ({ index: i + k, validFraction: 1, embedded: true, bbox: null })), batch);
  }
  await w.complete();
  await w.close();
  const oursWrite = performance.now() - t0;
  t0 = performance.now();
  const { tiles, vectors: flat } = await (await store.reader(key)).load();
  const oursOpen = performance.now() - t0;
  const records = tiles.map((t) => ({ index: t.index, row: 0, col: t.index, window: t.window, validFraction: 1 }));
  const oursTimes = [];
  const oursTop = [];
  for (const q of qs) {
    t0 = performance.now();
    const scores = scoreAll(flat, dim, q);
    oursTop.push(selectHits(records, scores, { top: 10, suppressIoU: 1 }).map((i) => records[i].index));
    oursTimes.push(performance.now() - t0);
  }

  // LanceDB: one table, rows written in the same batches (each add() is a committed version), brute-force search.
  t0 = performance.now();
  const db = await lancedb.connect(join(work, 'lance'));
  let table = null;
  for (let i = 0; i < n; i += 256) {
    const rows = vectors.slice(i, i + 256).map((v, k) => ({ tile: i + k, vector: Array.from(v) }));
    if (!table) table = await db.createTable('tiles', rows);
    else await table.add(rows);
  }
  const lanceWrite = performance.now() - t0;
  t0 = performance.now();
  table = await (await lancedb.connect(join(work, 'lance'))).openTable('tiles');
  const lanceOpen = performance.now() - t0;
  const lanceTimes = [];
  let agree = 0;
  for (let qi = 0; qi < qs.length; qi++) {
    t0 = performance.now();
    const res = await table.search(Array.from(qs[qi])).distanceType('dot').limit(10).toArray();
    lanceTimes.push(performance.now() - t0);
    const ids = new Set(res.map((r) => r.tile));
    agree += oursTop[qi].filter((t) => ids.has(t)).length / 10;
  }
  rmSync(work, { recursive: true, force: true });
  const f = (x) => x.toFixed(1);
  console.log(`n=${n}: write ours ${f(oursWrite)} ms vs LanceDB ${f(lanceWrite)} ms (x${(lanceWrite / oursWrite).toFixed(2)}); reopen ours ${f(oursOpen)} ms vs ${f(lanceOpen)} ms`);
  console.log(`n=${n}: exact top-10 p50/p95 ours ${f(pct(oursTimes, 50))}/${f(pct(oursTimes, 95))} ms vs LanceDB ${f(pct(lanceTimes, 50))}/${f(pct(lanceTimes, 95))} ms (p50 ratio x${(pct(lanceTimes, 50) / pct(oursTimes, 50)).toFixed(2)}); top-10 agreement ${(agree / qs.length).toFixed(3)}`);
}
