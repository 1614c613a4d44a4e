// The class raster in plain numbers: which tile owns which stride cell, with and without overlap, and pulled-back edge tiles.
import { describe, expect, it } from 'vitest';
import { makeTileGrid } from '../../../../shared/geo/tile-grid.js';
import { buildClassRaster, cellOrigin, cellPixelRect, nearestTileAlongAxis } from '../../../../main/engine/label/class-raster.js';

describe('class raster', () => {
  it('gives each stride cell to the tile whose centre is nearest', () => {
    // 600 px, 256 px tiles, no overlap: tiles at 0, 256 and 344 (pulled back to the edge).
    expect(Array.from(nearestTileAlongAxis([0, 256, 344], 256, 600, 256))).toEqual([0, 1, 2]);
    // 50 % overlap, 640 px: tiles at 0, 128, 256, 384 (centres 128..512); cells start at 64 - 128 = -64 so each
    // interior cell is a tile's central 128 px: [-64,64) and [64,192) -> tile 0, ..., [448,576) and [576,704) -> tile 3.
    expect(cellOrigin(128, 128)).toBe(-64);
    expect(Array.from(nearestTileAlongAxis([0, 128, 256, 384], 256, 640, 128, -64))).toEqual([0, 0, 1, 2, 3, 3]);
  });

  it('builds a uint8 raster with nodata for skipped tiles and unknown kept as 0', () => {
    const grid = makeTileGrid({ width: 600, height: 300, tileSize: 256, overlap: 0 });
    expect([grid.rows, grid.cols]).toEqual([2, 3]);
    const values = new Map([[0, 1], [1, 2], [2, 0], [3, 3], [5, 4]]); // tile 4 skipped
    const r = buildClassRaster({ imageWidth: 600, imageHeight: 300, grid, tileSizePx: 256, overlapPx: 0, values, geoTransform: [500000, 0.5, 0, 4100000, 0, -0.5], legend: [] });
    expect([r.width, r.height, r.cellSizePx]).toEqual([3, 2, 256]);
    expect(Array.from(r.data)).toEqual([1, 2, 0, 3, 255, 4]);
    expect(Array.from(r.owner)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.geoTransform).toEqual([500000, 128, 0, 4100000, 0, -128]);
    expect(cellPixelRect(r, 1, 2)).toEqual({ x0: 512, y0: 256, x1: 600, y1: 300 });
  });

  it('counts every pixel once when tiles overlap', () => {
    const grid = makeTileGrid({ width: 512, height: 512, tileSize: 256, overlap: 128 });
    expect(grid.rows).toBe(3);
    const values = new Map(grid.tiles.map((t) => [t.index, t.index + 1]));
    const r = buildClassRaster({ imageWidth: 512, imageHeight: 512, grid, tileSizePx: 256, overlapPx: 128, values, geoTransform: [1000, 2, 0, 5000, 0, -2], legend: [] });
    // Cells [-64,64), [64,192), [192,320), [320,448), [448,576): the middle three are the cores of tiles 0, 1, 2.
    expect([r.width, r.height, r.originPx]).toEqual([5, 5, -64]);
    expect(Array.from(r.data.subarray(0, 5))).toEqual([1, 1, 2, 3, 3]);
    expect(Array.from(r.data.subarray(10, 15))).toEqual([4, 4, 5, 6, 6]);
    expect(r.geoTransform).toEqual([1000 - 128, 256, 0, 5000 + 128, 0, -256]);
    // Every image pixel falls in exactly one cell.
    let px = 0;
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) {
      const c = cellPixelRect(r, i, j);
      px += (c.x1 - c.x0) * (c.y1 - c.y0);
    }
    expect(px).toBe(512 * 512);
  });
});
