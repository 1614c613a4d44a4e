// Ranking tiles against a query embedding: cosine scores, thresholds and overlap suppression.
import { windowIoU } from '../../../shared/geo/tile-grid.js';
import type { TileRecord } from './embed-scene.js';

/** Dot products of every row of `vectors` (n x dim, L2-normalised) with `query`: cosine similarities. */
export function scoreAll(vectors: Float32Array, dim: number, query: Float32Array): Float32Array {
  const n = vectors.length / dim;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * dim;
    for (let k = 0; k < dim; k++) s += vectors[o + k] * query[k];
    out[i] = s;
  }
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

/** Greedy non-maximum suppression over tiles in score order; returns positions into `records`. */
export function selectHits(records: TileRecord[], scores: Float32Array, o: SelectOptions): number[] {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || records[a].index - records[b].index);
  const chosen: number[] = [];
  for (const i of order) {
    if (chosen.length >= o.top) break;
    if (o.minScore !== undefined && scores[i] < o.minScore) break;
    if (o.exclude?.has(i)) continue;
    if (o.suppressIoU < 1 && chosen.some((j) => windowIoU(records[i].window, records[j].window) > o.suppressIoU)) continue;
    chosen.push(i);
  }
  return chosen;
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
