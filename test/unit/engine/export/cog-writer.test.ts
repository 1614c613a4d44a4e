// The COG writer checked by GDAL (size, CRS, geotransform, colours, overviews, nodata, pixels) and by reading the layout ourselves.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { downsample2, writeCog } from '../../../../main/engine/export/cog-writer.js';
import { gdalinfoJson } from '../../../helpers/gdal.js';

const dir = process.env.KEEP_DIR ?? mkdtempSync(join(tmpdir(), 'cog-'));
afterAll(() => { if (!process.env.KEEP_DIR) rmSync(dir, { recursive: true, force: true }); });

/** Reads every IFD of a little-endian classic TIFF: tag -> values, and where the IFD sits. */
export function readIfds(buf: Uint8Array): { offset: number; end: number; tags: Map<number, number[]> }[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const size = { 1: 1, 2: 1, 3: 2, 4: 4, 12: 8 } as Record<number, number>;
  const out = [];
  let off = dv.getUint32(4, true);
  while (off) {
    const n = dv.getUint16(off, true);
    const tags = new Map<number, number[]>();
    let end = off + 2 + n * 12 + 4;
    for (let i = 0; i < n; i++) {
      const e = off + 2 + i * 12;
      const id = dv.getUint16(e, true), type = dv.getUint16(e + 2, true), count = dv.getUint32(e + 4, true);
      const bytes = size[type] * count;
      const at = bytes > 4 ? dv.getUint32(e + 8, true) : e + 8;
      if (bytes > 4) end = Math.max(end, at + bytes);
      const vals: number[] = [];
      for (let k = 0; k < count; k++) {
        vals.push(type === 3 ? dv.getUint16(at + 2 * k, true) : type === 4 ? dv.getUint32(at + 4 * k, true) : type === 12 ? dv.getFloat64(at + 8 * k, true) : dv.getUint8(at + k));
      }
      tags.set(id, vals);
    }
    out.push({ offset: off, end, tags });
    off = dv.getUint32(off + 2 + n * 12, true);
  }
  return out;
}

function checkerboard(w: number, h: number): Uint8Array {
  const d = new Uint8Array(w * h);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) d[r * w + c] = c < 7 ? 255 : 1 + (((r >> 4) + (c >> 4)) % 3);
  return d;
}

