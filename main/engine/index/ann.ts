// Approximate nearest-neighbour search over tile embeddings: an inverted file (IVF) over k-means cells, exact re-scoring.
//
// Build: k-means on a sample finds `nlist` centroids; every vector goes to its nearest centroid's list, and the lists
// are stored contiguously (vectors copied in list order). Search: the query's `nprobe` best centroids are opened and
// every vector in them is scored exactly; the best k of those are returned. Recall grows with nprobe (bench/search.ts
// measures recall@10 against exact search). Cells are found in a sparse random projection of the vectors to
// `coarseDim` values (each input coordinate added, with a random sign, to one coarse coordinate: O(dim) per vector),
// which keeps the build at O(n * (dim + nlist * coarseDim)) instead of O(n * nlist * dim).

import { EngineError, ErrorCodes, throwIfAborted } from '../../../shared/protocol/errors.js';
import { mulberry32 } from '../random.js';

export interface IvfIndex {
  dim: number;
  nlist: number;
  coarseDim: number;
  /** Coarse coordinate each input coordinate is added to, and with which sign (a sparse random projection). */
  groups: Int32Array;
  signs: Float32Array;
  /** nlist x coarseDim, L2-normalised. */
  centroids: Float32Array;
  /** List l holds positions listStart[l] .. listStart[l+1]-1 of `ids` and `vectors`. */
  listStart: Int32Array;
  /** Row of each stored vector in the original matrix. */
  ids: Int32Array;
  /** The vectors in list order (n x dim). */
  vectors: Float32Array;
}

export interface BuildIvfOptions {
  /** Number of cells; default about sqrt(n)/4, from 1 to 1024. */
  nlist?: number;
  /** k-means iterations on the sample; default 6. */
  iterations?: number;
  /** Vectors sampled for k-means; default min(n, 32 nlist). */
  sample?: number;
  /** Dimension of the random projection used for cells; default dim with a scorer, else min(dim, 32). */
  coarseDim?: number;
  seed?: number;
  signal?: AbortSignal;
  /** Scores blocks of rows against the centroids (ONNX Runtime in the engine); default the JS loop. */
  scorer?: BlockScorer;
  /**
   * Store the lists by reordering `vectors` itself (the index's `vectors` is then the caller's array, rows in list
   * order) instead of a copy: half the memory, for a caller that no longer needs its row order (bench/search.ts at
   * 1e7 rows). The caller must not read the array while the build runs.
   */
  inPlace?: boolean;
}

export interface IvfHits {
  /** Rows of the original matrix, best first. */
  ids: Int32Array;
  scores: Float32Array;
  /** Vectors scored exactly. */
  scanned: number;
}

function project(v: Float32Array, off: number, dim: number, groups: Int32Array, signs: Float32Array, cd: number, out: Float32Array, outOff: number): void {
  for (let j = 0; j < cd; j++) out[outOff + j] = 0;
  for (let k = 0; k < dim; k++) out[outOff + groups[k]] += signs[k] * v[off + k];
}

function normalizeRows(m: Float32Array, d: number): void {
  for (let o = 0; o < m.length; o += d) {
    let s = 0;
    for (let k = 0; k < d; k++) s += m[o + k] * m[o + k];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let k = 0; k < d; k++) m[o + k] *= inv;
  }
}

/** Index of the best-scoring centroid for row `off` of `x`. */
function nearest(x: Float32Array, off: number, c: Float32Array, nlist: number, d: number): number {
  let best = 0;
  let bestScore = -Infinity;
  for (let l = 0; l < nlist; l++) {
    let s = 0;
    const co = l * d;
    for (let k = 0; k < d; k++) s += x[off + k] * c[co + k];
    if (s > bestScore) {
      bestScore = s;
      best = l;
    }
  }
  return best;
}

/**
 * The nearest centroid of each of the n rows of `x` (n x d): through `scorer` one block of rows against all centroids
 * at a time (a matrix product), else one row at a time in JS.
 */
async function assignAll(x: Float32Array, n: number, d: number, c: Float32Array, nlist: number, scorer: BlockScorer | undefined, signal?: AbortSignal): Promise<Int32Array> {
  const out = new Int32Array(n);
  const BLOCK = 16384;
  for (let start = 0; start < n; start += BLOCK) {
    throwIfAborted(signal);
    const end = Math.min(n, start + BLOCK);
    if (!scorer) {
      for (let i = start; i < end; i++) out[i] = nearest(x, i * d, c, nlist, d);
      continue;
    }
    const s = await scorer.score(x.subarray(start * d, end * d), d, c);
    for (let i = start; i < end; i++) {
      const o = (i - start) * nlist;
      let best = 0;
      for (let l = 1; l < nlist; l++) if (s[o + l] > s[o + best]) best = l;
      out[i] = best;
    }
  }
  return out;
}

