import { describe, expect, it } from 'vitest';
import { axisOffsets, intersectionArea, makeTileGrid, windowIoU, windowOutline } from '../../../../shared/geo/tile-grid.js';

describe('axisOffsets', () => {
  it('covers an axis that is an exact multiple of the tile', () => {
    expect(axisOffsets(1536, 256, 256)).toEqual([0, 256, 512, 768, 1024, 1280]);
  });
  it('pulls the last tile back to the edge instead of hanging past it', () => {
    expect(axisOffsets(600, 256, 256)).toEqual([0, 256, 344]);
  });
  it('steps by the stride when tiles overlap', () => {
    // tile 100, overlap 25 -> stride 75: 0,75,150,225 then last at 300-100=200? no: 225+100 > 300, so stop and end at 200
    expect(axisOffsets(300, 100, 75)).toEqual([0, 75, 150, 200]);
  });
  it('gives one tile at 0 when the axis is shorter than a tile', () => {
    expect(axisOffsets(100, 224, 224)).toEqual([0]);
    expect(axisOffsets(224, 224, 224)).toEqual([0]);
  });
});

describe('makeTileGrid', () => {
  it('numbers tiles row-major and covers every pixel', () => {
    const g = makeTileGrid({ width: 791, height: 718, tileSize: 224, overlap: 32 });
    expect(g.stride).toBe(192);
    expect(g.cols).toBe(4);
    expect(g.rows).toBe(4);
    expect(g.tiles.map((t) => t.index)).toEqual([...Array(16).keys()]);
    const covered = new Uint8Array(791 * 718);
    for (const t of g.tiles) {
      expect(t.window.x + t.window.width).toBeLessThanOrEqual(791);
      expect(t.window.y + t.window.height).toBeLessThanOrEqual(718);
      for (let y = t.window.y; y < t.window.y + t.window.height; y++) covered.fill(1, y * 791 + t.window.x, y * 791 + t.window.x + t.window.width);
    }
    expect(covered.every((v) => v === 1)).toBe(true);
    expect(g.tiles[5]).toMatchObject({ row: 1, col: 1, window: { x: 192, y: 192, width: 224, height: 224 } });
    expect(g.tiles[15].window).toEqual({ x: 791 - 224, y: 718 - 224, width: 224, height: 224 });
  });
  it('rejects an overlap as large as the tile', () => {
    expect(() => makeTileGrid({ width: 100, height: 100, tileSize: 10, overlap: 10 })).toThrow(/overlap/);
    expect(() => makeTileGrid({ width: 0, height: 100, tileSize: 10, overlap: 0 })).toThrow(/image size/);
  });
});

describe('window geometry', () => {
  it('computes intersections and IoU', () => {
    const a = { x: 0, y: 0, width: 100, height: 100 };
    const b = { x: 50, y: 0, width: 100, height: 100 };
    expect(intersectionArea(a, b)).toBe(5000);
    expect(windowIoU(a, b)).toBeCloseTo(5000 / 15000, 12);
    expect(windowIoU(a, { x: 100, y: 0, width: 10, height: 10 })).toBe(0);
  });
  it('outlines a window clockwise in pixel space with n points per edge, closed', () => {
    const ring = windowOutline({ x: 10, y: 20, width: 40, height: 80 }, 2);
    expect(ring).toEqual([[10, 20], [30, 20], [50, 20], [50, 60], [50, 100], [30, 100], [10, 100], [10, 60], [10, 20]]);
  });
});
