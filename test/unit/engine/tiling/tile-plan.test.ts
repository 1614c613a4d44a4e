import { describe, expect, it } from 'vitest';
import { chooseLevel, parseOverlap, parseTileSpec, planTiles } from '../../../../main/engine/tiling/tile-plan.js';
import type { SceneInfo } from '../../../../main/engine/raster/types.js';

function scene(over: Partial<SceneInfo> = {}): SceneInfo {
  return {
    source: 'test.tif', width: 4000, height: 3000, bandCount: 3, bands: [], dataType: 'uint8',
    crs: { epsg: 32611, name: 'WGS 84 / UTM zone 11N', proj4: '+proj=utm +zone=11 +datum=WGS84', wkt: null, units: 'metre', isGeographic: false },
    geoTransform: [500000, 0.3, 0, 4100000, 0, -0.3], pixelSize: [0.3, 0.3], groundResolutionM: 0.3,
    nodata: null, alphaBand: null, hasMask: false,
    overviews: [
      { level: 0, width: 4000, height: 3000, scaleX: 1, scaleY: 1 },
      { level: 1, width: 2000, height: 1500, scaleX: 2, scaleY: 2 },
      { level: 2, width: 1000, height: 750, scaleX: 4, scaleY: 4 },
    ],
    footprintWgs84: null, boundsWgs84: null, compression: 'deflate', tiled: true, blockSize: [256, 256], bigTiff: false, fileSize: null, warnings: [],
    ...over,
  };
}

describe('tile specs', () => {
  it('parses pixels, metres and kilometres', () => {
    expect(parseTileSpec('224px')).toEqual({ value: 224, unit: 'px' });
    expect(parseTileSpec('224')).toEqual({ value: 224, unit: 'px' });
    expect(parseTileSpec('150m')).toEqual({ value: 150, unit: 'm' });
    expect(parseTileSpec('1.5km')).toEqual({ value: 1500, unit: 'm' });
  });
  it('rejects nonsense with a clear code', () => {
    for (const bad of ['abc', '-5px', '0m', '12 parsecs', 'NaN']) {
      expect(() => parseTileSpec(bad)).toThrow(expect.objectContaining({ code: 'E_BAD_ARGUMENT' }));
    }
  });
  it('parses overlaps as fractions, percentages and pixels', () => {
    expect(parseOverlap('0.25', 224)).toBe(56);
    expect(parseOverlap('25%', 224)).toBe(56);
    expect(parseOverlap('32px', 224)).toBe(32);
    expect(parseOverlap(undefined, 224)).toBe(0);
    expect(() => parseOverlap('0.95', 224)).toThrow(expect.objectContaining({ code: 'E_BAD_ARGUMENT' }));
  });
});

describe('planTiles', () => {
  it('converts metres to pixels with the ground resolution', () => {
    const p = planTiles(scene(), { tile: '150m', modelInputSize: 224 });
    expect(p.tileSizePx).toBe(500);
    expect(p.tileGroundM).toBeCloseTo(150, 9);
    // 500 px tiles for a 224 px model: the 2x overview still gives 250 px >= 224.
    expect(p.level).toBe(1);
    expect(p.readSizePx).toBe(250);
  });
  it('reads full resolution when the tile is already close to the model input', () => {
    const p = planTiles(scene(), { tile: '256px', overlap: '0', modelInputSize: 224 });
    expect(p.level).toBe(0);
    expect(p.grid.cols).toBe(16);
    expect(p.grid.rows).toBe(12);
  });
  it('defaults to the model input size, at least 224 px', () => {
    expect(planTiles(scene(), { modelInputSize: 224 }).tileSizePx).toBe(224);
    expect(planTiles(scene(), { modelInputSize: 336 }).tileSizePx).toBe(336);
    // A 64 px model reads 224 px tiles from the 2x overview (112 px >= 64) and downsamples them.
    const small = planTiles(scene(), { modelInputSize: 64 });
    expect(small.tileSizePx).toBe(224);
    expect(small.level).toBe(1);
  });
  it('chooses the coarsest overview that keeps the model input resolution', () => {
    expect(chooseLevel(scene(), 1000, 224)).toEqual({ level: 2, scale: 4 });
    expect(chooseLevel(scene(), 447, 224)).toEqual({ level: 0, scale: 1 });
    expect(chooseLevel(scene(), 448, 224)).toEqual({ level: 1, scale: 2 });
  });
  it('refuses absurd tile sizes and metres without georeferencing', () => {
    expect(() => planTiles(scene(), { tile: '1000000px', modelInputSize: 224 })).toThrow(expect.objectContaining({ code: 'E_BAD_ARGUMENT' }));
    expect(() => planTiles(scene(), { tile: '1m', modelInputSize: 224 })).toThrow(/only 3 px/);
    const bare = scene({ crs: null, geoTransform: null, pixelSize: null, groundResolutionM: null });
    expect(() => planTiles(bare, { tile: '100m', modelInputSize: 224 })).toThrow(expect.objectContaining({ code: 'E_NOT_GEOREFERENCED' }));
  });
});
