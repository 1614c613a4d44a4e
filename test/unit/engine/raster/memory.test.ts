// cog_world.tif (36000x18000, 648 Mpx) opens and reads from overviews without ever holding the whole image.
import { expect, it } from 'vitest';
import { openScene } from '../../../../main/engine/raster/open-scene.js';
import type { WindowData } from '../../../../main/engine/raster/types.js';
import { requireData, scenePath } from '../../../helpers/paths.js';
import { gdalWindow } from './gdal-oracle.js';

const WORLD = requireData(scenePath('rio-tiler_tests_fixtures/cog_world.tif'));

function countDifferences(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

it('reads cog_world.tif windows from overviews and full resolution with small RSS growth', async () => {
  // Warm up: load the decoders once, so the measurement covers reading only.
  const warm = await openScene(WORLD);
  await warm.readWindow({ x: 0, y: 0, width: 64, height: 64 }, { bands: [0], level: 6 });
  await warm.close();

  const before = process.memoryUsage().rss;
  let peak = before;
  const sample = (): void => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const scene = await openScene(WORLD);
  let world: WindowData;
  let eu: WindowData;
  try {
    sample();
    expect(scene.info.overviews.length).toBe(7);
    // The whole world from level 5 (1125x563).
    world = await scene.readWindow({ x: 0, y: 0, width: 36000, height: 18000 }, { bands: [0], level: 5 });
    sample();
    // A 1024x1024 window at full resolution over Europe.
    eu = await scene.readWindow({ x: 18500, y: 3500, width: 1024, height: 1024 }, { bands: [0], level: 0 });
    sample();
    // 8192x8192 full-resolution pixels from level 2 come back as 2048x2048.
    const af = await scene.readWindow({ x: 17000, y: 6000, width: 8192, height: 8192 }, { bands: [0], level: 2 });
    sample();
    expect([af.width, af.height]).toEqual([2048, 2048]);
  } finally {
    await scene.close();
  }
  // The full image is 648 MB as uint8; reading stays far below that.
  expect(peak - before).toBeLessThan(100 * 1024 * 1024);

  expect([world.width, world.height]).toEqual([1125, 563]);
  const g = gdalWindow(WORLD, { x: 0, y: 0, width: 1125, height: 563 }, [1], { overview: 4 });
  expect(countDifferences(world.bands[0], g[0])).toBe(0);
  // Land and sea (nodata 0) are both present.
  expect(world.valid.includes(0) && world.valid.includes(1)).toBe(true);
  const ge = gdalWindow(WORLD, { x: 18500, y: 3500, width: 1024, height: 1024 }, [1]);
  expect(countDifferences(eu.bands[0], ge[0])).toBe(0);
});
