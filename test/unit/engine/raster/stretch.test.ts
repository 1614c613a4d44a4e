// Percentile stretch from coarse reads and conversion of window data to 8-bit RGB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBands } from '../../../../main/engine/raster/bands.js';
import { openScene } from '../../../../main/engine/raster/open-scene.js';
import { computeStretch, toRgb, type BandStretch } from '../../../../main/engine/raster/stretch.js';
import type { Scene } from '../../../../main/engine/raster/types.js';
import { requireData, scenePath } from '../../../helpers/paths.js';
import { gdalWindow } from './gdal-oracle.js';

const L8 = requireData(scenePath('derived/l8_B1-B7_stack_cog.tif'));
const RGB = requireData(scenePath('rasterio_tests_data/RGB.byte.tif'));
let l8: Scene;
let rgb: Scene;
let l8Bands: number[];
let l8Stretch: BandStretch[];

beforeAll(async () => {
  l8 = await openScene(L8);
  rgb = await openScene(RGB);
  l8Bands = resolveBands(l8.info, 'landsat8');
  l8Stretch = await computeStretch(l8, l8Bands);
});
afterAll(async () => {
  await l8.close();
  await rgb.close();
});

/** Nearest-rank percentile by sorting, an independent way to the histogram the stretch uses. */
function percentile(values: Float64Array, p: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.floor((p / 100) * (sorted.length - 1) + 0.5)];
}

describe('computeStretch', () => {
  it('is the identity for uint8', async () => {
    expect(await computeStretch(rgb, [0, 1, 2])).toEqual([
      { min: 0, max: 255 },
      { min: 0, max: 255 },
      { min: 0, max: 255 },
    ]);
  });

  it('maps the 2nd..98th percentile of uint16 bands (landsat8 preset) like percentiles of GDAL-decoded pixels', async () => {
    const bands = l8Bands;
    const st = l8Stretch;
    // 627x603 fits in 1024 px, so statistics come from full resolution (the stack has no nodata).
    const g = gdalWindow(L8, { x: 0, y: 0, width: 627, height: 603 }, bands.map((b) => b + 1));
    st.forEach((s, i) => {
      expect(s.min).toBe(percentile(g[i], 2));
      expect(s.max).toBe(percentile(g[i], 98));
      expect(s.max).toBeGreaterThan(s.min);
    });
  });

  it('uses an overview when the image is larger than maxSide, and a grid of windows when no overview fits', async () => {
    const fromOverview = await computeStretch(l8, [3], { maxSide: 400 });
    const ov = l8.info.overviews[1];
    const g = gdalWindow(L8, { x: 0, y: 0, width: ov.width, height: ov.height }, [4], { overview: 0 });
    expect(fromOverview[0]).toEqual({ min: percentile(g[0], 2), max: percentile(g[0], 98) });
    // No level is 100 px or smaller: sampled windows from the coarsest level give similar numbers.
    const sampled = await computeStretch(l8, [3], { maxSide: 100 });
    expect(Math.abs(sampled[0].min - fromOverview[0].min) / fromOverview[0].min).toBeLessThan(0.2);
    expect(Math.abs(sampled[0].max - fromOverview[0].max) / fromOverview[0].max).toBeLessThan(0.2);
  });

  it('returns one stretch per requested band, duplicates included', async () => {
    const st = await computeStretch(l8, [3, 3, 2], { maxSide: 400 });
    expect(st).toHaveLength(3);
    expect(st[0]).toEqual(st[1]);
    expect(st[0]).not.toEqual(st[2]);
  });
});

