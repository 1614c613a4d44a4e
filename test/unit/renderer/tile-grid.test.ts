// The display tile grid derived from SceneInfo: extent, resolutions per overview level, pixel <-> grid coordinates.
import { describe, expect, it } from 'vitest';
import { geoPlacementProblem, gridToPixel, levelForWindow, pixelToGrid, sceneGridSpec } from '../../../renderer/src/map/tile-grid.js';
import type { SceneInfo } from '../../../shared/protocol/scene.js';

/** A 1000 x 600 UTM scene with 10 m pixels and two overviews (500 x 300, 250 x 150). */
function scene(over: Partial<SceneInfo> = {}): SceneInfo {
  return {
    source: '/data/s.tif',
    width: 1000,
    height: 600,
    bandCount: 3,
    bands: [],
    dataType: 'uint8',
    crs: { epsg: 32618, name: 'WGS 84 / UTM zone 18N', proj4: '+proj=utm +zone=18 +datum=WGS84 +units=m +no_defs', wkt: null, units: 'metre', isGeographic: false },
    geoTransform: [500000, 10, 0, 4000000, 0, -10],
    pixelSize: [10, 10],
    groundResolutionM: 10,
    nodata: null,
    alphaBand: null,
    hasMask: false,
    overviews: [
      { level: 0, width: 1000, height: 600, scaleX: 1, scaleY: 1 },
      { level: 1, width: 500, height: 300, scaleX: 2, scaleY: 2 },
      { level: 2, width: 250, height: 150, scaleX: 4, scaleY: 4 },
    ],
    footprintWgs84: null,
    boundsWgs84: null,
    compression: 'none',
    tiled: true,
    blockSize: [256, 256],
    bigTiff: false,
    fileSize: null,
    warnings: [],
    ...over,
  };
}

describe('sceneGridSpec', () => {
  it('places a georeferenced scene in its CRS, one resolution per overview, coarsest first', () => {
    const g = sceneGridSpec(scene(), 256);
    expect(g.mode).toBe('geo');
    expect(g.extent).toEqual([500000, 3994000, 510000, 4000000]);
    expect(g.origin).toEqual([500000, 4000000]);
    expect(g.resolutions).toEqual([40, 20, 10]);
    expect(g.levels).toEqual([2, 1, 0]);
    // 1000 px / 256 -> 4 columns, 600 / 256 -> 3 rows at level 0; 250 x 150 -> 1 x 1 at level 2.
    expect(g.tileCounts).toEqual([[1, 1], [2, 2], [4, 3]]);
  });

  it('uses the overview width for resolution when overviews do not divide the scene evenly', () => {
    const g = sceneGridSpec(scene({ width: 1001, geoTransform: [0, 10, 0, 0, 0, -10], overviews: [{ level: 0, width: 1001, height: 600, scaleX: 1, scaleY: 1 }, { level: 1, width: 501, height: 300, scaleX: 1001 / 501, scaleY: 2 }] }));
    expect(g.resolutions[0]).toBeCloseTo(10010 / 501, 9);
    expect(g.resolutions[1]).toBe(10);
  });

  it('falls back to pixel coordinates (y up) without a reprojectable CRS, and says why', () => {
    const noCrs = scene({ crs: null });
    expect(geoPlacementProblem(noCrs)).toMatch(/no coordinate reference system/);
    const g = sceneGridSpec(noCrs);
    expect(g.mode).toBe('pixel');
    expect(g.extent).toEqual([0, 0, 1000, 600]);
    expect(g.resolutions).toEqual([4, 2, 1]);
    expect(geoPlacementProblem(scene({ geoTransform: null }))).toMatch(/no georeferencing/);
    expect(geoPlacementProblem(scene({ geoTransform: [0, 10, 1, 0, 1, -10] }))).toMatch(/rotated/);
    const unprojectable = scene({ crs: { epsg: null, name: 'Local', proj4: null, wkt: null, units: 'unknown', isGeographic: false, reason: 'engineering CRS' } });
    expect(geoPlacementProblem(unprojectable)).toMatch(/Local.*engineering CRS/);
  });

  it('maps pixels to grid coordinates and back in both modes', () => {
    const info = scene();
    const geo = sceneGridSpec(info);
    expect(pixelToGrid(info, geo, 100, 50)).toEqual([501000, 3999500]);
    expect(gridToPixel(info, geo, 501000, 3999500)).toEqual([100, 50]);
    const pix = sceneGridSpec(info, 256, 'pixel');
    expect(pixelToGrid(info, pix, 100, 50)).toEqual([100, 550]);
    expect(gridToPixel(info, pix, 100, 550)).toEqual([100, 50]);
  });

  it('treats a scene without overviews as one level', () => {
    const g = sceneGridSpec(scene({ overviews: [] }));
    expect(g.levels).toEqual([0]);
    expect(g.resolutions).toEqual([10]);
  });
});

describe('levelForWindow', () => {
  it('picks the finest overview that shows the window within the target size', () => {
    const info = scene();
    expect(levelForWindow(info, 100, 128)).toEqual({ level: 0, scale: 1 });
    expect(levelForWindow(info, 224, 128)).toEqual({ level: 1, scale: 2 });
    expect(levelForWindow(info, 500, 128)).toEqual({ level: 2, scale: 4 });
    // Nothing fits: the coarsest level.
    expect(levelForWindow(info, 5000, 128)).toEqual({ level: 2, scale: 4 });
  });
});
