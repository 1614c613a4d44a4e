// Map geometry of a scene across the antimeridian in the geo mode (EPSG:3857 view): scene outline, tile windows and
// the engine's unwrapped hit polygons stay continuous and in the same world copy.
import { getWidth } from 'ol/extent.js';
import { get as getProjection } from 'ol/proj.js';
import { register } from 'ol/proj/proj4.js';
import proj4 from 'proj4';
import { describe, expect, it } from 'vitest';
import { hitGeometry, windowGeometry, type Placement } from '../../../renderer/src/map/geometry.js';
import { sceneGridSpec } from '../../../renderer/src/map/tile-grid.js';
import { unwrapRing } from '../../../shared/geo/geojson.js';
import { windowOutline } from '../../../shared/geo/tile-grid.js';
import type { Position } from '../../../shared/geo/types.js';
import type { SceneInfo } from '../../../shared/protocol/scene.js';

const UTM60 = '+proj=utm +zone=60 +datum=WGS84 +units=m +no_defs';
/** The fixture scene of test/fixtures/make-antimeridian.mjs: 1024 px at 0.3 m in UTM 60N, 180E at x = 384 px. */
const info = {
  source: '/data/antimeridian-utm60.tif', width: 1024, height: 1024, bandCount: 3, bands: [], dataType: 'uint8',
  crs: { epsg: 32660, name: 'WGS 84 / UTM zone 60N', proj4: UTM60, wkt: null, units: 'metre', isGeographic: false },
  geoTransform: [714869.04, 0.3, 0, 5543097.62, 0, -0.3], pixelSize: [0.3, 0.3], groundResolutionM: 0.3, nodata: null, alphaBand: null,
  hasMask: false, overviews: [{ level: 0, width: 1024, height: 1024, scaleX: 1, scaleY: 1 }], footprintWgs84: null, boundsWgs84: null,
  compression: 'deflate', tiled: true, blockSize: [256, 256], bigTiff: false, fileSize: null, warnings: [],
} as unknown as SceneInfo;

function placement(): Placement {
  // As scene-layer.ts sceneProjection does (which needs the DOM for its tile loader): the CRS through proj4.
  proj4.defs('EPSG:32660', UTM60);
  register(proj4);
  return { info, spec: sceneGridSpec(info, 256), sceneProjection: getProjection('EPSG:32660')!, viewProjection: getProjection('EPSG:3857')! };
}

/** What the engine sends: the window's WGS84 outline unwrapped around the scene centre. */
function enginePolygon(w: { x: number; y: number; width: number; height: number }): { type: 'Polygon'; coordinates: Position[][] } {
  const ll = (c: number, r: number): Position => proj4(UTM60, 'EPSG:4326', [714869.04 + c * 0.3, 5543097.62 - r * 0.3]) as Position;
  const ref = ll(512, 512)[0];
  return { type: 'Polygon', coordinates: [unwrapRing(windowOutline(w, 8).map(([c, r]) => ll(c, r)), ref)] };
}

describe('geo-mode geometry across the antimeridian', () => {
  it('keeps the scene outline continuous (about 307 m wide, not the whole world)', () => {
    const e = windowGeometry(placement(), { x: 0, y: 0, width: 1024, height: 1024 }, 8).getExtent();
    expect(getWidth(e)).toBeGreaterThan(300 / Math.cos((50 * Math.PI) / 180) * 0.9);
    expect(getWidth(e)).toBeLessThan(1000);
  });

  it('draws an unwrapped hit polygon where its tile window is, for tiles on both sides and across 180', () => {
    const p = placement();
    for (const x of [0, 256, 512, 768]) {
      const w = { x, y: 256, width: 256, height: 256 };
      const hit = hitGeometry(p, { window: w, polygon: enginePolygon(w) }).getExtent();
      const win = windowGeometry(p, w, 8).getExtent();
      expect(getWidth(hit)).toBeLessThan(200);
      for (let i = 0; i < 4; i++) expect(Math.abs(hit[i] - win[i])).toBeLessThan(0.01);
    }
  });
});
