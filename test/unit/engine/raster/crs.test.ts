// CRS from geokeys (EPSG, user-defined, feet, PROJ-string-only) checked against gdaltransform.
import { describe, expect, it } from 'vitest';
import { createCrsTransformer, crsFromGeoKeys } from '../../../../main/engine/raster/crs.js';
import { openScene } from '../../../../main/engine/raster/open-scene.js';
import { requireData, scenePath } from '../../../helpers/paths.js';
import { distanceM, gdalPixelToWgs84, gdalTransform } from './gdal-oracle.js';

describe('crsFromGeoKeys', () => {
  it('returns null without geokeys', () => {
    expect(crsFromGeoKeys(null)).toBeNull();
    expect(crsFromGeoKeys({})).toBeNull();
  });

  it('reprojects a US-survey-foot state plane CRS (EPSG:2227) like GDAL', () => {
    const crs = crsFromGeoKeys({ GTModelTypeGeoKey: 1, GTRasterTypeGeoKey: 1, ProjectedCSTypeGeoKey: 2227 })!;
    expect(crs.epsg).toBe(2227);
    expect(crs.units).toBe('us-survey-foot');
    const t = createCrsTransformer(crs);
    const pts: [number, number][] = [
      [6000000, 2000000],
      [6100000, 2100000],
    ];
    const expected = gdalTransform('EPSG:2227', 'OGC:CRS84', pts);
    pts.forEach((p, i) => expect(distanceM(t.toWgs84(p[0], p[1]), expected[i])).toBeLessThan(0.01));
    // And back again.
    const back = t.fromWgs84(...expected[0]);
    expect(back[0]).toBeCloseTo(pts[0][0], 2);
    expect(back[1]).toBeCloseTo(pts[0][1], 2);
  });

  it('builds a user-defined transverse Mercator from its geokeys (same as UTM 18N)', () => {
    const crs = crsFromGeoKeys({
      GTModelTypeGeoKey: 1,
      GTRasterTypeGeoKey: 1,
      ProjectedCSTypeGeoKey: 32767,
      GeographicTypeGeoKey: 4326,
      ProjCoordTransGeoKey: 1,
      ProjNatOriginLongGeoKey: -75,
      ProjNatOriginLatGeoKey: 0,
      ProjScaleAtNatOriginGeoKey: 0.9996,
      ProjFalseEastingGeoKey: 500000,
      ProjFalseNorthingGeoKey: 0,
      ProjLinearUnitsGeoKey: 9001,
    })!;
    expect(crs.epsg).toBeNull();
    expect(crs.proj4).toContain('+proj=tmerc');
    expect(crs.units).toBe('metre');
    const pts: [number, number][] = [
      [101985, 2826915],
      [339315, 2611485],
    ];
    const expected = gdalTransform('EPSG:32618', 'OGC:CRS84', pts);
    const t = createCrsTransformer(crs);
    pts.forEach((p, i) => expect(distanceM(t.toWgs84(p[0], p[1]), expected[i])).toBeLessThan(0.01));
  });

  it('keeps longitude first for geographic CRSs whose EPSG axis order is lat/lon (EPSG:4269)', () => {
    const crs = crsFromGeoKeys({ GTModelTypeGeoKey: 2, GTRasterTypeGeoKey: 1, GeographicTypeGeoKey: 4269 })!;
    expect(crs.isGeographic).toBe(true);
    expect(crs.units).toBe('degree');
    const [lon, lat] = createCrsTransformer(crs).toWgs84(-100, 40);
    expect(lon).toBeCloseTo(-100, 3);
    expect(lat).toBeCloseTo(40, 3);
  });

  it('refuses a user-defined projected CRS without method or PROJ string, with a reason', () => {
    const crs = crsFromGeoKeys({ GTModelTypeGeoKey: 1, GTRasterTypeGeoKey: 1, ProjectedCSTypeGeoKey: 32767, GTCitationGeoKey: 'my local grid' })!;
    expect(crs.proj4).toBeNull();
    expect(crs.reason).toMatch(/user-defined/);
    expect(() => createCrsTransformer(crs)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED_CRS' }));
  });
});

describe('goes.tif (geostationary, PROJ string only)', () => {
  const path = requireData(scenePath('rasterio_tests_data/goes.tif'));

  it('takes the PROJ string from the citation and has no EPSG code', async () => {
    const scene = await openScene(path);
    try {
      const crs = scene.info.crs!;
      expect(crs.epsg).toBeNull();
      expect(crs.proj4).toContain('+proj=geos');
      expect(crs.proj4).toContain('+h=35786023');
      expect(crs.wkt).toMatch(/^PROJCS\[/);
      expect(crs.name).toBe('Geostationary Satellite (user-defined)');
      expect(crs.isGeographic).toBe(false);
      // Pixels inside the disk agree with GDAL.
      const pts: [number, number][] = [
        [271, 271],
        [100, 200],
        [400, 350],
      ];
      const expected = gdalPixelToWgs84(path, pts);
      pts.forEach((p, i) => expect(distanceM(scene.pixelToWgs84(p[0], p[1]), expected[i])).toBeLessThan(1));
      // Full-disk corners are outside the projection domain for GDAL and for us.
      expect(gdalPixelToWgs84(path, [[0, 0]])[0].every(Number.isNaN)).toBe(true);
      expect(scene.pixelToWgs84(0, 0).every(Number.isNaN)).toBe(true);
    } finally {
      await scene.close();
    }
  });

  it('builds its footprint from points inside the projection domain', async () => {
    const scene = await openScene(path);
    try {
      const ring = scene.info.footprintWgs84!.coordinates[0];
      expect(ring.length).toBeGreaterThan(64);
      const t = createCrsTransformer(scene.info.crs!);
      const gt = scene.info.geoTransform!;
      for (const [lon, lat] of ring) {
        expect(Number.isFinite(lon) && Number.isFinite(lat)).toBe(true);
        // Back in pixels, every footprint point lies within the image (the limb or the image edge).
        const [x, y] = t.fromWgs84(lon, lat);
        const col = (x - gt[0]) / gt[1];
        const row = (y - gt[3]) / gt[5];
        expect(col).toBeGreaterThan(-0.01);
        expect(col).toBeLessThan(542.01);
        expect(row).toBeGreaterThan(-0.01);
        expect(row).toBeLessThan(542.01);
      }
      // The visible disk of a satellite at 75 W spans about 81 degrees either side.
      const [w, s, e, n] = scene.info.boundsWgs84!;
      expect(w).toBeGreaterThan(-75 - 82);
      expect(e).toBeLessThan(-75 + 82);
      expect(s).toBeGreaterThan(-82);
      expect(n).toBeLessThan(82);
      expect(n - s).toBeGreaterThan(150);
    } finally {
      await scene.close();
    }
  });
});
