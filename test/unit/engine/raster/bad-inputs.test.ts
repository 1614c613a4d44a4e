// Every broken input fails with its stable error code and a message naming the file and the problem.
import { describe, expect, it } from 'vitest';
import { MAX_WINDOW_PIXELS, openScene } from '../../../../main/engine/raster/open-scene.js';
import { requireData, scenePath } from '../../../helpers/paths.js';
import { rasterFixture } from './gdal-oracle.js';

const cases: [file: string, code: string, message: RegExp][] = [
  ['not-a-tiff.tif', 'E_NOT_TIFF', /not a TIFF/],
  ['truncated.tif', 'E_CORRUPT_TIFF', /truncated/],
  ['zero-size.tif', 'E_EMPTY_IMAGE', /width 0/],
  ['unsupported-compression.tif', 'E_UNSUPPORTED_TIFF', /9999/],
  ['circular-ifd.tif', 'E_CORRUPT_TIFF', /loops back/],
  ['zero-tile.tif', 'E_CORRUPT_TIFF', /block size of 0x512/],
  ['huge-dimensions.tif', 'E_TOO_LARGE', /2147483647x3-pixel blocks/],
];

describe('bad inputs', () => {
  for (const [file, code, message] of cases) {
    it(`${file} -> ${code}`, async () => {
      const path = rasterFixture(file);
      const err = await openScene(path).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ name: 'EngineError', code });
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toContain(file);
    });
  }

  it('a missing file -> E_FILE_NOT_FOUND', async () => {
    await expect(openScene('/nonexistent/folder/scene.tif')).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND', message: expect.stringContaining('scene.tif') });
  });

  it('a folder -> E_FILE_NOT_FOUND', async () => {
    await expect(openScene(scenePath('rasterio_tests_data'))).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND', message: expect.stringMatching(/folder/) });
  });

  it('a window over the pixel budget -> E_TOO_LARGE before anything is read', async () => {
    const scene = await openScene(requireData(scenePath('rio-tiler_tests_fixtures/cog_world.tif')));
    try {
      expect(36000 * 18000).toBeGreaterThan(MAX_WINDOW_PIXELS);
      await expect(scene.readWindow({ x: 0, y: 0, width: 36000, height: 18000 }, { bands: [0], level: 0 })).rejects.toMatchObject({ code: 'E_TOO_LARGE' });
    } finally {
      await scene.close();
    }
  });
});
