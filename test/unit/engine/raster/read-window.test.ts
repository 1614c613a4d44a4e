// readWindow pixel values, overview levels, edges and validity masks, compared with windows GDAL decodes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openScene } from '../../../../main/engine/raster/open-scene.js';
import type { Scene } from '../../../../main/engine/raster/types.js';
import { requireData, scenePath } from '../../../helpers/paths.js';
import { gdalWindow, rasterFixture } from './gdal-oracle.js';

const RGB = requireData(scenePath('rasterio_tests_data/RGB.byte.tif'));
const L8 = requireData(scenePath('derived/l8_B1-B7_stack_cog.tif'));
const COGEO = requireData(scenePath('rasterio_tests_data/cogeo.tif'));
const PIX4D = requireData(scenePath('rio-tiler_tests_fixtures/my-bucket/pix4d/pix4d_alpha_nodata.tif'));

const scenes: Record<string, Scene> = {};
beforeAll(async () => {
  for (const [k, p] of Object.entries({ RGB, L8, COGEO, PIX4D })) scenes[k] = await openScene(p);
});
afterAll(async () => {
  for (const s of Object.values(scenes)) await s.close();
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('readWindow', () => {
  it('returns the same pixels as GDAL at full resolution (RGB.byte.tif, strips)', async () => {
    const win = { x: 300, y: 250, width: 40, height: 24 };
    const d = await scenes.RGB.readWindow(win, { bands: [2, 0] });
    const g = gdalWindow(RGB, win, [3, 1]);
    expect([d.width, d.height]).toEqual([40, 24]);
    expect(d.bands[0]).toBeInstanceOf(Uint8Array);
    expect(maxAbsDiff(d.bands[0], g[0])).toBe(0);
    expect(maxAbsDiff(d.bands[1], g[1])).toBe(0);
  });

  it('reads an overview at its own resolution, matching GDAL (l8 stack, uint16, level 1)', async () => {
    const level = scenes.L8.info.overviews[1];
    // A full-resolution window of 200x100 starting at (100, 60) covers overview pixels 49..150 x 29..80 (rounded outward).
    const d = await scenes.L8.readWindow({ x: 100, y: 60, width: 200, height: 100 }, { bands: [3, 2, 1], level: 1 });
    const x0 = Math.floor(100 / level.scaleX);
    const y0 = Math.floor(60 / level.scaleY);
    const x1 = Math.ceil(300 / level.scaleX);
    const y1 = Math.ceil(160 / level.scaleY);
    expect([d.width, d.height]).toEqual([x1 - x0, y1 - y0]);
    expect(d.bands[0]).toBeInstanceOf(Uint16Array);
    const g = gdalWindow(L8, { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, [4, 3, 2], { overview: 0 });
    g.forEach((band, i) => expect(maxAbsDiff(d.bands[i], band)).toBe(0));
  });

  it('converts JPEG YCbCr to RGB close to GDAL and reads its (all-valid) internal mask (cogeo.tif)', async () => {
    const win = { x: 480, y: 480, width: 64, height: 48 };
    const d = await scenes.COGEO.readWindow(win, { bands: [0, 1, 2] });
    const g = gdalWindow(COGEO, win, [1, 2, 3, 'mask']);
    // libjpeg upsamples chroma differently from geotiff.js; a few grey levels apart at most.
    for (let b = 0; b < 3; b++) expect(maxAbsDiff(d.bands[b], g[b])).toBeLessThanOrEqual(12);
    let mean = 0;
    for (let i = 0; i < d.bands[0].length; i++) mean += Math.abs(d.bands[0][i] - g[0][i]);
    expect(mean / d.bands[0].length).toBeLessThan(2);
    expect(Array.from(d.valid)).toEqual(Array.from(g[3], (v) => (v > 0 ? 1 : 0)));
  });

  it('reads an internal mask at full resolution and on overviews like GDAL (internal-mask.tif)', async () => {
    const path = rasterFixture('internal-mask.tif');
    const scene = await openScene(path);
    try {
      expect(scene.info.hasMask).toBe(true);
      expect(scene.info.nodata).toBeNull();
      // The mask IFDs are not overviews.
      expect(scene.info.overviews.map((o) => [o.width, o.height])).toEqual([
        [791, 718],
        [396, 359],
        [198, 180],
      ]);
      const full = await scene.readWindow({ x: 0, y: 0, width: 200, height: 160 }, { bands: [0] });
      const g0 = gdalWindow(path, { x: 0, y: 0, width: 200, height: 160 }, ['mask']);
      expect(Array.from(full.valid)).toEqual(Array.from(g0[0], (v) => (v > 0 ? 1 : 0)));
      expect(full.valid.includes(0) && full.valid.includes(1)).toBe(true);
      const ovr = await scene.readWindow({ x: 0, y: 0, width: 791, height: 718 }, { bands: [0], level: 2 });
      expect([ovr.width, ovr.height]).toEqual([198, 180]);
      const g2 = gdalWindow(path, { x: 0, y: 0, width: 198, height: 180 }, ['mask'], { overview: 1 });
      expect(Array.from(ovr.valid)).toEqual(Array.from(g2[0], (v) => (v > 0 ? 1 : 0)));
      expect(ovr.valid.includes(0)).toBe(true);
    } finally {
      await scene.close();
    }
  });

  it('uses external .ovr overviews like GDAL (rio-tiler hro_sources, strips + .ovr)', async () => {
    const path = requireData(scenePath('rio-tiler_tests_fixtures/my-bucket/hro_sources/colorado/201404_13SED190110_201404_0x1500m_CL_1.tif'));
    const scene = await openScene(path);
    try {
      expect(scene.info.overviews.map((o) => [o.width, o.height])).toEqual([
        [383, 232],
        [192, 116],
        [96, 58],
        [48, 29],
      ]);
      const d = await scene.readWindow({ x: 0, y: 0, width: 383, height: 232 }, { bands: [0, 1, 2], level: 2 });
      expect([d.width, d.height]).toEqual([96, 58]);
      const g = gdalWindow(path, { x: 0, y: 0, width: 96, height: 58 }, [1, 2, 3], { overview: 1 });
      g.forEach((band, i) => expect(maxAbsDiff(d.bands[i], band)).toBe(0));
    } finally {
      await scene.close();
    }
  });

  it('treats pixels where all requested bands equal nodata as invalid (RGB.byte.tif collar)', async () => {
    const win = { x: 0, y: 0, width: 300, height: 200 };
    const d = await scenes.RGB.readWindow(win, { bands: [0, 1, 2] });
    const g = gdalWindow(RGB, win, [1, 2, 3]);
    const expected = g[0].map((_, i) => (g[0][i] === 0 && g[1][i] === 0 && g[2][i] === 0 ? 0 : 1));
    expect(Array.from(d.valid)).toEqual(Array.from(expected));
    expect(d.valid.includes(0)).toBe(true);
    expect(d.valid.includes(1)).toBe(true);
  });

  it('uses alpha 0 as invalid and ignores the out-of-range nodata -10000 (pix4d_alpha_nodata.tif)', async () => {
    const win = { x: 0, y: 0, width: 200, height: 120 };
    const d = await scenes.PIX4D.readWindow(win, { bands: [0, 1, 2] });
    const g = gdalWindow(PIX4D, win, [4]);
    expect(Array.from(d.valid)).toEqual(Array.from(g[0], (v) => (v === 0 ? 0 : 1)));
    expect(d.valid.includes(0)).toBe(true);
  });

  it('applies a float nodata value (bigtiff-float.tif)', async () => {
    const path = rasterFixture('bigtiff-float.tif');
    const scene = await openScene(path);
    try {
      const d = await scene.readWindow({ x: 0, y: 0, width: 100, height: 100 }, { bands: [0] });
      expect(d.bands[0]).toBeInstanceOf(Float32Array);
      const g = gdalWindow(path, { x: 0, y: 0, width: 100, height: 100 }, [1]);
      expect(maxAbsDiff(d.bands[0], g[0])).toBe(0);
      expect(Array.from(d.valid)).toEqual(Array.from(g[0], (v) => (v === 0 ? 0 : 1)));
    } finally {
      await scene.close();
    }
  });

  it('returns invalid zeros outside the image edges', async () => {
    const d = await scenes.RGB.readWindow({ x: -10, y: 700, width: 30, height: 30 }, { bands: [0] });
    expect([d.width, d.height]).toEqual([30, 30]);
    const g = gdalWindow(RGB, { x: 0, y: 700, width: 20, height: 18 }, [1]);
    for (let r = 0; r < 30; r++) {
      for (let c = 0; c < 30; c++) {
        const i = r * 30 + c;
        const inside = c >= 10 && r < 18;
        if (!inside) {
          expect(d.valid[i]).toBe(0);
          expect(d.bands[0][i]).toBe(0);
        } else expect(d.bands[0][i]).toBe(g[0][(r * 20) + c - 10]);
      }
    }
    const far = await scenes.RGB.readWindow({ x: 5000, y: 5000, width: 4, height: 4 }, { bands: [0] });
    expect(Array.from(far.valid)).toEqual(new Array(16).fill(0));
  });

  it('rejects bands that do not exist, levels that do not exist and empty windows', async () => {
    await expect(scenes.RGB.readWindow({ x: 0, y: 0, width: 4, height: 4 }, { bands: [3] })).rejects.toMatchObject({
      code: 'E_BAD_BANDS',
      message: expect.stringMatching(/Band 4 does not exist/),
    });
    await expect(scenes.RGB.readWindow({ x: 0, y: 0, width: 4, height: 4 }, { bands: [0], level: 1 })).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT' });
    await expect(scenes.RGB.readWindow({ x: 0, y: 0, width: 0, height: 4 }, { bands: [0] })).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT' });
  });

  it('stops when the signal has fired', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(scenes.L8.readWindow({ x: 0, y: 0, width: 64, height: 64 }, { bands: [0], signal: ac.signal })).rejects.toMatchObject({ code: 'E_CANCELED' });
  });
});
