import { describe, expect, it } from 'vitest';
import { scoreAll, scoreStats, selectHits } from '../../../../main/engine/tasks/rank.js';
import type { TileRecord } from '../../../../main/engine/tasks/embed-scene.js';

const rec = (index: number, x: number): TileRecord => ({ index, row: 0, col: index, window: { x, y: 0, width: 100, height: 100 }, validFraction: 1 });

describe('ranking', () => {
  it('scores by dot product of normalised vectors', () => {
    const v = new Float32Array([1, 0, 0, 1, Math.SQRT1_2, Math.SQRT1_2]);
    const s = scoreAll(v, 2, new Float32Array([1, 0]));
    expect(Array.from(s)).toEqual([1, 0, Math.fround(Math.SQRT1_2)]);
    expect(scoreStats(s).max).toBe(1);
  });
  it('suppresses a hit overlapping a better one, keeps disjoint ones', () => {
    const records = [rec(0, 0), rec(1, 50), rec(2, 200), rec(3, 400)];
    const scores = new Float32Array([0.9, 0.8, 0.7, 0.1]);
    expect(selectHits(records, scores, { top: 10, suppressIoU: 0.2 })).toEqual([0, 2, 3]);
    expect(selectHits(records, scores, { top: 10, suppressIoU: 1 })).toEqual([0, 1, 2, 3]);
    expect(selectHits(records, scores, { top: 2, suppressIoU: 1 })).toEqual([0, 1]);
    expect(selectHits(records, scores, { top: 10, suppressIoU: 1, minScore: 0.75 })).toEqual([0, 1]);
    expect(selectHits(records, scores, { top: 10, suppressIoU: 1, exclude: new Set([0]) })).toEqual([1, 2, 3]);
  });
});
