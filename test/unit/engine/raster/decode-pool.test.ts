// The decode pool (worker threads for the CPU-bound block decoders): same pixels as the inline path and GDAL, errors
// as E_CORRUPT_TIFF, bombs refused inside the worker, a dead worker replaced, aborts honoured, and no handle that keeps
// the process alive.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { fromFile } from 'geotiff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPooledCodecs } from '../../../../main/engine/raster/block-reader.js';
import { DecodePool, decodePool, disposeDecodePool } from '../../../../main/engine/raster/decode-pool.js';
import { openScene } from '../../../../main/engine/raster/open-scene.js';
import { isEngineError } from '../../../../shared/protocol/errors.js';
import { repoRoot, requireData, scenePath } from '../../../helpers/paths.js';
import { gdalWindow, fillFirstTile } from './gdal-oracle.js';

const TCI = requireData(scenePath('titiler_tests_fixtures/TCI.tif'));
const dir = mkdtempSync(join(tmpdir(), 'geosift-decode-pool-'));

beforeAll(async () => {
  setPooledCodecs('lzw,zstd,packbits,deflate');
  await decodePool().start();
  expect(decodePool().ready).toBe(true);
}, 60_000);
afterAll(async () => {
  setPooledCodecs(process.env.GEOSIFT_DECODE_POOL_CODECS ?? 'lzw');
  await disposeDecodePool();
  rmSync(dir, { recursive: true, force: true });
});

