// The faster decoding path (zlib Deflate, 8-bit predictor, typed-array window copy) against GDAL, on COGs made from real scenes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { undoHorizontalDifferencing8 } from '../../../../main/engine/raster/fast-decode.js';
import { openScene } from '../../../../main/engine/raster/open-scene.js';
import { requireData, scenePath } from '../../../helpers/paths.js';
import { gdalWindow } from './gdal-oracle.js';

const TCI = requireData(scenePath('titiler_tests_fixtures/TCI.tif'));
const L8 = requireData(scenePath('derived/l8_B1-B7_stack_cog.tif'));
const dir = mkdtempSync(join(tmpdir(), 'geosift-fast-decode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cog(src: string, name: string, co: string[], srcwin = ['100', '100', '300', '260']): string {
  const out = join(dir, name);
  const args = ['-q', '--config', 'GDAL_PAM_ENABLED', 'NO', '-srcwin', ...srcwin, '-of', 'COG', '-co', 'BLOCKSIZE=128', '-co', 'OVERVIEWS=AUTO'];
  for (const c of co) args.push('-co', c);
  execFileSync('gdal_translate', [...args, src, out], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

describe('fast decoding', () => {
  const cases: [string, string, string[], number[]][] = [
    ['Deflate + predictor, pixel interleaved, 3 bands', TCI, ['COMPRESS=DEFLATE', 'PREDICTOR=2'], [0, 1, 2]],
    ['LZW + predictor, 2 of 3 bands out of order', TCI, ['COMPRESS=LZW', 'PREDICTOR=2'], [2, 0]],
    ['ZSTD + predictor, band interleaved', TCI, ['COMPRESS=ZSTD', 'PREDICTOR=2', 'INTERLEAVE=BAND'], [0, 1, 2]],
    ['Deflate without predictor, one band', TCI, ['COMPRESS=DEFLATE'], [1]],
    ['Deflate + predictor on uint16, 4 of 7 bands', L8, ['COMPRESS=DEFLATE', 'PREDICTOR=2'], [3, 2, 1, 6]],
  ];
  for (const [name, src, co, bands] of cases) {
    it(`reads the pixels GDAL reads: ${name}`, async () => {
      const path = cog(src, `${name.replace(/\W+/g, '-')}.tif`, co);
      const scene = await openScene(path);
      try {
        // A window across block edges, and the partial blocks at the image's right and bottom edges.
        for (const win of [{ x: 60, y: 70, width: 150, height: 140 }, { x: 200, y: 180, width: 100, height: 80 }]) {
          const d = await scene.readWindow(win, { bands });
          const g = gdalWindow(path, win, bands.map((b) => b + 1));
          bands.forEach((_, i) => expect(Array.from(d.bands[i])).toEqual(Array.from(g[i])));
        }
        const ov = scene.info.overviews[1];
        const d = await scene.readWindow({ x: 0, y: 0, width: ov.width * ov.scaleX, height: ov.height * ov.scaleY }, { bands, level: 1 });
        const g = gdalWindow(path, { x: 0, y: 0, width: ov.width, height: ov.height }, bands.map((b) => b + 1), { overview: 0 });
        bands.forEach((_, i) => expect(Array.from(d.bands[i])).toEqual(Array.from(g[i])));
      } finally {
        await scene.close();
      }
    });
  }

  it('undoes 8-bit horizontal differencing like the sample-by-sample definition', () => {
    let seed = 5;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24);
    for (const stride of [1, 3, 4]) {
      const width = 37;
      const rows = 5;
      const block = Uint8Array.from({ length: width * stride * rows }, rand);
      const ref = block.slice();
      for (let r = 0; r < rows; r++) for (let i = r * width * stride + stride; i < (r + 1) * width * stride; i++) ref[i] = (ref[i] + ref[i - stride]) & 255;
      undoHorizontalDifferencing8(block, width * stride, stride);
      expect(Array.from(block)).toEqual(Array.from(ref));
    }
  });
});
