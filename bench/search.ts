// Search latency: exact search p50/p95 at 1e4, 1e5, 1e6 tiles (ours vs the former one-row loop + full sort, and numpy),
// and approximate search (IVF, main/engine/index/ann.ts) at 1e6 with recall@10 against exact, one run.
//
// Usage: node --import jiti/register bench/search.ts [--sizes 10000,100000,1000000] [--queries 50] [--ann 1000000] [--nprobe 4,8,16,32] [--no-numpy]
//        [--large 10000000 --large-model models/geosift-rs-mini --large-nprobe 8,16,32,64]  (--large 0 skips the 1e7 section)
// Vectors: real embeddings of real tiles (the seeded RS-M-CLIP package on the UC Merced mosaic, TCI.tif, RGB.byte.tif),
// replicated as random mixes of two of them plus Gaussian noise (relative norm --noise, default 0.1), re-normalised.
// Queries: more such points (not in the set).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { freemem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIvf, searchIvf, searchIvfWith } from '../main/engine/index/ann.js';
import { loadModel } from '../main/engine/model/index.js';
import { openScene } from '../main/engine/raster/open-scene.js';
import { computeStretch, toRgb } from '../main/engine/raster/stretch.js';
import { readExampleImage } from '../main/engine/tasks/example-image.js';
import { scoreAll, selectHits } from '../main/engine/tasks/rank.js';
import { createVectorScorer } from '../main/engine/tasks/scorer.js';
import type { TileRecord } from '../main/engine/tasks/embed-scene.js';
import { planTiles } from '../main/engine/tiling/tile-plan.js';
import { arg, dataDir, load1, machineLine, percentile, ratio, repoRoot, runPython } from './lib.js';

const sizes = arg('sizes', '10000,100000,1000000').split(',').map(Number);
const nq = Number(arg('queries', '50'));
const annN = Number(arg('ann', '1000000'));
const nprobes = arg('nprobe', '4,8,16,32').split(',').map(Number);
const noise = Number(arg('noise', '0.1'));
const numpy = !process.argv.includes('--no-numpy');
const modelDir = arg('model', join(repoRoot, 'test/fixtures/.generated/rs-m-clip-parity/package'));
const largeN = Number(arg('large', '10000000'));
const largeModel = arg('large-model', join(repoRoot, 'models/geosift-rs-mini'));
const largeProbes = arg('large-nprobe', '8,16,32,64').split(',').map(Number);
const scenes = [join(repoRoot, 'test/fixtures/.generated/mosaic/ucm-mosaic.tif'), join(dataDir, 'scenes/titiler_tests_fixtures/TCI.tif'), join(dataDir, 'scenes/rasterio_tests_data/RGB.byte.tif')].filter(existsSync);

/** Real tile embeddings, cached in the temp folder between runs (they depend only on the model and the scenes). */
async function baseVectors(modelDir: string): Promise<{ dim: number; v: Float32Array }> {
  const cache = join(tmpdir(), `geosift-bench-search-base-${modelDir.replace(/[^a-z0-9]/gi, '_').slice(-60)}.json`);
  if (existsSync(cache)) {
    const c = JSON.parse(readFileSync(cache, 'utf8'));
    return { dim: c.dim, v: Float32Array.from(c.v) };
  }
  const model = await loadModel(modelDir, { verifyHashes: false, provider: 'cpu' });
  const out: Float32Array[] = [];
  for (const s of scenes) {
    const scene = await openScene(s);
    const plan = planTiles(scene.info, { modelInputSize: model.info.manifest.vision.imageSize });
    const stretch = await computeStretch(scene, [0, 1, 2]);
    const images = [];
    for (const t of plan.grid.tiles) images.push(toRgb(await scene.readWindow(t.window, { bands: [0, 1, 2], level: plan.level }), stretch).image);
    out.push(...(await model.encodeImages(images)));
    await scene.close();
  }
  await model.dispose();
  const dim = out[0].length;
  const v = new Float32Array(out.length * dim);
  out.forEach((x, i) => v.set(x, i * dim));
  writeFileSync(cache, JSON.stringify({ dim, v: Array.from(v) }));
  return { dim, v };
}

