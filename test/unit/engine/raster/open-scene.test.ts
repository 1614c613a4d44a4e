// openScene on real scenes, checked field by field against gdalinfo -json.
import { afterAll, describe, expect, it } from 'vitest';
import { openScene } from '../../../../main/engine/raster/open-scene.js';
import type { Scene } from '../../../../main/engine/raster/types.js';
import { requireData, scenePath } from '../../../helpers/paths.js';
import { distanceM, GDAL_TYPES, gdalinfo, rasterFixture } from './gdal-oracle.js';

interface Case {
  file: string;
  epsg: number | null;
  bands: number;
  dataType: string;
  overviews: number;
  hasMask?: boolean;
  alphaBand?: number | null;
}

const cases: Case[] = [
  { file: 'rasterio_tests_data/RGB.byte.tif', epsg: 32618, bands: 3, dataType: 'uint8', overviews: 0 },
  { file: 'titiler_tests_fixtures/TCI.tif', epsg: 32634, bands: 3, dataType: 'uint8', overviews: 5 },
  { file: 'derived/l8_B1-B7_stack_cog.tif', epsg: 32616, bands: 7, dataType: 'uint16', overviews: 2 },
  { file: 'rasterio_tests_data/cogeo.tif', epsg: 3857, bands: 3, dataType: 'uint8', overviews: 6, hasMask: true },
  { file: 'rio-tiler_tests_fixtures/cog_world.tif', epsg: 4326, bands: 1, dataType: 'uint8', overviews: 6 },
  { file: 'rio-tiler_tests_fixtures/my-bucket/pix4d/pix4d_alpha_nodata.tif', epsg: 32750, bands: 4, dataType: 'uint8', overviews: 0, alphaBand: 3 },
  { file: 'debian_r-cran-stars/L7_ETMs.tif', epsg: 31985, bands: 6, dataType: 'uint8', overviews: 4 },
  { file: 'opengeos_data/naip/m_4709963_se_14_1_20200831.tif', epsg: 26914, bands: 4, dataType: 'uint8', overviews: -1 },
];

const opened: Scene[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
});

async function open(path: string): Promise<Scene> {
  const s = await openScene(path);
  opened.push(s);
  return s;
}

/** Our footprint corners (pixel corners at ring indices 0, n, 2n, 3n) must match GDAL's wgs84Extent corners within 2 % of a pixel. */
function expectCornersMatch(scene: Scene, gdal: ReturnType<typeof gdalinfo>): void {
  const ring = scene.info.footprintWgs84!.coordinates[0];
  const n = (ring.length - 1) / 4;
  const ours = [ring[0], ring[n], ring[2 * n], ring[3 * n]];
  const theirs = gdal.wgs84Extent!.coordinates[0].slice(0, 4);
  const pixelM = scene.info.groundResolutionM!;
  // gdalinfo prints 7 decimals (~1 cm), so allow that rounding on top of 2 % of a pixel.
  const tol = 0.02 * pixelM + 0.02;
  for (const p of ours) {
    const nearest = Math.min(...theirs.map((q) => distanceM(p, q)));
    expect(nearest).toBeLessThan(tol);
  }
}

