import { beforeAll, describe, expect, it } from 'vitest';
import { buildIvf, searchIvf, searchIvfWith } from '../../../../main/engine/index/ann.js';
import { createVectorScorer } from '../../../../main/engine/tasks/scorer.js';
import { scoreAll } from '../../../../main/engine/tasks/rank.js';

let seed = 3;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);

/** Unit vectors around a few random directions (a clustered set, like tile embeddings of one scene). */
function clustered(n: number, dim: number, centres: number): Float32Array {
  const c = Float32Array.from({ length: centres * dim }, () => rand() - 0.5);
  const v = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const a = Math.floor(rand() * centres);
    const b = Math.floor(rand() * centres);
    const t = rand();
    let ss = 0;
    for (let k = 0; k < dim; k++) {
      const x = (1 - t) * c[a * dim + k] + t * c[b * dim + k] + 0.05 * (rand() - 0.5);
      v[i * dim + k] = x;
      ss += x * x;
    }
    for (let k = 0; k < dim; k++) v[i * dim + k] /= Math.sqrt(ss);
  }
  return v;
}

function exactTop(v: Float32Array, dim: number, q: Float32Array, k: number): number[] {
  const s = scoreAll(v, dim, q);
  return Array.from(s.keys()).sort((a, b) => s[b] - s[a] || a - b).slice(0, k);
}