/** Builds an IVF index over `vectors` (n x dim, L2-normalised rows). */
export async function buildIvf(vectors: Float32Array, dim: number, o: BuildIvfOptions = {}): Promise<IvfIndex> {
  if (!Number.isInteger(dim) || dim <= 0 || vectors.length % dim !== 0) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `buildIvf: ${vectors.length} values do not make rows of ${dim}`);
  }
  const n = vectors.length / dim;
  if (n === 0) throw new EngineError(ErrorCodes.BAD_ARGUMENT, 'buildIvf: no vectors to index');
  const nlist = Math.max(1, Math.min(n, o.nlist ?? Math.min(1024, Math.max(1, Math.round(Math.sqrt(n) / 4)))));
  // Through a scorer the cells are found in the full space (a matrix product); in JS in a 32-d projection.
  const cd = Math.max(1, Math.min(dim, o.coarseDim ?? (o.scorer ? dim : 32)));
  const iterations = o.iterations ?? 6;
  const r = mulberry32(o.seed ?? 1);

  // Sparse random projection dim -> cd: a random partition of the coordinates into cd groups, random signs.
  const perm = Array.from({ length: dim }, (_, k) => k);
  for (let k = dim - 1; k > 0; k--) {
    const j = Math.floor(r() * (k + 1));
    [perm[k], perm[j]] = [perm[j], perm[k]];
  }
  // In the full space (cd = dim) the projection is the identity: the rows themselves (L2-normalised) are used, not a copy.
  const full = cd === dim;
  const groups = full ? Int32Array.from(perm, (_, k) => k) : Int32Array.from(perm, (p) => p % cd);
  const signs = Float32Array.from(perm, () => (full ? 1 : r() < 0.5 ? -1 : 1));

  let coarse = vectors;
  if (!full) {
    coarse = new Float32Array(n * cd);
    for (let i = 0; i < n; i++) {
      if ((i & 0xffff) === 0) throwIfAborted(o.signal);
      project(vectors, i * dim, dim, groups, signs, cd, coarse, i * cd);
    }
    normalizeRows(coarse, cd);
  }

  // k-means (spherical) on a sample, seeded from distinct sample rows.
  const m = Math.min(n, o.sample ?? Math.max(nlist, 32 * nlist));
  const sample = new Int32Array(m);
  if (m === n) for (let i = 0; i < n; i++) sample[i] = i;
  else for (let i = 0; i < m; i++) sample[i] = Math.floor(r() * n);
  const centroids = new Float32Array(nlist * cd);
  for (let l = 0; l < nlist; l++) centroids.set(coarse.subarray(sample[Math.floor((l * m) / nlist)] * cd, sample[Math.floor((l * m) / nlist)] * cd + cd), l * cd);
  const sampled = new Float32Array(m * cd);
  for (let s = 0; s < m; s++) sampled.set(coarse.subarray(sample[s] * cd, sample[s] * cd + cd), s * cd);
  for (let it = 0; it < iterations; it++) {
    throwIfAborted(o.signal);
    const sums = new Float32Array(nlist * cd);
    const counts = new Int32Array(nlist);
    const assign = await assignAll(sampled, m, cd, centroids, nlist, o.scorer, o.signal);
    for (let s = 0; s < m; s++) {
      const l = assign[s];
      counts[l]++;
      for (let k = 0; k < cd; k++) sums[l * cd + k] += sampled[s * cd + k];
    }
    for (let l = 0; l < nlist; l++) {
      // An empty cell takes a random sample row, so no centroid is wasted.
      if (counts[l] === 0) {
        const row = sample[Math.floor(r() * m)];
        sums.set(coarse.subarray(row * cd, row * cd + cd), l * cd);
      }
    }
    normalizeRows(sums, cd);
    centroids.set(sums);
  }

  // Every vector to its cell; lists stored contiguously.
  const cell = await assignAll(coarse, n, cd, centroids, nlist, o.scorer, o.signal);
  const sizes = new Int32Array(nlist + 1);
  for (let i = 0; i < n; i++) sizes[cell[i] + 1]++;
  const listStart = new Int32Array(nlist + 1);
  for (let l = 0; l < nlist; l++) listStart[l + 1] = listStart[l] + sizes[l + 1];
  const fill = listStart.slice(0, nlist);
  const ids = new Int32Array(n);
  // Position of each row in list order (reusing `cell`'s memory once read).
  const dest = cell;
  for (let i = 0; i < n; i++) {
    const p = fill[cell[i]]++;
    ids[p] = i;
    dest[i] = p;
  }
  throwIfAborted(o.signal);
  let stored: Float32Array;
  if (o.inPlace) {
    permuteRows(vectors, dim, dest);
    stored = vectors;
  } else {
    stored = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) stored.set(vectors.subarray(i * dim, (i + 1) * dim), dest[i] * dim);
  }
  return { dim, nlist, coarseDim: cd, groups, signs, centroids, listStart, ids, vectors: stored };
}

