// Ranking tiles against a query embedding: cosine scores, thresholds and overlap suppression.
import { windowIoU } from '../../../shared/geo/tile-grid.js';
import type { TileRecord } from './embed-scene.js';

/**
 * Dot products of every row of `vectors` (n x dim, L2-normalised) with `query`: cosine similarities.
 * Four rows per pass share each load of the query (1.5-2x the one-row loop in V8, bench/search.ts).
 */
export function scoreAll(vectors: Float32Array, dim: number, query: Float32Array): Float32Array {
  const n = Math.floor(vectors.length / dim);
  const out = new Float32Array(n);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o0 = i * dim;
    const o1 = o0 + dim;
    const o2 = o1 + dim;
    const o3 = o2 + dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < dim; k++) {
      const q = query[k];
      s0 += vectors[o0 + k] * q;
      s1 += vectors[o1 + k] * q;
      s2 += vectors[o2 + k] * q;
      s3 += vectors[o3 + k] * q;
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < n; i++) {
    let s = 0;
    const o = i * dim;
    for (let k = 0; k < dim; k++) s += vectors[o + k] * query[k];
    out[i] = s;
  }
  return out;
}

/**
 * Positions whose score is at least the m-th largest (so ties at the boundary are all in), unsorted.
 * A histogram pass over the scores instead of sorting all n: O(n) for any m.
 */
export function topCandidates(scores: Float32Array, m: number): number[] {
  const n = scores.length;
  if (m >= n) return Array.from(scores.keys());
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = scores[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // NaN scores sort last in selectHits' order; with any present, fall back to taking all.
  if (!(lo <= hi)) return Array.from(scores.keys());
  const BINS = 4096;
  const counts = new Uint32Array(BINS);
  const width = (hi - lo) / BINS || 1;
  for (let i = 0; i < n; i++) counts[Math.min(BINS - 1, Math.floor((scores[i] - lo) / width))]++;
  let bin = BINS - 1;
  for (let acc = 0; bin > 0; bin--) {
    acc += counts[bin];
    if (acc >= m) break;
  }
  const floor = lo + bin * width;
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (scores[i] >= floor || Math.floor((scores[i] - lo) / width) >= bin) out.push(i);
  return out;
}

export interface SelectOptions {
  top: number;
  minScore?: number;
  /** A candidate overlapping an already chosen hit by more than this IoU is dropped (1 keeps all). */
  suppressIoU: number;
  /** Record positions never returned (e.g. the query tile itself in query-by-example). */
  exclude?: Set<number>;
}

/**
 * Greedy non-maximum suppression over tiles in score order; returns positions into `records`.
 * Sorts only the best candidates (growing the pool when suppression or exclusions use it up), not all n scores.
 */
export function selectHits(records: TileRecord[], scores: Float32Array, o: SelectOptions): number[] {
  const byScore = (a: number, b: number) => scores[b] - scores[a] || records[a].index - records[b].index;
  const n = scores.length;
  let pool = Math.min(n, Math.max(1024, o.top * 64 + (o.exclude?.size ?? 0)));
  let nan = false;
  for (let i = 0; i < n && !nan; i++) nan = scores[i] !== scores[i];
  for (;;) {
    // With NaN scores the comparator is not a total order; keep the plain sort so the result is as before.
    const order = nan || pool >= n ? Array.from(scores.keys()).sort(byScore) : topCandidates(scores, pool).sort(byScore);
    const complete = nan || pool >= n || order.length >= n;
    const chosen: number[] = [];
    let exhausted = true;
    for (const i of order) {
      if (chosen.length >= o.top) {
        exhausted = false;
        break;
      }
      if (o.minScore !== undefined && scores[i] < o.minScore) {
        exhausted = false;
        break;
      }
      if (o.exclude?.has(i)) continue;
      if (o.suppressIoU < 1 && chosen.some((j) => windowIoU(records[i].window, records[j].window) > o.suppressIoU)) continue;
      chosen.push(i);
    }
    // Candidates ran out before `top` hits: the rest of the scores may still hold some, so look at more of them.
    if (!exhausted || complete) return chosen;
    pool = Math.min(n, pool * 8);
  }
}

export function scoreStats(scores: Float32Array): { min: number; max: number; mean: number; std: number } {
  if (scores.length === 0) return { min: NaN, max: NaN, mean: NaN, std: NaN };
  let min = Infinity, max = -Infinity, sum = 0;
  for (const s of scores) {
    if (s < min) min = s;
    if (s > max) max = s;
    sum += s;
  }
  const mean = sum / scores.length;
  let v = 0;
  for (const s of scores) v += (s - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(v / scores.length) };
}