function cog(name: string, co: string[]): string {
  const out = join(dir, name);
  const args = ['-q', '--config', 'GDAL_PAM_ENABLED', 'NO', '-srcwin', '300', '200', '410', '330', '-of', 'COG', '-co', 'BLOCKSIZE=128', '-co', 'OVERVIEWS=AUTO'];
  for (const c of co) args.push('-co', c);
  execFileSync('gdal_translate', [...args, TCI, out], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

const WINDOWS = [
  { x: 61, y: 70, width: 151, height: 139 },
  { x: 128, y: 128, width: 256, height: 128 },
  { x: 250, y: 190, width: 160, height: 140 },
];

async function readAll(path: string, bands: number[]): Promise<number[][][]> {
  const scene = await openScene(path);
  try {
    const out: number[][][] = [];
    for (const win of WINDOWS) out.push((await scene.readWindow(win, { bands })).bands.map((b) => Array.from(b)));
    const ov = scene.info.overviews[1];
    out.push((await scene.readWindow({ x: 0, y: 0, width: ov.width * ov.scaleX, height: ov.height * ov.scaleY }, { bands, level: 1 })).bands.map((b) => Array.from(b)));
    return out;
  } finally {
    await scene.close();
  }
}

describe('decode pool: pixels', () => {
  const cases: [string, string[], number[]][] = [
    ['LZW + predictor', ['COMPRESS=LZW', 'PREDICTOR=2'], [0, 1, 2]],
    ['ZSTD + predictor', ['COMPRESS=ZSTD', 'PREDICTOR=2'], [0, 1, 2]],
    ['ZSTD, band interleaved', ['COMPRESS=ZSTD', 'INTERLEAVE=BAND', 'PREDICTOR=2'], [2, 1]],
    ['PackBits', ['COMPRESS=PACKBITS'], [0, 1, 2]],
    ['Deflate + predictor', ['COMPRESS=DEFLATE', 'PREDICTOR=2'], [1, 2]],
  ];
  for (const [name, co, bands] of cases) {
    it(`${name}: through the pool, identical to the inline path and to GDAL`, async () => {
      const path = cog(`${name.replace(/\W+/g, '-')}.tif`, co);
      const pooled = await readAll(path, bands);
      setPooledCodecs('');
      let inline: number[][][];
      try {
        inline = await readAll(path, bands);
      } finally {
        setPooledCodecs('lzw,zstd,packbits,deflate');
      }
      expect(pooled).toEqual(inline);
      WINDOWS.forEach((win, w) => {
        const g = gdalWindow(path, win, bands.map((b) => b + 1));
        bands.forEach((_, i) => expect(pooled[w][i], `${name} ${JSON.stringify(win)} band ${i}`).toEqual(Array.from(g[i])));
      });
    });
  }
});

describe('decode pool: failures', () => {
  it('a corrupt LZW tile decoded in a worker is E_CORRUPT_TIFF with the decoder message', async () => {
    const path = cog('lzw-corrupt.tif', ['COMPRESS=LZW', 'PREDICTOR=2']);
    await fillFirstTile(path, () => 8, 0xff);
    const scene = await openScene(path);
    try {
      const err = await scene.readWindow({ x: 0, y: 0, width: 64, height: 64 }, { bands: [0, 1, 2] }).catch((e: unknown) => e);
      expect(isEngineError(err)).toBe(true);
      expect((err as { code: string }).code).toBe('E_CORRUPT_TIFF');
      expect((err as Error).message).toMatch(/LZW|block 0 .*bytes after decoding/);
      // The pool still works afterwards.
      const ok = await scene.readWindow({ x: 200, y: 200, width: 64, height: 64 }, { bands: [0, 1, 2] });
      expect(ok.bands[0].length).toBe(64 * 64);
    } finally {
      await scene.close();
    }
  });

  it('refuses decompression bombs inside the worker (output bound travels with the block)', async () => {
    const pool = decodePool();
    const zeros = Buffer.alloc(10 * 1024 * 1024);
    const bomb = new Uint8Array(deflateSync(zeros));
    expect(bomb.length).toBeLessThan(20_000);
    await expect(pool.decode('deflate', bomb, 65_536, 'block 3')).rejects.toThrow(/DEFLATE block inflates past its declared 65536 bytes/);
    const zpath = join(dir, 'zeros.bin');
    writeFileSync(zpath, zeros);
    execFileSync('zstd', ['-q', '-f', zpath, '-o', `${zpath}.zst`]);
    const zbomb = new Uint8Array(readFileSync(`${zpath}.zst`));
    const z = await pool.decode('zstd', zbomb, 65_536, 'block 3').then(
      (out) => out.length,
      (e: Error) => e.message,
    );
    expect(z).toMatch(/ZSTD block does not decode/);
    // LZW and PackBits stop at the bound: never more than the block's declared size.
    const packbits = new Uint8Array(2000);
    for (let i = 0; i < packbits.length; i += 2) packbits[i] = 0x81; // 128 copies of the next byte, 1000 times
    expect((await pool.decode('packbits', packbits, 4096, 'block 3')).length).toBe(4096);
  });

  it('a worker killed mid-block fails that block with an error naming it, and the next block decodes', async () => {
    const pool = new DecodePool({ size: 1 });
    try {
      await pool.start();
      expect(pool.ready).toBe(true);
      // terminate() races the worker's reply: retry with larger blocks until the kill lands mid-block.
      let failed: unknown = null;
      for (const mb of [16, 32, 64, 64]) {
        await pool.start();
        const input = new Uint8Array(deflateSync(Buffer.alloc(mb * 1024 * 1024, 3)));
        const pending = pool.decode('deflate', input, mb * 1024 * 1024, 'block 7 (column 1, row 2)');
        await pool.workers[0].terminate();
        failed = await pending.then(
          () => null,
          (e: unknown) => e,
        );
        if (failed) break;
      }
      expect(String(failed)).toMatch(/block 7 \(column 1, row 2\): its decoder worker stopped/);
      // Replaced (or inline while the new worker starts): either way the next block decodes.
      const again = await pool.decode('deflate', new Uint8Array(deflateSync(Buffer.alloc(5000, 9))), 5000, 'block 8');
      expect(again.length).toBe(5000);
      await pool.start();
      expect(pool.ready).toBe(true);
      const third = await pool.decode('deflate', new Uint8Array(deflateSync(Buffer.alloc(5000, 1))), 5000, 'block 9');
      expect(third[4999]).toBe(1);
    } finally {
      await pool.dispose();
    }
  }, 60_000);

  it('a scene read after the shared pool lost a worker still decodes', async () => {
    const path = cog('lzw-after-kill.tif', ['COMPRESS=LZW', 'PREDICTOR=2']);
    await decodePool().workers[0].terminate();
    const [got] = await readAll(path, [0]);
    const g = gdalWindow(path, WINDOWS[0], [1]);
    expect(got[0]).toEqual(Array.from(g[0]));
  });

  it('an aborted signal rejects a queued block with AbortError', async () => {
    const pool = new DecodePool({ size: 1 });
    try {
      await pool.start();
      const big = new Uint8Array(deflateSync(Buffer.alloc(8 * 1024 * 1024, 3)));
      const copies = [big.slice(), big.slice()];
      const first = pool.decode('deflate', big, 8 * 1024 * 1024, 'block 0');
      const ac = new AbortController();
      const second = pool.decode('deflate', copies[0], 8 * 1024 * 1024, 'block 1', ac.signal);
      ac.abort();
      await expect(second).rejects.toMatchObject({ name: 'AbortError' });
      expect((await first).length).toBe(8 * 1024 * 1024);
      await expect(pool.decode('deflate', copies[1], 10, 'block 2', ac.signal)).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      await pool.dispose();
    }
  }, 60_000);
});

describe('decode pool: process lifetime', () => {
  it('a process that read windows through the pool exits by itself', () => {
    const path = cog('lzw-exit.tif', ['COMPRESS=LZW', 'PREDICTOR=2']);
    const script = join(dir, 'child.ts');
    const src = (p: string) => JSON.stringify(join(repoRoot, p));
    writeFileSync(
      script,
      [
        `import { openScene } from ${src('main/engine/raster/open-scene.ts')};`,
        `import { decodePool } from ${src('main/engine/raster/decode-pool.ts')};`,
        `await decodePool().start();`,
        `if (!decodePool().ready) throw new Error('pool not ready');`,
        `const scene = await openScene(${JSON.stringify(path)});`,
        `const d = await scene.readWindow({ x: 0, y: 0, width: 300, height: 300 }, { bands: [0, 1, 2] });`,
        `await scene.close();`,
        `console.log('read', d.bands[0].length, decodePool().workers.length);`,
      ].join('\n'),
    );
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['--import', 'jiti/register', script], { cwd: repoRoot, encoding: 'utf8', timeout: 45_000 });
    expect(r.error, r.stderr).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/read 90000 [1-9]/);
    expect(Date.now() - t0).toBeLessThan(45_000);
  }, 60_000);
});