describe('toRgb', () => {
  // 64x32 goes through the per-value path, 96x64 (over 4096 pixels) through the 16-bit table.
  it.each([
    [64, 32],
    [96, 64],
  ])('turns a stretched uint16 window (%i x %i) into HWC RGB with clamping', async (w, h) => {
    const bands = l8Bands;
    const st = l8Stretch;
    const d = await l8.readWindow({ x: 100, y: 100, width: w, height: h }, { bands });
    const out = toRgb(d, st);
    expect(out.image.width).toBe(w);
    expect(out.image.height).toBe(h);
    expect(out.image.data.length).toBe(w * h * 3);
    expect(out.validFraction).toBe(1);
    const expected = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      for (let c = 0; c < 3; c++) {
        const v = d.bands[c][i];
        const { min, max } = st[c];
        expected[i * 3 + c] = v <= min ? 0 : v >= max ? 255 : Math.round((v - min) * (255 / (max - min)));
      }
    }
    expect(Buffer.from(out.image.data).equals(Buffer.from(expected))).toBe(true);
    // Some pixels land inside the stretch range, some are clipped.
    expect(new Set(out.image.data).size).toBeGreaterThan(50);
  });

  it('keeps uint8 values, blacks out invalid pixels and reports the valid fraction (RGB.byte.tif collar)', async () => {
    const d = await rgb.readWindow({ x: 0, y: 0, width: 200, height: 100 }, { bands: [0, 1, 2] });
    const out = toRgb(d, await computeStretch(rgb, [0, 1, 2]));
    let valid = 0;
    const expected = new Uint8Array(d.valid.length * 3);
    for (let i = 0; i < d.valid.length; i++) {
      valid += d.valid[i];
      for (let c = 0; c < 3; c++) expected[i * 3 + c] = d.valid[i] ? d.bands[c][i] : 0;
    }
    expect(Buffer.from(out.image.data).equals(Buffer.from(expected))).toBe(true);
    expect(out.validFraction).toBeCloseTo(valid / d.valid.length, 12);
    expect(out.validFraction).toBeGreaterThan(0);
    expect(out.validFraction).toBeLessThan(1);
    expect(Buffer.from(out.valid).equals(Buffer.from(d.valid))).toBe(true);
  });

  it('replicates a single band to gray', async () => {
    const d = await rgb.readWindow({ x: 300, y: 300, width: 8, height: 8 }, { bands: [1] });
    const out = toRgb(d, [{ min: 0, max: 255 }]);
    for (let i = 0; i < 64; i++) expect([out.image.data[i * 3], out.image.data[i * 3 + 1], out.image.data[i * 3 + 2]]).toEqual([d.bands[0][i], d.bands[0][i], d.bands[0][i]]);
  });
});

describe('palette images', () => {
  it('read their colour table and show (and embed) their colours exactly as GDAL expands them', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { rasterFixture, gdalinfo } = await import('./gdal-oracle.js');
    const path = rasterFixture('palette.tif');
    const scene = await openScene(path);
    try {
      const table = (gdalinfo(path).bands[0] as unknown as { colorTable: { entries: number[][] } }).colorTable.entries;
      expect(scene.info.bands[0].colorInterp).toBe('palette');
      expect(scene.info.palette).toEqual(table.map((e) => e.slice(0, 3)));
      const bands = resolveBands(scene.info, 'rgb');
      const stretch = await computeStretch(scene, bands);
      const win = { x: 200, y: 150, width: 180, height: 120 };
      const rgbOut = toRgb(await scene.readWindow(win, { bands }), stretch).image.data;
      const dir = mkdtempSync(join(tmpdir(), 'geosift-palette-'));
      try {
        const raw = join(dir, 'w.raw');
        execFileSync('gdal_translate', ['-q', '--config', 'GDAL_PAM_ENABLED', 'NO', '-expand', 'rgb', '-of', 'ENVI', '-co', 'INTERLEAVE=BIP', '-srcwin', String(win.x), String(win.y), String(win.width), String(win.height), path, raw]);
        const gdalRgb = readFileSync(raw);
        expect(gdalRgb.length).toBe(rgbOut.length);
        let diff = 0;
        for (let i = 0; i < rgbOut.length; i++) diff += rgbOut[i] !== gdalRgb[i] ? 1 : 0;
        expect(diff).toBe(0);
        // and it is in colour, not grey
        let coloured = 0;
        for (let i = 0; i < rgbOut.length; i += 3) coloured += rgbOut[i] !== rgbOut[i + 1] || rgbOut[i + 1] !== rgbOut[i + 2] ? 1 : 0;
        expect(coloured).toBeGreaterThan(win.width * win.height * 0.3);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      // A single band picked by number is the palette band too; an explicit grey stretch is still possible on non-palette data.
      expect((await computeStretch(scene, resolveBands(scene.info, '1')))[0].palette).toBeDefined();
    } finally {
      await scene.close();
    }
  });
});