/**
 * A larger and more varied base for the 1e7 section: the embeddings of every UC Merced image (2,100 aerial scenes of
 * 21 classes), cached like the scene embeddings above; the scene tiles alone when the images are absent.
 */
async function ucmVectors(modelDir: string): Promise<{ dim: number; v: Float32Array; what: string }> {
  const root = join(dataDir, 'ucmerced/images');
  if (!existsSync(root)) return { ...(await baseVectors(modelDir)), what: 'scene tiles' };
  const cache = join(tmpdir(), `geosift-bench-search-ucm-${modelDir.replace(/[^a-z0-9]/gi, '_').slice(-60)}.json`);
  if (existsSync(cache)) {
    const c = JSON.parse(readFileSync(cache, 'utf8'));
    return { dim: c.dim, v: Float32Array.from(c.v), what: c.what };
  }
  const model = await loadModel(modelDir, { verifyHashes: false, provider: 'cpu' });
  const out: Float32Array[] = [];
  for (const cls of readdirSync(root).sort()) {
    const files = readdirSync(join(root, cls)).sort();
    const images = [];
    for (const f of files) images.push(await readExampleImage(join(root, cls, f)));
    out.push(...(await model.encodeImages(images)));
  }
  await model.dispose();
  const dim = out[0].length;
  const v = new Float32Array(out.length * dim);
  out.forEach((x, i) => v.set(x, i * dim));
  const what = `${out.length} UC Merced image embeddings`;
  writeFileSync(cache, JSON.stringify({ dim, v: Array.from(v), what }));
  return { dim, v, what };
}

let seed = 12345;
function rand(): number {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const GAUSS = Float32Array.from({ length: 1 << 16 }, () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()));

/**
 * n points between pairs of real embeddings (a random mix of two, plus Gaussian noise of relative norm `noise`),
 * re-normalised: neighbourhoods with structure, as in real scenes, rather than isotropic balls around a few points.
 */
function replicate(base: Float32Array, dim: number, n: number, out = new Float32Array(n * dim)): Float32Array {
  const b = base.length / dim;
  const sigma = noise / Math.sqrt(dim);
  for (let i = 0; i < n; i++) {
    const a = Math.floor(rand() * b) * dim;
    const c = Math.floor(rand() * b) * dim;
    const t = rand();
    const o = i * dim;
    let g = Math.floor(rand() * 65536);
    let ss = 0;
    for (let k = 0; k < dim; k++) {
      const x = (1 - t) * base[a + k] + t * base[c + k] + sigma * GAUSS[(g = (g + 40503) & 0xffff)];
      out[o + k] = x;
      ss += x * x;
    }
    const inv = 1 / Math.sqrt(ss);
    for (let k = 0; k < dim; k++) out[o + k] *= inv;
  }
  return out;
}

/** The engine's search before this change: one row per pass, then a full sort of all n positions. */
function naiveTop(vectors: Float32Array, dim: number, q: Float32Array, k: number): number[] {
  const n = vectors.length / dim;
  const s = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    const o = i * dim;
    for (let j = 0; j < dim; j++) acc += vectors[o + j] * q[j];
    s[i] = acc;
  }
  return Array.from(s.keys()).sort((a, b) => s[b] - s[a] || a - b).slice(0, k);
}

function timeIt(f: () => unknown): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