describe('IVF approximate search', () => {
  const dim = 48;
  const n = 6000;
  const v = clustered(n, dim, 30);
  let ivf: Awaited<ReturnType<typeof buildIvf>>;
  beforeAll(async () => {
    ivf = await buildIvf(v, dim, { nlist: 40 });
  });
  const queries = clustered(30, dim, 30);

  it('stores every vector once, grouped by cell', () => {
    expect(ivf.listStart[ivf.nlist]).toBe(n);
    expect(new Set(ivf.ids).size).toBe(n);
    const i = ivf.ids[123];
    expect(Array.from(ivf.vectors.subarray(123 * dim, 124 * dim))).toEqual(Array.from(v.subarray(i * dim, (i + 1) * dim)));
  });

  it('is exact when every cell is probed', () => {
    for (let j = 0; j < 5; j++) {
      const q = queries.subarray(j * dim, (j + 1) * dim);
      const r = searchIvf(ivf, q, 10, ivf.nlist);
      expect(r.scanned).toBe(n);
      expect(Array.from(r.ids)).toEqual(exactTop(v, dim, q, 10));
    }
  });

  it('finds most true neighbours while scanning a fraction of the vectors', () => {
    let hit = 0;
    let scanned = 0;
    for (let j = 0; j < 30; j++) {
      const q = queries.subarray(j * dim, (j + 1) * dim);
      const truth = new Set(exactTop(v, dim, q, 10));
      const r = searchIvf(ivf, q, 10, 12);
      scanned += r.scanned;
      for (const id of r.ids) if (truth.has(id)) hit++;
      // scores come back best first and are the exact dot products
      for (let t = 1; t < r.scores.length; t++) expect(r.scores[t]).toBeLessThanOrEqual(r.scores[t - 1]);
    }
    expect(hit / 300).toBeGreaterThanOrEqual(0.9);
    expect(scanned / 30).toBeLessThan(n * 0.5);
  });

  it('rejects a query of the wrong size and an empty set', async () => {
    expect(() => searchIvf(ivf, new Float32Array(3), 10)).toThrow(/3 values/);
    await expect(buildIvf(new Float32Array(0), dim)).rejects.toThrow(/no vectors/);
  });

  it('scoring each opened cell through onnxruntime finds the same hits as the JS scan', async () => {
    const scorer = createVectorScorer();
    try {
      // Cells of ~150 rows x 48 values are below the JS threshold; a wider copy of the set goes through the runtime.
      const wide = 720;
      const vw = clustered(3000, wide, 20);
      const ivfw = await buildIvf(vw, wide, { nlist: 12 });
      const qs = clustered(8, wide, 20);
      for (let j = 0; j < 8; j++) {
        const q = qs.subarray(j * wide, (j + 1) * wide);
        const a = searchIvf(ivfw, q, 10, 4);
        const b = await searchIvfWith(scorer, ivfw, q, 10, 4);
        expect(b.scanned).toBe(a.scanned);
        expect(Array.from(b.ids)).toEqual(Array.from(a.ids));
        for (let t = 0; t < 10; t++) expect(b.scores[t]).toBeCloseTo(a.scores[t], 5);
      }
      expect(scorer.backend).toBe('onnxruntime');
      const small = await searchIvfWith(scorer, ivf, queries.subarray(0, dim), 10, ivf.nlist);
      expect(Array.from(small.ids)).toEqual(exactTop(v, dim, queries.subarray(0, dim), 10));
    } finally {
      await scorer.dispose();
    }
  });

  it('built through onnxruntime (cells in the full space), every vector is stored once and all cells give exact hits', async () => {
    const scorer = createVectorScorer();
    try {
      const ivfs = await buildIvf(v, dim, { nlist: 40, scorer });
      expect(ivfs.coarseDim).toBe(dim);
      expect(ivfs.listStart[ivfs.nlist]).toBe(n);
      expect(new Set(ivfs.ids).size).toBe(n);
      let hit = 0;
      for (let j = 0; j < 30; j++) {
        const q = queries.subarray(j * dim, (j + 1) * dim);
        expect(Array.from((await searchIvfWith(scorer, ivfs, q, 10, ivfs.nlist)).ids)).toEqual(exactTop(v, dim, q, 10));
        const truth = new Set(exactTop(v, dim, q, 10));
        for (const id of (await searchIvfWith(scorer, ivfs, q, 10, 12)).ids) if (truth.has(id)) hit++;
      }
      expect(hit / 300).toBeGreaterThanOrEqual(0.9);
    } finally {
      await scorer.dispose();
    }
  });

  it('in place: the caller\'s rows reordered into list order, the same index as the copying build', async () => {
    const scorer = createVectorScorer();
    try {
      const original = v.slice();
      const copied = await buildIvf(v, dim, { nlist: 25, scorer });
      expect(Array.from(v)).toEqual(Array.from(original)); // the copying build leaves its input alone
      const mine = v.slice();
      const inPlace = await buildIvf(mine, dim, { nlist: 25, scorer, inPlace: true });
      expect(inPlace.vectors).toBe(mine);
      expect(Array.from(inPlace.ids)).toEqual(Array.from(copied.ids));
      expect(Array.from(inPlace.listStart)).toEqual(Array.from(copied.listStart));
      expect(Array.from(inPlace.vectors)).toEqual(Array.from(copied.vectors));
      // Row p of the stored vectors is row ids[p] of the input.
      for (const p of [0, 1, Math.floor(n / 2), n - 1]) {
        expect(Array.from(inPlace.vectors.subarray(p * dim, (p + 1) * dim))).toEqual(Array.from(original.subarray(inPlace.ids[p] * dim, (inPlace.ids[p] + 1) * dim)));
      }
      const q = queries.subarray(0, dim);
      expect(Array.from((await searchIvfWith(scorer, inPlace, q, 10, inPlace.nlist)).ids)).toEqual(exactTop(original, dim, q, 10));
    } finally {
      await scorer.dispose();
    }
  });

  it('cells left empty by k-means take a sample row (few distinct vectors, many cells), in JS and through onnxruntime', async () => {
    const d = 16;
    const distinct = [0, 1, 2].map((k) => Float32Array.from({ length: d }, (_, j) => (j === k ? 1 : 0)));
    const m = 60;
    const rows = new Float32Array(m * d);
    for (let i = 0; i < m; i++) rows.set(distinct[i % 3], i * d);
    const scorer = createVectorScorer();
    try {
      for (const o of [{}, { scorer }]) {
        const ivf = await buildIvf(rows, d, { nlist: 12, ...o });
        expect(ivf.listStart[ivf.nlist]).toBe(m);
        expect(new Set(ivf.ids).size).toBe(m);
        const hits = searchIvf(ivf, distinct[1], 20, ivf.nlist);
        expect(Array.from(hits.scores).every((x) => Math.abs(x - 1) < 1e-6)).toBe(true);
        expect(new Set(Array.from(hits.ids, (id) => id % 3))).toEqual(new Set([1]));
      }
    } finally {
      await scorer.dispose();
    }
  });
});
