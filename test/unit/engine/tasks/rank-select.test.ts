import { describe, expect, it } from 'vitest';
import { scoreAll, selectHits, topCandidates } from '../../../../main/engine/tasks/rank.js';
import type { TileRecord } from '../../../../main/engine/tasks/embed-scene.js';
import { windowIoU } from '../../../../shared/geo/tile-grid.js';

// The plain definitions the optimised ones must agree with.
function scoreRef(v: Float32Array, dim: number, q: Float32Array): Float32Array {
  const out = new Float32Array(v.length / dim);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += v[i * dim + k] * q[k];
    out[i] = s;
  }
  return out;
}
function selectRef(records: TileRecord[], scores: Float32Array, top: number, suppressIoU: number, minScore?: number, exclude?: Set<number>): number[] {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || records[a].index - records[b].index);
  const chosen: number[] = [];
  for (const i of order) {
    if (chosen.length >= top) break;
    if (minScore !== undefined && scores[i] < minScore) break;
    if (exclude?.has(i)) continue;
    if (suppressIoU < 1 && chosen.some((j) => windowIoU(records[i].window, records[j].window) > suppressIoU)) continue;
    chosen.push(i);
  }
  return chosen;
}

let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);

/** A grid of 64 px tiles with 50 % overlap, so suppression has neighbours to drop. */
function grid(n: number): TileRecord[] {
  const cols = Math.ceil(Math.sqrt(n));
  return Array.from({ length: n }, (_, i) => ({ index: i, row: Math.floor(i / cols), col: i % cols, window: { x: (i % cols) * 32, y: Math.floor(i / cols) * 32, width: 64, height: 64 }, validFraction: 1 }));
}

describe('exact search', () => {
  it('scores like the one-row loop for any row count (4-row blocks and the remainder)', () => {
    for (const n of [1, 3, 4, 5, 37]) {
      const dim = 13;
      const v = Float32Array.from({ length: n * dim }, () => rand() - 0.5);
      const q = Float32Array.from({ length: dim }, () => rand() - 0.5);
      const a = scoreAll(v, dim, q);
      const b = scoreRef(v, dim, q);
      for (let i = 0; i < n; i++) expect(a[i]).toBeCloseTo(b[i], 5);
    }
  });

  it('topCandidates keeps every position scoring at least the m-th best, ties included', () => {
    const scores = Float32Array.from({ length: 5000 }, () => Math.round(rand() * 200) / 200);
    for (const m of [1, 10, 100, 4999]) {
      const kth = [...scores].sort((a, b) => b - a)[m - 1];
      const got = new Set(topCandidates(scores, m));
      scores.forEach((s, i) => {
        if (s >= kth) expect(got.has(i)).toBe(true);
      });
    }
  });

  it('selectHits picks exactly what a full sort picks, with suppression, exclusions, minScore and ties', () => {
    const n = 20000;
    const records = grid(n);
    // Coarse scores: many exact ties, so the tile-index tie-break matters.
    const scores = Float32Array.from({ length: n }, () => Math.round(rand() * 1000) / 1000);
    const exclude = new Set(Array.from({ length: 50 }, () => Math.floor(rand() * n)));
    for (const [top, iou, minScore] of [[10, 1, undefined], [10, 0.2, undefined], [200, 0, undefined], [5000, 0.2, undefined], [10, 0.2, 0.999], [100, 1, 0.5]] as const) {
      expect(selectHits(records, scores, { top, suppressIoU: iou, minScore, exclude })).toEqual(selectRef(records, scores, top, iou, minScore, exclude));
    }
  });

  it('falls back to the full order when scores hold NaN', () => {
    const records = grid(3000);
    const scores = Float32Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? NaN : rand()));
    expect(selectHits(records, scores, { top: 20, suppressIoU: 1 })).toEqual(selectRef(records, scores, 20, 1));
  });
});
