// The block reader (readWindow's hot path): native JPEG, bounded ZSTD, the fused RGB predictor/deinterleave, coalesced
// reads, against GDAL on COGs made from a real scene, and its errors on corrupt blocks.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { afterAll, describe, expect, it } from 'vitest';
import { blockCacheStats, decodeJpegBlock, decodeZstdBounded, placeRgb8, setBlockCacheBytes } from '../../../../main/engine/raster/block-reader.js';
import { decodeWebp, webpSize } from '../../../../main/engine/raster/block-codecs.js';
import { openScene } from '../../../../main/engine/raster/open-scene.js';
import { isEngineError } from '../../../../shared/protocol/errors.js';
import { requireData, scenePath } from '../../../helpers/paths.js';
import { fillFirstTile, firstTileBytes, gdalWindow } from './gdal-oracle.js';

const TCI = requireData(scenePath('titiler_tests_fixtures/TCI.tif'));
const dir = mkdtempSync(join(tmpdir(), 'geosift-block-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cog(name: string, co: string[], extra: string[] = []): string {
  const out = join(dir, name);
  const args = ['-q', '--config', 'GDAL_PAM_ENABLED', 'NO', '-srcwin', '300', '200', '410', '330', ...extra, '-of', 'COG', '-co', 'BLOCKSIZE=128', '-co', 'OVERVIEWS=AUTO'];
  for (const c of co) args.push('-co', c);
  execFileSync('gdal_translate', [...args, TCI, out], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

/** A Deflate COG whose first tile keeps its first third and is zeroed after it (a truncated block). */
async function truncatedDeflateCog(name: string): Promise<string> {
  const path = cog(name, ['COMPRESS=DEFLATE', 'PREDICTOR=2']);
  await fillFirstTile(path, (count) => Math.floor(count / 3), 0);
  return path;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// Windows across block edges, unaligned to 4 px (the word paths' fallbacks), and the image's partial edge blocks.
const WINDOWS = [
  { x: 61, y: 70, width: 151, height: 139 },
  { x: 128, y: 128, width: 256, height: 128 },
  { x: 250, y: 190, width: 160, height: 140 },
];

function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m += Math.abs(a[i] - b[i]);
  return m / a.length;
}

/** `tolerance`: largest difference allowed per pixel; `meanTolerance`: largest mean difference. */
async function expectLikeGdal(path: string, bands: number[], tolerance: number, meanTolerance = 0): Promise<void> {
  const scene = await openScene(path);
  try {
    for (const win of WINDOWS) {
      const d = await scene.readWindow(win, { bands });
      const g = gdalWindow(path, win, bands.map((b) => b + 1));
      bands.forEach((_, i) => expect(maxAbsDiff(d.bands[i], g[i]), `${path} ${JSON.stringify(win)} band ${i}`).toBeLessThanOrEqual(tolerance));
      bands.forEach((_, i) => expect(meanAbsDiff(d.bands[i], g[i]), `${path} ${JSON.stringify(win)} band ${i} mean`).toBeLessThanOrEqual(meanTolerance));
    }
    const ov = scene.info.overviews[1];
    const d = await scene.readWindow({ x: 0, y: 0, width: ov.width * ov.scaleX, height: ov.height * ov.scaleY }, { bands, level: 1 });
    const g = gdalWindow(path, { x: 0, y: 0, width: ov.width, height: ov.height }, bands.map((b) => b + 1), { overview: 0 });
    bands.forEach((_, i) => expect(maxAbsDiff(d.bands[i], g[i]), `${path} overview band ${i}`).toBeLessThanOrEqual(tolerance));
    bands.forEach((_, i) => expect(meanAbsDiff(d.bands[i], g[i]), `${path} overview band ${i} mean`).toBeLessThanOrEqual(meanTolerance));
  } finally {
    await scene.close();
  }
}

describe('block reader against GDAL', () => {
  // GDAL's JPEG decoder (libtiff + its libjpeg) and libjpeg-turbo round the IDCT and the chroma upsampling slightly
  // differently: a few grey levels at most, under one on average (geotiff.js's decoder was up to 12 apart).
  it('JPEG YCbCr (GDAL default for 3 bands): RGB close to GDAL', async () => {
    await expectLikeGdal(cog('jpeg-ycbcr.tif', ['COMPRESS=JPEG']), [0, 1, 2], 6, 1.2);
  });
  it('JPEG with RGB photometric (GTiff driver)', async () => {
    const path = join(dir, 'jpeg-rgb.tif');
    execFileSync('gdal_translate', ['-q', '-srcwin', '300', '200', '410', '330', '-co', 'TILED=YES', '-co', 'COMPRESS=JPEG', '-co', 'PHOTOMETRIC=RGB', TCI, path]);
    execFileSync('gdaladdo', ['-q', path, '2']);
    await expectLikeGdal(path, [0, 1, 2], 6, 1.2);
  });
  it('JPEG, one grey band', async () => {
    await expectLikeGdal(cog('jpeg-grey.tif', ['COMPRESS=JPEG'], ['-b', '2']), [0], 4, 0.5);
  });
  it('JPEG YCbCr, bands out of order', async () => {
    await expectLikeGdal(cog('jpeg-ycbcr-2.tif', ['COMPRESS=JPEG']), [2, 0], 6, 1.2);
  });

  const exact: [string, string[], number[], string[]?][] = [
    ['ZSTD + predictor', ['COMPRESS=ZSTD', 'PREDICTOR=2'], [0, 1, 2]],
    ['Deflate + predictor, 2 bands', ['COMPRESS=DEFLATE', 'PREDICTOR=2'], [1, 2]],
    ['LZW + predictor', ['COMPRESS=LZW', 'PREDICTOR=2'], [0, 1, 2]],
    ['PackBits', ['COMPRESS=PACKBITS'], [0, 1, 2]],
    ['uncompressed + predictor', ['COMPRESS=NONE', 'PREDICTOR=2'], [0, 1, 2]],
    ['Deflate + predictor on uint16', ['COMPRESS=DEFLATE', 'PREDICTOR=2'], [0, 2], ['-ot', 'UInt16', '-scale', '0', '255', '0', '65000']],
    ['ZSTD, band interleaved', ['COMPRESS=ZSTD', 'INTERLEAVE=BAND', 'PREDICTOR=2'], [2, 1]],
  ];
  for (const [name, co, bands, extra] of exact) {
    it(`${name}: identical to GDAL`, async () => {
      await expectLikeGdal(cog(`${name.replace(/\W+/g, '-')}.tif`, co, extra), bands, 0);
    });
  }

  // WebP (geotiff.js has no decoder for it in Node): libwebp in WebAssembly against GDAL's libwebp. VP8 decoding is
  // exact by its specification, so lossy tiles match too.
  it('WebP, lossy (GDAL default quality 75): identical to GDAL', async () => {
    await expectLikeGdal(cog('webp-lossy.tif', ['COMPRESS=WEBP']), [0, 1, 2], 0);
  });
  it('WebP, lossless (QUALITY=100), bands out of order: identical to GDAL', async () => {
    await expectLikeGdal(cog('webp-lossless.tif', ['COMPRESS=WEBP', 'QUALITY=100']), [2, 0, 1], 0);
  });
  it('WebP with an alpha band: RGB identical to GDAL, alpha 0 is nodata', async () => {
    const path = cog('webp-rgba.tif', ['COMPRESS=WEBP'], ['-b', '1', '-b', '2', '-b', '3', '-b', '1', '-colorinterp', 'red,green,blue,alpha']);
    await expectLikeGdal(path, [0, 1, 2], 0);
    const scene = await openScene(path);
    try {
      const win = { x: 0, y: 0, width: 410, height: 330 };
      const d = await scene.readWindow(win, { bands: [0, 1, 2] });
      const alpha = gdalWindow(path, win, [4])[0];
      let transparent = 0;
      for (let i = 0; i < alpha.length; i++) {
        transparent += alpha[i] === 0 ? 1 : 0;
        if (d.valid[i] !== (alpha[i] > 0 ? 1 : 0)) expect(`pixel ${i}: valid ${d.valid[i]}, alpha ${alpha[i]}`).toBe('valid where alpha > 0');
      }
      expect(transparent).toBeGreaterThan(0);
    } finally {
      await scene.close();
    }
  });

  it('strips (GTiff, not tiled), Deflate + predictor: identical to GDAL', async () => {
    const path = join(dir, 'strips.tif');
    execFileSync('gdal_translate', ['-q', '-srcwin', '300', '200', '410', '330', '-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=2', '-co', 'BLOCKYSIZE=37', TCI, path]);
    execFileSync('gdaladdo', ['-q', path, '2']);
    await expectLikeGdal(path, [0, 1, 2], 0);
  });
});

describe('block cache', () => {
  // Windows that share blocks (128 px blocks): every block of the second and third is already decoded.
  const OVERLAPPING = [
    { x: 0, y: 0, width: 200, height: 200 },
    { x: 50, y: 60, width: 100, height: 90 },
    { x: 10, y: 130, width: 190, height: 60 },
    { x: 50, y: 60, width: 100, height: 90 },
  ];

  async function readAll(path: string, bands: number[]): Promise<ArrayLike<number>[][]> {
    const scene = await openScene(path);
    try {
      const out = [];
      for (const win of OVERLAPPING) out.push((await scene.readWindow(win, { bands })).bands);
      return out;
    } finally {
      await scene.close();
    }
  }

  for (const [name, co, bands] of [
    ['Deflate + predictor, RGB', ['COMPRESS=DEFLATE', 'PREDICTOR=2'], [0, 1, 2]],
    ['Deflate + predictor, one band of three (predictor undone on a copy)', ['COMPRESS=DEFLATE', 'PREDICTOR=2'], [1]],
    ['LZW + predictor, bands 2 and 0', ['COMPRESS=LZW', 'PREDICTOR=2'], [2, 0]],
    ['JPEG', ['COMPRESS=JPEG'], [0, 1, 2]],
  ] as [string, string[], number[]][]) {
    it(`${name}: reads through the cache equal cold reads, and GDAL`, async () => {
      const path = cog(`cache-${name.replace(/\W+/g, '-')}.tif`, co);
      const before = setBlockCacheBytes(0);
      let cold: ArrayLike<number>[][];
      try {
        cold = await readAll(path, bands);
      } finally {
        setBlockCacheBytes(before);
      }
      const warm = await readAll(path, bands);
      warm.forEach((w, i) => w.forEach((band, k) => expect(maxAbsDiff(band, cold[i][k]), `window ${i} band ${k}`).toBe(0)));
      if (!co.includes('COMPRESS=JPEG')) {
        const g = gdalWindow(path, OVERLAPPING[3], bands.map((b) => b + 1));
        bands.forEach((_, k) => expect(maxAbsDiff(warm[3][k], g[k])).toBe(0));
      }
    });
  }

  it('keeps decoded blocks while the scene is open, within its budget, and drops them on close', async () => {
    const path = cog('cache-budget.tif', ['COMPRESS=DEFLATE', 'PREDICTOR=2']);
    const base = blockCacheStats();
    const scene = await openScene(path);
    try {
      await scene.readWindow(OVERLAPPING[0], { bands: [0, 1, 2] });
      const held = blockCacheStats();
      // 200x200 px over 128 px blocks: 4 blocks of 128x128x3 bytes.
      expect(held.blocks - base.blocks).toBe(4);
      expect(held.bytes - base.bytes).toBe(4 * 128 * 128 * 3);
      const before = setBlockCacheBytes(2 * 128 * 128 * 3);
      try {
        expect(blockCacheStats().bytes).toBeLessThanOrEqual(2 * 128 * 128 * 3);
        await scene.readWindow({ x: 0, y: 0, width: 410, height: 330 }, { bands: [0, 1, 2] });
        expect(blockCacheStats().bytes).toBeLessThanOrEqual(2 * 128 * 128 * 3);
      } finally {
        setBlockCacheBytes(before);
      }
      await scene.readWindow(OVERLAPPING[0], { bands: [0, 1, 2] });
      expect(blockCacheStats().blocks).toBeGreaterThan(0);
    } finally {
      await scene.close();
    }
    expect(blockCacheStats().blocks).toBe(0);
    expect(blockCacheStats().bytes).toBe(0);
  });

  it('concurrent readers of a block share one read and decode; one reader cancelling leaves the others theirs', async () => {
    const path = cog('cache-concurrent.tif', ['COMPRESS=LZW', 'PREDICTOR=2']);
    const scene = await openScene(path);
    try {
      // Ten windows over the same 4 blocks requested at once, as the indexer's read-ahead does, one of them cancelled.
      const windows = Array.from({ length: 10 }, (_, i) => ({ x: 70 + i * 5, y: 90 + i * 3, width: 100, height: 80 }));
      const abort = new AbortController();
      const start = blockCacheStats().decodes;
      const reads = windows.map((w, i) => scene.readWindow(w, { bands: [0, 1, 2], signal: i === 3 ? abort.signal : undefined }));
      abort.abort();
      const results = await Promise.allSettled(reads);
      expect(blockCacheStats().decodes - start).toBe(4);
      results.forEach((r, i) => {
        if (i === 3) {
          expect(r.status).toBe('rejected');
          expect(((r as PromiseRejectedResult).reason as { code: string }).code).toBe('E_CANCELED');
          return;
        }
        expect(r.status, `window ${i}`).toBe('fulfilled');
        const d = (r as PromiseFulfilledResult<Awaited<(typeof reads)[number]>>).value;
        const g = gdalWindow(path, windows[i], [1, 2, 3]);
        [0, 1, 2].forEach((k) => expect(maxAbsDiff(d.bands[k], g[k]), `window ${i} band ${k}`).toBe(0));
      });
      // The cancelled reader took nothing away from the cache: its blocks are there for the next read.
      await scene.readWindow(windows[3], { bands: [0, 1, 2] });
      expect(blockCacheStats().decodes - start).toBe(4);
    } finally {
      await scene.close();
    }
  });

  it('a block that fails to decode is not kept: every read names the same error', async () => {
    const path = await truncatedDeflateCog('cache-corrupt.tif');
    const scene = await openScene(path);
    try {
      for (let i = 0; i < 2; i++) {
        const err = await scene.readWindow({ x: 0, y: 0, width: 128, height: 128 }, { bands: [0, 1, 2] }).catch((e: unknown) => e);
        expect((err as { code: string }).code).toBe('E_CORRUPT_TIFF');
        expect((err as Error).message).toMatch(/block 0/);
      }
      // Blocks of the same scene that decode are read as before.
      const ok = await scene.readWindow({ x: 200, y: 200, width: 50, height: 50 }, { bands: [0] });
      expect(maxAbsDiff(ok.bands[0], gdalWindow(path, { x: 200, y: 200, width: 50, height: 50 }, [1])[0])).toBe(0);
    } finally {
      await scene.close();
    }
  });
});

describe('block reader errors', () => {
  // The tile's header survives (SOI and frame header; RIFF header) and the rest is overwritten.
  for (const [codec, co, from, value] of [
    ['JPEG', ['COMPRESS=JPEG'], (count: number) => Math.min(40, count - 2), 0],
    ['WebP', ['COMPRESS=WEBP'], (count: number) => Math.min(30, count - 1), 0x5a],
  ] as [string, string[], (count: number) => number, number][]) {
    it(`a corrupt ${codec} tile is a clear E_CORRUPT_TIFF naming ${codec}, not a crash; the other tiles still read`, async () => {
      const path = cog(`${codec.toLowerCase()}-corrupt.tif`, co);
      await fillFirstTile(path, from, value);
      const scene = await openScene(path);
      try {
        const err = await scene.readWindow({ x: 0, y: 0, width: 64, height: 64 }, { bands: [0, 1, 2] }).catch((e: unknown) => e);
        expect(isEngineError(err)).toBe(true);
        expect((err as { code: string }).code).toBe('E_CORRUPT_TIFF');
        expect((err as Error).message).toMatch(new RegExp(codec));
        const ok = await scene.readWindow({ x: 200, y: 200, width: 50, height: 50 }, { bands: [1] });
        const g = gdalWindow(path, { x: 200, y: 200, width: 50, height: 50 }, [2])[0];
        expect(maxAbsDiff(ok.bands[0], g)).toBeLessThanOrEqual(codec === 'JPEG' ? 6 : 0);
      } finally {
        await scene.close();
      }
    });
  }

  it('WebP: reads the tile size from the header, refuses one larger than the tile before decoding, recovers after garbage', async () => {
    for (const [name, co] of [
      ['webp-unit-lossy.tif', ['COMPRESS=WEBP']],
      ['webp-unit-lossless.tif', ['COMPRESS=WEBP', 'QUALITY=100']],
    ] as [string, string[]][]) {
      const path = cog(name, co);
      const tile = await firstTileBytes(path);
      expect(webpSize(tile), name).toEqual({ width: 128, height: 128 });
      const good = await decodeWebp(tile, 128 * 128 * 3);
      expect(good.length).toBe(128 * 128 * 3);
      // The same tile said to be 64 px: refused from its header.
      await expect(decodeWebp(tile, 64 * 64 * 3)).rejects.toThrow(/declares 128x128 pixels, more than its 12288-byte tile/);
      await expect(decodeWebp(new Uint8Array(200).fill(9), 128 * 128 * 3)).rejects.toThrow(/WebP block does not decode/);
      await expect(decodeWebp(tile.subarray(0, 60), 128 * 128 * 3)).rejects.toThrow(/WebP block does not decode/);
      expect(Buffer.from(await decodeWebp(tile, 128 * 128 * 3)).equals(Buffer.from(good))).toBe(true);
    }
  });

  it('a truncated Deflate tile names the block and its sizes', async () => {
    const path = await truncatedDeflateCog('deflate-truncated.tif');
    const scene = await openScene(path);
    try {
      const err = await scene.readWindow({ x: 0, y: 0, width: 128, height: 128 }, { bands: [0, 1, 2] }).catch((e: unknown) => e);
      expect(isEngineError(err)).toBe(true);
      expect((err as { code: string }).code).toBe('E_CORRUPT_TIFF');
      expect((err as Error).message).toMatch(/block 0 .*bytes after decoding|invalid|incorrect|DEFLATE/i);
    } finally {
      await scene.close();
    }
  });

  it('JPEG: refuses a frame larger than the block, garbage, and a stream cut short', async () => {
    const path = cog('jpeg-unit.tif', ['COMPRESS=JPEG']);
    const tiff = await fromFile(path);
    const image = await tiff.getImage(0);
    const fd = image.fileDirectory;
    const tables = new Uint8Array((await fd.loadValue('JPEGTables')) as ArrayLike<number>).subarray(0, -2);
    const offset = Number(await fd.loadValueIndexed('TileOffsets', 0));
    const count = Number(await fd.loadValueIndexed('TileByteCounts', 0));
    await tiff.close();
    const tile = new Uint8Array(readFileSync(path).subarray(offset, offset + count));
    const rgb = await decodeJpegBlock(tables, tile, 3, 128, 128);
    expect(rgb.length).toBe(128 * 128 * 3);
    await expect(decodeJpegBlock(tables, tile, 3, 64, 64)).rejects.toThrow(/declares a 128x128 frame in a 64x64 block/);
    await expect(decodeJpegBlock(tables, new Uint8Array([0xff, 0xd8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 3, 128, 128)).rejects.toThrow(/no frame header/);
    await expect(decodeJpegBlock(tables, tile.subarray(0, 300), 3, 128, 128)).rejects.toThrow(/JPEG block does not decode/);
  });

  it('ZSTD: decodes within the bound and refuses a frame larger than the block or garbage', async () => {
    const data = Buffer.alloc(100_000, 7);
    const path = join(dir, 'z.bin');
    writeFileSync(path, data);
    execFileSync('zstd', ['-q', '-f', path, '-o', `${path}.zst`]);
    const frame = new Uint8Array(readFileSync(`${path}.zst`));
    expect(Buffer.from(await decodeZstdBounded(frame, 100_000)).equals(data)).toBe(true);
    const short = await decodeZstdBounded(frame, 50_000).then(
      (out) => out.length,
      () => -1,
    );
    // Either an error or fewer bytes than the frame holds: never more than the bound.
    expect(short).toBeLessThan(100_000);
    await expect(decodeZstdBounded(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4]), 1000)).rejects.toThrow(/ZSTD/);
  });
});

describe('placeRgb8', () => {
  it('matches a byte-by-byte predictor and deinterleave at any alignment', () => {
    let seed = 11;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24);
    const tileWidth = 40;
    const rows = 9;
    const rowLen = tileWidth * 3;
    for (const predictor of [1, 2]) {
      for (const [bx0, bx1, ww] of [
        [0, 40, 40],
        [3, 37, 41],
        [4, 40, 44],
        [1, 2, 5],
      ]) {
        const src = Uint8Array.from({ length: rowLen * rows }, rand);
        const outs = [0, 1, 2].map(() => new Uint8Array(ww * rows));
        const p = { bx0, by0: 2, bx1, by1: rows, dst: 1 };
        placeRgb8(src, rowLen, p, outs, ww, predictor);
        const ref = src.slice();
        if (predictor === 2) for (let r = 0; r < rows; r++) for (let i = r * rowLen + 3; i < (r + 1) * rowLen; i++) ref[i] = (ref[i] + ref[i - 3]) & 255;
        const want = [0, 1, 2].map(() => new Uint8Array(ww * rows));
        for (let y = p.by0; y < p.by1; y++) for (let x = bx0; x < bx1; x++) for (let k = 0; k < 3; k++) want[k][p.dst + (y - p.by0) * ww + (x - bx0)] = ref[y * rowLen + x * 3 + k];
        outs.forEach((o, k) => expect(Array.from(o), `predictor ${predictor} ${bx0}-${bx1} band ${k}`).toEqual(Array.from(want[k])));
      }
    }
  });
});