/** Moves row i of `m` (rows of `dim`) to row dest[i], in place: one cycle at a time through a one-row buffer. */
function permuteRows(m: Float32Array, dim: number, dest: Int32Array): void {
  const n = dest.length;
  const done = new Uint8Array(n);
  const carry = new Float32Array(dim);
  const swap = new Float32Array(dim);
  for (let start = 0; start < n; start++) {
    if (done[start] || dest[start] === start) {
      done[start] = 1;
      continue;
    }
    // Follow the cycle start -> dest[start] -> ...: carry the displaced row along.
    carry.set(m.subarray(start * dim, (start + 1) * dim));
    let i = start;
    do {
      const j = dest[i];
      swap.set(m.subarray(j * dim, (j + 1) * dim));
      m.set(carry, j * dim);
      carry.set(swap);
      done[i] = 1;
      i = j;
    } while (i !== start);
  }
}

/** A bounded min-heap of the k best (score, position) pairs. */
class TopK {
  readonly s: Float32Array;
  readonly p: Int32Array;
  size = 0;
  constructor(readonly k: number) {
    this.s = new Float32Array(k);
    this.p = new Int32Array(k);
  }

  push(score: number, pos: number): void {
    const { s, p, k } = this;
    if (this.size < k) {
      let c = this.size++;
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (s[parent] <= score) break;
        s[c] = s[parent];
        p[c] = p[parent];
        c = parent;
      }
      s[c] = score;
      p[c] = pos;
    } else if (score > s[0]) {
      let c = 0;
      for (;;) {
        let child = 2 * c + 1;
        if (child >= k) break;
        if (child + 1 < k && s[child + 1] < s[child]) child++;
        if (s[child] >= score) break;
        s[c] = s[child];
        p[c] = p[child];
        c = child;
      }
      s[c] = score;
      p[c] = pos;
    }
  }

  /** Best first, ties by original row. */
  hits(index: IvfIndex, scanned: number): IvfHits {
    const order = Array.from({ length: this.size }, (_, i) => i).sort((a, b) => this.s[b] - this.s[a] || index.ids[this.p[a]] - index.ids[this.p[b]]);
    return { ids: Int32Array.from(order, (i) => index.ids[this.p[i]]), scores: Float32Array.from(order, (i) => this.s[i]), scanned };
  }
}

/** The `nprobe` cells whose centroids score best against the query, best first. */
function probeCells(index: IvfIndex, query: Float32Array, nprobe: number): number[] {
  const { dim, nlist, coarseDim: cd } = index;
  if (query.length !== dim) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `searchIvf: the query has ${query.length} values, the index ${dim}`);
  const q = new Float32Array(cd);
  project(query, 0, dim, index.groups, index.signs, cd, q, 0);
  const cellScores = new Float32Array(nlist);
  for (let l = 0; l < nlist; l++) {
    let s = 0;
    const co = l * cd;
    for (let j = 0; j < cd; j++) s += q[j] * index.centroids[co + j];
    cellScores[l] = s;
  }
  const probe = Math.min(nlist, Math.max(1, nprobe));
  return Array.from(cellScores.keys()).sort((a, b) => cellScores[b] - cellScores[a]).slice(0, probe);
}

/** The k best rows for `query` (L2-normalised, dim values) among the `nprobe` cells nearest to it. */
export function searchIvf(index: IvfIndex, query: Float32Array, k: number, nprobe = 8): IvfHits {
  const { dim } = index;
  const cells = probeCells(index, query, nprobe);
  const top = new TopK(Math.max(1, k));
  let scanned = 0;
  const v = index.vectors;
  for (const l of cells) {
    const end = index.listStart[l + 1];
    for (let p = index.listStart[l]; p < end; p++) {
      let s = 0;
      const o = p * dim;
      for (let j = 0; j < dim; j++) s += v[o + j] * query[j];
      scanned++;
      top.push(s, p);
    }
  }
  return top.hits(index, scanned);
}

/** Scores one contiguous block of stored rows against one query (tasks/scorer.ts's VectorScorer fits). */
export interface BlockScorer {
  score(vectors: Float32Array, dim: number, queries: Float32Array): Promise<Float32Array>;
}

/**
 * searchIvf with each opened cell scored as one block by `scorer` (ONNX Runtime's MatMul in the engine): the cells
 * are stored contiguously, so every cell is one product without copying. Same hits as searchIvf up to float rounding.
 */
export async function searchIvfWith(scorer: BlockScorer, index: IvfIndex, query: Float32Array, k: number, nprobe = 8): Promise<IvfHits> {
  const { dim } = index;
  const cells = probeCells(index, query, nprobe);
  const top = new TopK(Math.max(1, k));
  let scanned = 0;
  for (const l of cells) {
    const start = index.listStart[l];
    const end = index.listStart[l + 1];
    if (end === start) continue;
    const scores = await scorer.score(index.vectors.subarray(start * dim, end * dim), dim, query);
    for (let i = 0; i < scores.length; i++) top.push(scores[i], start + i);
    scanned += end - start;
  }
  return top.hits(index, scanned);
}