describe('openScene against gdalinfo', () => {
  for (const c of cases) {
    it(c.file, async () => {
      const path = requireData(scenePath(c.file));
      const gdal = gdalinfo(path);
      const scene = await open(path);
      const info = scene.info;
      expect([info.width, info.height]).toEqual(gdal.size);
      expect(info.bandCount).toBe(c.bands);
      expect(info.bandCount).toBe(gdal.bands.length);
      expect(info.dataType).toBe(c.dataType);
      expect(info.dataType).toBe(GDAL_TYPES[gdal.bands[0].type]);
      expect(info.crs?.epsg).toBe(c.epsg);
      expect(info.crs?.epsg).toBe(gdal.stac?.['proj:epsg']);
      expect(info.crs?.proj4).toBeTruthy();
      info.geoTransform!.forEach((v, i) => expect(v).toBeCloseTo(gdal.geoTransform![i], 6));
      expect(info.blockSize).toEqual(gdal.bands[0].block);
      // Overviews: GDAL lists them per band; ours are the same sizes, level 0 first.
      const gdalOvr = gdal.bands[0].overviews ?? [];
      if (c.overviews >= 0) expect(gdalOvr.length).toBe(c.overviews);
      expect(info.overviews.slice(1).map((o) => [o.width, o.height])).toEqual(gdalOvr.map((o) => o.size));
      // Nodata, alpha, mask.
      const nd = gdal.bands[0].noDataValue;
      expect(info.nodata).toBe(nd === undefined ? null : Number(nd));
      const gdalAlpha = gdal.bands.findIndex((b) => b.colorInterpretation === 'Alpha');
      expect(info.alphaBand).toBe(gdalAlpha < 0 ? null : gdalAlpha);
      if (c.alphaBand !== undefined) expect(info.alphaBand).toBe(c.alphaBand);
      expect(info.hasMask).toBe(gdal.bands[0].mask?.flags.includes('PER_DATASET') === true && !gdal.bands[0].mask.flags.includes('ALPHA'));
      if (c.hasMask) expect(info.hasMask).toBe(true);
      // Band descriptions and colour interpretation.
      info.bands.forEach((b, i) => {
        expect(b.description ?? '').toBe(gdal.bands[i].description ?? '');
        expect(b.colorInterp).toBe((gdal.bands[i].colorInterpretation ?? 'Undefined').toLowerCase());
      });
      const gdalCompression = gdal.metadata?.IMAGE_STRUCTURE?.COMPRESSION ?? 'NONE';
      expect(gdalCompression).toContain(info.compression);
      expect(info.fileSize).toBeGreaterThan(0);
      expectCornersMatch(scene, gdal);
      const [w, s, e, n] = info.boundsWgs84!;
      expect(w).toBeLessThan(e);
      expect(s).toBeLessThan(n);
      expect(info.warnings.filter((x) => !x.includes('nodata'))).toEqual([]);
    });
  }

  it('reports the out-of-range nodata of pix4d_alpha_nodata.tif but says it matches nothing', async () => {
    const scene = await open(requireData(scenePath('rio-tiler_tests_fixtures/my-bucket/pix4d/pix4d_alpha_nodata.tif')));
    expect(scene.info.nodata).toBe(-10000);
    expect(scene.info.warnings.join(' ')).toMatch(/-10000.*uint8/);
  });

  it('gives RGB.byte.tif a 300 m ground resolution and a densified footprint', async () => {
    const scene = await open(requireData(scenePath('rasterio_tests_data/RGB.byte.tif')));
    expect(scene.info.groundResolutionM).toBeCloseTo(300.04, 1);
    expect(scene.info.footprintWgs84!.coordinates[0].length).toBe(4 * 16 + 1);
    expect(scene.info.crs?.name).toBe('WGS 84 / UTM zone 18N');
    expect(scene.info.crs?.units).toBe('metre');
    expect(scene.info.tiled).toBe(false);
    expect(scene.info.bigTiff).toBe(false);
  });

  it('puts L7_ETMs.tif (SIRGAS 2000 / UTM 25S) in the southern hemisphere', async () => {
    const scene = await open(requireData(scenePath('debian_r-cran-stars/L7_ETMs.tif')));
    expect(scene.info.crs?.name).toBe('SIRGAS 2000 / UTM zone 25S');
    const [, s, , n] = scene.info.boundsWgs84!;
    expect(n).toBeLessThan(0);
    expect(s).toBeGreaterThan(-9);
  });

  it('reads a geographic CRS (cog_world.tif) with degree units and a metre ground resolution', async () => {
    const scene = await open(requireData(scenePath('rio-tiler_tests_fixtures/cog_world.tif')));
    expect(scene.info.crs?.isGeographic).toBe(true);
    expect(scene.info.crs?.units).toBe('degree');
    // 0.01 degree at the equator is about 1.1 km.
    expect(scene.info.groundResolutionM).toBeGreaterThan(1000);
    expect(scene.info.groundResolutionM).toBeLessThan(1200);
    expect(scene.info.boundsWgs84).toEqual([-180, -90, 180, 90]);
  });

  it('handles a rotated geotransform (ModelTransformation tag) like GDAL', async () => {
    const path = rasterFixture('rotated.tif');
    const gdal = gdalinfo(path);
    const scene = await open(path);
    const gt = scene.info.geoTransform!;
    gt.forEach((v, i) => expect(v).toBeCloseTo(gdal.geoTransform![i], 6));
    expect(Math.abs(gt[2])).toBeGreaterThan(1);
    expect(scene.info.pixelSize![0]).toBeCloseTo(300.0379, 3);
    expectCornersMatch(scene, gdal);
    // A pixel's CRS position follows the affine transform, rotation included.
    const [x, y] = scene.pixelToCrs(100, 50);
    expect(x).toBeCloseTo(gt[0] + 100 * gt[1] + 50 * gt[2], 6);
    expect(y).toBeCloseTo(gt[3] + 100 * gt[4] + 50 * gt[5], 6);
  });

  it('shifts a PixelIsPoint tiepoint by half a pixel, as GDAL does', async () => {
    const path = rasterFixture('pixel-is-point.tif');
    const gdal = gdalinfo(path);
    const scene = await open(path);
    scene.info.geoTransform!.forEach((v, i) => expect(v).toBeCloseTo(gdal.geoTransform![i], 6));
    expect(scene.info.geoTransform![0]).toBeCloseTo(101985, 6);
  });

  it('opens a file without georeferencing in pixel coordinates, with a warning', async () => {
    const scene = await open(rasterFixture('no-georef.tif'));
    expect(scene.info.geoTransform).toBeNull();
    expect(scene.info.crs).toBeNull();
    expect(scene.info.footprintWgs84).toBeNull();
    expect(scene.info.warnings.join(' ')).toMatch(/no georeferencing/);
    expect(() => scene.pixelToCrs(0, 0)).toThrow(expect.objectContaining({ code: 'E_NOT_GEOREFERENCED' }));
    const d = await scene.readWindow({ x: 0, y: 0, width: 8, height: 8 }, { bands: [0] });
    expect(d.width).toBe(8);
  });

  it('reports BigTIFF, tiling and a float32 type', async () => {
    const path = rasterFixture('bigtiff-float.tif');
    const gdal = gdalinfo(path);
    const scene = await open(path);
    expect(scene.info.bigTiff).toBe(true);
    expect(scene.info.tiled).toBe(true);
    expect(scene.info.dataType).toBe('float32');
    expect(scene.info.blockSize).toEqual(gdal.bands[0].block);
    expect(scene.info.nodata).toBe(0);
  });

  it('closes twice without error', async () => {
    const scene = await openScene(requireData(scenePath('rasterio_tests_data/RGB.byte.tif')));
    await scene.close();
    await scene.close();
    await expect(scene.readWindow({ x: 0, y: 0, width: 1, height: 1 }, { bands: [0] })).rejects.toThrow(/closed/);
  });

  it('stops when the signal has fired', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(openScene(scenePath('rasterio_tests_data/RGB.byte.tif'), { signal: ac.signal })).rejects.toMatchObject({ code: 'E_CANCELED' });
  });
});
