// A labeling run turned into legend rows, class tiles and a clicked tile's top classes.
import { describe, expect, it } from 'vitest';
import { tileAtPixel, toLabelView } from '../../../renderer/src/features/labeling/label-types.js';
import type { LabelSummary } from '../../../shared/protocol/engine-api.js';

function summary(areaMethod: LabelSummary['areaMethod']): LabelSummary {
  const tile = (tileIndex: number, x: number, classId: string, probability: number, runnerUpId: string | null) => ({
    tileIndex, row: 0, col: tileIndex, window: { x, y: 0, width: 10, height: 10 }, classId, probability, runnerUpId, runnerUpProbability: 1 - probability, margin: 2 * probability - 1, polygon: null,
  });
  return {
    labelId: 'L1',
    scene: { source: 's.tif', width: 30, height: 10, crs: null },
    model: { id: 'm', name: 'm', sha256: '', provider: 'cpu', languages: ['en'] },
    scheme: { id: 'custom', name: 'Custom classes', language: 'en', classes: [{ id: 'water', name: 'water', value: 1, color: '#1f77b4' }, { id: 'forest', name: 'forest', value: 2, color: '#2ca02c' }] },
    tiling: { tileSizePx: 10, overlapPx: 0, tileGroundM: null, level: 0, bands: [1, 2, 3], tilesTotal: 3, tilesEmbedded: 3, tilesSkipped: 0 },
    thresholds: { minProbability: 0.3, minMargin: 0 },
    tiles: [tile(0, 0, 'water', 0.9, 'forest'), tile(1, 10, 'forest', 0.6, 'water'), tile(2, 20, 'unknown', 0.2, 'water')],
    areas: [
      { id: 'water', name: 'water', value: 1, color: '#1f77b4', tiles: 1, areaHa: 1, areaKm2: 0.01, fraction: 1 / 3, meanProbability: 0.9 },
      { id: 'forest', name: 'forest', value: 2, color: '#2ca02c', tiles: 1, areaHa: 1, areaKm2: 0.01, fraction: 1 / 3, meanProbability: 0.6 },
      { id: 'unknown', name: 'unknown', value: 0, color: '#9e9e9e', tiles: 1, areaHa: 1, areaKm2: 0.01, fraction: 1 / 3, meanProbability: null },
    ],
    areaMethod,
    raster: { width: 3, height: 1, cellSizePx: 10, originPx: [0, 0], values: [1, 2, 0] },
    notes: [],
    elapsedMs: 1,
  };
}

describe('toLabelView', () => {
  it('lists the scheme classes in order with their colours and areas, then unknown', () => {
    const v = toLabelView(summary('ellipsoid'));
    expect(v.legend.map((r) => [r.id, r.color, r.areaKm2])).toEqual([
      ['water', [31, 119, 180], 0.01],
      ['forest', [44, 160, 44], 0.01],
      ['unknown', [158, 158, 158], 0.01],
    ]);
    expect(v.tiles.map((t) => t.classId)).toEqual(['water', 'forest', null]);
    expect(v.tiles[0].top).toEqual([{ classId: 'water', prob: 0.9 }, { classId: 'forest', prob: expect.closeTo(0.1, 12) }]);
  });

  it('falls back to tile shares when the scene has no measurable area', () => {
    const v = toLabelView(summary('none'));
    expect(v.legend.every((r) => r.areaKm2 === null)).toBe(true);
    expect(v.legend.map((r) => r.fraction)).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('finds the tile under a pixel', () => {
    const v = toLabelView(summary('ellipsoid'));
    expect(tileAtPixel(v.tiles, 12, 5)?.tileIndex).toBe(1);
    expect(tileAtPixel(v.tiles, 35, 5)).toBeNull();
  });
});
