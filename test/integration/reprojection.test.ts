// Reprojection with plain numbers (known projection origins) and against GDAL on real scenes, north and south.
import { afterAll, describe, expect, it } from 'vitest';
import { openScene } from '../../main/engine/raster/open-scene.js';
import type { Scene } from '../../main/engine/raster/types.js';
import { gdalPixelToWgs84 } from '../helpers/gdal.js';
import { scenePath } from '../helpers/paths.js';

const opened: Scene[] = [];
async function open(rel: string): Promise<Scene> {
  const s = await openScene(scenePath(rel));
  opened.push(s);
  return s;
}
afterAll(async () => {
  for (const s of opened) await s.close();
});

describe('UTM origins in plain numbers', () => {
  it('SIRGAS 2000 / UTM 25S: false easting on the equator is (-33, 0)', async () => {
    const s = await open('debian_r-cran-stars/L7_ETMs.tif');
    expect(s.info.crs?.epsg).toBe(31985);
    const [lon, lat] = s.crsToWgs84(500000, 10000000);
    expect(lon).toBeCloseTo(-33, 9);
    expect(lat).toBeCloseTo(0, 9);
  });
  it('WGS 84 / UTM 18N: false easting on the equator is (-75, 0); 1 degree north is 110 574 m along the meridian', async () => {
    const s = await open('rasterio_tests_data/RGB.byte.tif');
    const [lon, lat] = s.crsToWgs84(500000, 0);
    expect(lon).toBeCloseTo(-75, 9);
    expect(lat).toBeCloseTo(0, 9);
    // Meridian arc from 0 to 1 degree on WGS84 is 110574.4 m, times the UTM scale factor 0.9996.
    const [, lat1] = s.crsToWgs84(500000, 110574.389 * 0.9996);
    expect(lat1).toBeCloseTo(1, 5);
  });
});

describe('pixel -> WGS84 agrees with GDAL within a small fraction of a pixel', () => {
  const cases: [string, number][] = [
    ['debian_r-cran-stars/L7_ETMs.tif', 28.5], // southern hemisphere, SIRGAS 2000
    ['rasterio_tests_data/RGB.byte.tif', 300],
    ['titiler_tests_fixtures/TCI.tif', 100],
    ['rasterio_tests_data/cogeo.tif', 0.6],
    ['opengeos_data/landsat/2020.tif', 30],
  ];
  for (const [rel, gsd] of cases) {
    it(rel, async () => {
      const s = await open(rel);
      const { width: w, height: h } = s.info;
      const pts: [number, number][] = [[0, 0], [w, 0], [w, h], [0, h], [w / 2, h / 2], [w / 3, (2 * h) / 3]];
      const ref = gdalPixelToWgs84(scenePath(rel), pts);
      pts.forEach(([c, r], i) => {
        const [lon, lat] = s.pixelToWgs84(c, r);
        const dx = (lon - ref[i][0]) * 111_320 * Math.cos((lat * Math.PI) / 180);
        const dy = (lat - ref[i][1]) * 110_574;
        expect(Math.hypot(dx, dy) / gsd, `${rel} at pixel ${c},${r}`).toBeLessThan(0.01);
      });
    });
  }
});