describe('writeCog', () => {
  const w = 700, h = 300;
  const data = checkerboard(w, h);
  const file = join(dir, 'utm.tif');
  const bytes = writeCog({
    width: w, height: h, data, nodata: 255,
    colorMap: [[200, 200, 200], [255, 0, 0], [0, 128, 0], [0, 0, 255]],
    geoTransform: [500000, 30, 0, 4100000, 0, -30],
    crs: { epsg: 32611, isGeographic: false },
    metadata: { CLASS_1: 'red|Red <1>|#ff0000', NOTE: 'água & 水', AMP: 'a & b', CJK: '水 x', PT: 'água' },
    bandDescription: 'class',
  });
  writeFileSync(file, bytes);

  it('is read by GDAL with its size, CRS, geotransform, colour table, nodata, metadata and overviews', () => {
    const info = gdalinfoJson(file);
    expect(info.size).toEqual([w, h]);
    expect(info.coordinateSystem.wkt).toContain('ID["EPSG",32611]');
    expect(info.geoTransform).toEqual([500000, 30, 0, 4100000, 0, -30]);
    const b = info.bands[0];
    expect(b.type).toBe('Byte');
    expect(b.block).toEqual([256, 256]);
    expect(b.colorInterpretation).toBe('Palette');
    expect(b.noDataValue).toBe(255);
    expect(b.description).toBe('class');
    expect(b.colorTable.count).toBe(256);
    expect(b.colorTable.entries.slice(0, 4)).toEqual([[200, 200, 200, 255], [255, 0, 0, 255], [0, 128, 0, 255], [0, 0, 255, 255]]);
    expect(b.overviews.map((o: { size: number[] }) => o.size)).toEqual([[350, 150], [175, 75]]);
    expect(info.metadata['']).toMatchObject({ CLASS_1: 'red|Red <1>|#ff0000', NOTE: 'água & 水', AMP: 'a & b', CJK: '水 x', PT: 'água' });
    expect(info.metadata.IMAGE_STRUCTURE).toMatchObject({ COMPRESSION: 'DEFLATE', LAYOUT: 'COG' });
  });

  it('holds the same pixels GDAL reads back, in full resolution and in the mode overview', () => {
    const out = join(dir, 'px.raw');
    execFileSync('gdal_translate', ['-q', '-of', 'ENVI', file, out]);
    expect(Buffer.from(readFileSync(out)).equals(Buffer.from(data))).toBe(true);
    execFileSync('gdal_translate', ['-q', '-of', 'ENVI', '-ovr', '0', file, out]);
    expect(Buffer.from(readFileSync(out)).equals(Buffer.from(downsample2(data, w, h, 255, 'mode').data))).toBe(true);
  });

  it('lays out IFDs first, then tiles from the smallest overview to full resolution, row-major, with size leaders and trailers', () => {
    const ifds = readIfds(bytes);
    expect(ifds).toHaveLength(3);
    expect(new TextDecoder().decode(bytes.subarray(8, 51))).toBe('GDAL_STRUCTURAL_METADATA_SIZE=000140 bytes\n');
    const lastIfdByte = Math.max(...ifds.map((i) => i.end));
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    let previousEnd = lastIfdByte;
    for (const ifd of [...ifds].reverse()) {
      const offsets = ifd.tags.get(324)!, counts = ifd.tags.get(325)!;
      expect(ifd.tags.get(254)).toEqual([ifd === ifds[0] ? 0 : 1]);
      for (let k = 0; k < offsets.length; k++) {
        expect(offsets[k]).toBeGreaterThanOrEqual(previousEnd + 4);
        expect(dv.getUint32(offsets[k] - 4, true)).toBe(counts[k]);
        expect(dv.getUint32(offsets[k] + counts[k], true)).toBe(dv.getUint32(offsets[k] + counts[k] - 4, true));
        previousEnd = offsets[k] + counts[k] + 4;
      }
    }
    expect(previousEnd).toBe(bytes.length);
  });

  it('writes a rotated geotransform as ModelTransformation and a geographic CRS as EPSG:4326', () => {
    const f = join(dir, 'rot.tif');
    writeFileSync(f, writeCog({ width: 20, height: 10, data: new Uint8Array(200).fill(1), geoTransform: [10, 0.01, 0.002, 50, 0.001, -0.01], crs: { epsg: 4326, isGeographic: true } }));
    const info = gdalinfoJson(f);
    expect(info.geoTransform.map((v: number) => Number(v.toPrecision(12)))).toEqual([10, 0.01, 0.002, 50, 0.001, -0.01]);
    expect(info.coordinateSystem.wkt).toContain('ID["EPSG",4326]');
    expect(info.bands[0].colorInterpretation).toBe('Gray');
    expect(info.bands[0].overviews ?? []).toEqual([]);
  });

  it('refuses a CRS without an EPSG code, naming it', () => {
    expect(() => writeCog({ width: 2, height: 2, data: new Uint8Array(4), geoTransform: [0, 1, 0, 0, 0, -1], crs: { epsg: null, isGeographic: false, name: 'GEOS satellite view' } }))
      .toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED_CRS', message: expect.stringContaining('GEOS satellite view') }));
  });

  it('takes the most frequent valid value of each 2 x 2 block for overviews', () => {
    const src = Uint8Array.from([1, 2, 3, 255, 2, 2, 255, 255, 9, 9, 9, 9]);
    expect(Array.from(downsample2(src, 4, 3, 255, 'mode').data)).toEqual([2, 3, 9, 9]);
    expect(Array.from(downsample2(Uint8Array.from([4, 5, 5, 4]), 2, 2, 255, 'mode').data)).toEqual([4]);
  });
});
