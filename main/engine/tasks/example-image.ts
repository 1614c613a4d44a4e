// Decodes a query-by-example image (JPEG, PNG or GeoTIFF) into RGB for the model.
import { readFile } from 'node:fs/promises';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import type { RgbImage } from '../model/types.js';
import { resolveBands } from '../raster/bands.js';
import { openScene } from '../raster/open-scene.js';
import { computeStretch, toRgb } from '../raster/stretch.js';

/** The longest edge read from a TIFF example: more adds nothing at the model's input size. */
const MAX_EXAMPLE_EDGE = 1024;

function rgbaToRgb(width: number, height: number, rgba: Uint8Array | Buffer): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += 4) {
    data[i * 3] = rgba[j];
    data[i * 3 + 1] = rgba[j + 1];
    data[i * 3 + 2] = rgba[j + 2];
  }
  return { width, height, data };
}

export async function readExampleImage(path: string, bands = 'rgb', signal?: AbortSignal): Promise<RgbImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new EngineError(ErrorCodes.FILE_NOT_FOUND, `Cannot read example image ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 });
      return rgbaToRgb(img.width, img.height, img.data);
    }
    if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
      const png = PNG.sync.read(bytes);
      return rgbaToRgb(png.width, png.height, png.data);
    }
  } catch (e) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Example image ${path} could not be decoded: ${(e as Error).message}`);
  }
  // Anything else goes through the scene reader, which names the problem if it is not a TIFF either.
  const scene = await openScene(path, { signal });
  try {
    const info = scene.info;
    const ov = [...info.overviews].reverse().find((o) => Math.max(o.width, o.height) >= Math.min(MAX_EXAMPLE_EDGE, Math.max(info.width, info.height))) ?? info.overviews[0];
    const b = resolveBands(info, bands);
    const stretch = await computeStretch(scene, b, { signal });
    const data = await scene.readWindow({ x: 0, y: 0, width: info.width, height: info.height }, { bands: b, level: ov.level, signal });
    return toRgb(data, stretch).image;
  } finally {
    await scene.close();
  }
}