async function timeAsync(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

const fmt = (xs: number[]) => `${percentile(xs, 50).toFixed(1).padStart(7)} ${percentile(xs, 95).toFixed(1).padStart(7)}`;

console.log(`# search | ${machineLine()}`);
const { dim, v: base } = await baseVectors(modelDir);
console.log(`# ${base.length / dim} real tile embeddings (${dim}-d) from ${scenes.length} scenes, replicated as noisy mixes (noise ${noise}); ${nq} queries; top 10; ms`);
const queries = replicate(base, dim, nq);
const tmp = mkdtempSync(join(tmpdir(), 'geosift-bench-search-'));
const scorer = createVectorScorer();
try {
  console.log('# ours = the engine path: scores through onnxruntime-node MatMul (tasks/scorer.ts) + selectHits; JS = rank.ts scoreAll + selectHits');
  console.log('tiles      | ours exact p50 p95 | JS loop p50 p95 | former p50 p95 | numpy p50 p95 | p95 JS/ours  ours/numpy (ms ratio) | load1');
  const ortLines: string[] = [];
  for (const n of sizes) {
    const vectors = replicate(base, dim, n);
    const records: TileRecord[] = Array.from({ length: n }, (_, i) => ({ index: i, row: 0, col: i, window: { x: i * 224, y: 0, width: 224, height: 224 }, validFraction: 1 }));
    const ours: number[] = [];
    const js: number[] = [];
    const tops: number[][] = [];
    await scorer.score(vectors, dim, queries.subarray(0, dim)); // session start, once
    for (let i = 0; i < nq; i++) {
      const q = queries.subarray(i * dim, (i + 1) * dim);
      let top: number[] = [];
      ours.push(await timeAsync(async () => (top = selectHits(records, await scorer.score(vectors, dim, q), { top: 10, suppressIoU: 1 }))));
      tops.push(top);
    }
    const nJs = n >= 1e6 ? Math.min(nq, 10) : nq;
    for (let i = 0; i < nJs; i++) {
      const q = queries.subarray(i * dim, (i + 1) * dim);
      let top: number[] = [];
      js.push(timeIt(() => (top = selectHits(records, scoreAll(vectors, dim, q), { top: 10, suppressIoU: 1 }))));
      if (top.join() !== tops[i].join()) throw new Error(`onnxruntime and JS scores rank differently at n=${n}, query ${i}`);
    }
    const former: number[] = [];
    const nFormer = n >= 1e6 ? Math.min(nq, 5) : nq; // a full sort of 1e6 takes seconds: fewer queries
    for (let i = 0; i < nFormer; i++) {
      const q = queries.subarray(i * dim, (i + 1) * dim);
      let top: number[] = [];
      former.push(timeIt(() => (top = naiveTop(vectors, dim, q, 10))));
      if (top.join() !== tops[i].join()) throw new Error(`exact search disagrees with the former one at n=${n}, query ${i}`);
    }
    let np = '      -       -';
    let npRatio = '    -';
    if (numpy) {
      const vf = join(tmp, 'v.f32');
      const qf = join(tmp, 'q.f32');
      writeFileSync(vf, vectors);
      writeFileSync(qf, queries);
      const r = runPython<{ ms: number[]; ort_ms: number[] }>('search_ref.py', [vf, qf, String(dim)]);
      rmSync(vf);
      np = fmt(r.ms);
      npRatio = ratio(percentile(ours, 95), percentile(r.ms, 95));
      if (r.ort_ms.length) ortLines.push(`${String(n).padEnd(11)}| onnxruntime MatMul (Python, V bound once) + top 10: p50 ${percentile(r.ort_ms, 50).toFixed(1)} ms, p95 ${percentile(r.ort_ms, 95).toFixed(1)} ms | ${load1()}`);
    }
    console.log(`${String(n).padEnd(11)}| ${fmt(ours)}    | ${fmt(js)}  | ${fmt(former)} | ${np} | ${ratio(percentile(js, 95), percentile(ours, 95)).padStart(11)}  ${npRatio.padStart(10)} | ${load1()}`);

    if (n === annN) {
      let t0 = performance.now();
      const ivf = await buildIvf(vectors, dim, { scorer });
      const buildS = (performance.now() - t0) / 1000;
      console.log(`## IVF at ${n}: nlist ${ivf.nlist}, cells found by k-means in ${ivf.coarseDim === dim ? 'the full space' : `a ${ivf.coarseDim}-d sparse projection`} through onnxruntime (the engine's catalog path), built in ${buildS.toFixed(1)} s | load ${load1()}`);
      console.log('# ours = cells scored through onnxruntime (searchIvfWith, the engine path); JS = the same cells in the JS loop (searchIvf)');
      console.log('nprobe  scanned %  ours p50 ms  p95 ms  JS p50 ms  p95 ms  recall@10  load1');
      for (const nprobe of nprobes) {
        const r = await ivfSweep(scorer, ivf, queries, nq, nprobe, (i) => tops[i], true);
        console.log(`${String(nprobe).padEnd(8)}${((100 * r.scanned) / nq / n).toFixed(1).padStart(9)}  ${percentile(r.ms, 50).toFixed(1).padStart(11)}  ${percentile(r.ms, 95).toFixed(1).padStart(6)}  ${percentile(r.msJs, 50).toFixed(1).padStart(9)}  ${percentile(r.msJs, 95).toFixed(1).padStart(6)}  ${r.recall.toFixed(3).padStart(9)}  ${load1()}`);
      }
    }
  }
  if (ortLines.length) console.log(['# what the engine would get scoring through onnxruntime (the same MLAS kernels as onnxruntime-node):', ...ortLines].join('\n'));
  if (largeN > 0) {
    // The set alone is n x 256 float32; with the runtime, the base and the queries about 1.3x that.
    const need = largeN * 256 * 4 * 1.3;
    if (freemem() < need) console.log(`# ${largeN} tiles not run: needs about ${(need / 2 ** 30).toFixed(1)} GiB free, ${(freemem() / 2 ** 30).toFixed(1)} GiB is (--large N for a smaller set)`);
    else await large(largeN);
  }

} finally {
  await scorer.dispose();
  rmSync(tmp, { recursive: true, force: true });
}

/** Bounded best-k of one query's scores: positions of the k largest, best first (ties by position). */
function topOf(scores: Float32Array, stride: number, col: number, offset: number, k: number, into: { s: number[]; i: number[] }): void {
  const n = scores.length / stride;
  for (let r = 0; r < n; r++) {
    const v = scores[r * stride + col];
    if (into.s.length === k && v <= into.s[k - 1]) continue;
    let at = into.s.length;
    while (at > 0 && into.s[at - 1] < v) at--;
    into.s.splice(at, 0, v);
    into.i.splice(at, 0, offset + r);
    if (into.s.length > k) {
      into.s.pop();
      into.i.pop();
    }
  }
}

/**
 * 1e7 tiles: at 512 values a vector (RS-M-CLIP) the set is 20 GB, all the memory here, so this runs with the default
 * model's 256-d embeddings (10 GB), the model a desktop catalog of that size would hold, of the 2,100 UC Merced images
 * (more varied than the 90 scene tiles above, so recall is harder). Exact search is scored in
 * blocks of 1e6 rows (one product each, through onnxruntime as the engine does); the IVF is built in place.
 */
async function large(n: number): Promise<void> {
  const { dim: d, v: b, what } = await ucmVectors(largeModel);
  console.log(`## ${n} tiles, ${d}-d (${largeModel.split('/').pop()}: ${what}, replicated as above), ${((n * d * 4) / 2 ** 30).toFixed(1)} GiB float32 | load ${load1()}`);
  let t0 = performance.now();
  const all = new Float32Array(n * d);
  const CH = 1_000_000;
  for (let s = 0; s < n; s += CH) replicate(b, d, Math.min(CH, n - s), all.subarray(s * d, Math.min(n, s + CH) * d));
  const qs = replicate(b, d, nq);
  console.log(`# generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const sc = createVectorScorer();
  try {
    // Exact: all queries at once for the truth; then one query at a time, timed, as a search would run.
    const truth = Array.from({ length: nq }, () => ({ s: [] as number[], i: [] as number[] }));
    for (let s = 0; s < n; s += CH) {
      const scores = await sc.score(all.subarray(s * d, Math.min(n, s + CH) * d), d, qs);
      for (let j = 0; j < nq; j++) topOf(scores, nq, j, s, 10, truth[j]);
    }
    const exactMs: number[] = [];
    for (let j = 0; j < Math.min(nq, 10); j++) {
      const q = qs.subarray(j * d, (j + 1) * d);
      const best = { s: [] as number[], i: [] as number[] };
      t0 = performance.now();
      for (let s = 0; s < n; s += CH) topOf(await sc.score(all.subarray(s * d, Math.min(n, s + CH) * d), d, q), 1, 0, s, 10, best);
      exactMs.push(performance.now() - t0);
      if (best.i.join() !== truth[j].i.join()) throw new Error(`exact search at ${n}: one query and the batch disagree (query ${j})`);
    }
    console.log(`# exact, 1e6-row products through onnxruntime + top 10: p50 ${percentile(exactMs, 50).toFixed(1)} ms, p95 ${percentile(exactMs, 95).toFixed(1)} ms (${exactMs.length} queries) | load ${load1()}`);
    t0 = performance.now();
    const rss0 = process.memoryUsage().rss;
    const ivf = await buildIvf(all, d, { scorer: sc, inPlace: true });
    console.log(`## IVF at ${n}: nlist ${ivf.nlist}, cells in the full space through onnxruntime, stored in place, built in ${((performance.now() - t0) / 1000).toFixed(1)} s (RSS ${(rss0 / 2 ** 30).toFixed(1)} -> ${(process.memoryUsage().rss / 2 ** 30).toFixed(1)} GiB) | load ${load1()}`);
    console.log('nprobe  scanned %  p50 ms  p95 ms  recall@10  load1');
    for (const nprobe of largeProbes) {
      const r = await ivfSweep(sc, ivf, qs, nq, nprobe, (j) => truth[j].i, false);
      console.log(`${String(nprobe).padEnd(8)}${((100 * r.scanned) / nq / n).toFixed(2).padStart(9)}  ${percentile(r.ms, 50).toFixed(1).padStart(6)}  ${percentile(r.ms, 95).toFixed(1).padStart(6)}  ${r.recall.toFixed(3).padStart(9)}  ${load1()}`);
    }
  } finally {
    await sc.dispose();
  }
}

/**
 * One nprobe over every query: latency through onnxruntime (and, with `js`, the same search in the JS loop, which
 * must return the same hits), tiles scanned and recall@10 against `truth(query)`.
 */
async function ivfSweep(sc: ReturnType<typeof createVectorScorer>, ivf: Awaited<ReturnType<typeof buildIvf>>, qs: Float32Array, count: number, nprobe: number, truth: (i: number) => number[], js: boolean): Promise<{ ms: number[]; msJs: number[]; scanned: number; recall: number }> {
  const d = ivf.dim;
  const ms: number[] = [];
  const msJs: number[] = [];
  let hit = 0;
  let scanned = 0;
  for (let i = 0; i < count; i++) {
    const q = qs.subarray(i * d, (i + 1) * d);
    let t0 = performance.now();
    const r = await searchIvfWith(sc, ivf, q, 10, nprobe);
    ms.push(performance.now() - t0);
    if (js) {
      t0 = performance.now();
      const rj = searchIvf(ivf, q, 10, nprobe);
      msJs.push(performance.now() - t0);
      if (rj.ids.join() !== r.ids.join()) throw new Error(`IVF through onnxruntime and in JS disagree at nprobe ${nprobe}, query ${i}`);
    }
    scanned += r.scanned;
    const t = new Set(truth(i));
    for (const id of r.ids) if (t.has(id)) hit++;
  }
  return { ms, msJs, scanned, recall: hit / (10 * count) };
}
