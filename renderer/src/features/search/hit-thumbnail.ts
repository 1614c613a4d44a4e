// A hit's thumbnail cropped from the engine's preview tiles at the overview level that fits it.
import type { PixelWindow } from '../../../../shared/geo/types.js';
import type { SceneInfo } from '../../../../shared/protocol/scene.js';
import type { PreviewSource } from '../../map/preview-cache.js';
import { levelForWindow } from '../../map/tile-grid.js';

const TILE = 256;

export async function hitThumbnail(previews: PreviewSource, info: SceneInfo, w: PixelWindow, size = 72): Promise<string> {
  const { level, scale } = levelForWindow(info, w.width, 128);
  const x0 = w.x / scale;
  const y0 = w.y / scale;
  const x1 = (w.x + w.width) / scale;
  const y1 = (w.y + w.height) / scale;
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#20262c';
  ctx.fillRect(0, 0, size, size);
  const k = size / Math.max(x1 - x0, y1 - y0);
  const jobs: Promise<void>[] = [];
  for (let ty = Math.floor(y0 / TILE); ty * TILE < y1; ty++) {
    for (let tx = Math.floor(x0 / TILE); tx * TILE < x1; tx++) {
      jobs.push(
        previews.tile(level, tx, ty, TILE).then((img) => {
          ctx.drawImage(img, (tx * TILE - x0) * k, (ty * TILE - y0) * k, img.width * k, img.height * k);
        }),
      );
    }
  }
  await Promise.all(jobs);
  return canvas.toDataURL('image/png');
}
