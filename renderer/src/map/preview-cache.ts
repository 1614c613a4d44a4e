// Display tiles from engine.previewTile, decoded once and shared by the map layer and the hit thumbnails.
import type { EngineApi } from '../../../shared/protocol/engine-api.js';

export interface PreviewSource {
  /** The decoded tile (level, x, y) of edge `tileSize`; images at the scene's edge may be smaller. */
  tile(level: number, x: number, y: number, tileSize: number): Promise<HTMLImageElement>;
}

const MAX_ENTRIES = 512;

export function decodePng(base64: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('The engine sent a display tile the browser cannot decode'));
    img.src = `data:image/png;base64,${base64}`;
  });
}

export function createPreviewSource(engine: EngineApi, scene: string, bands: string | undefined): PreviewSource {
  const cache = new Map<string, Promise<HTMLImageElement>>();
  return {
    tile(level, x, y, tileSize) {
      const key = `${level}/${x}/${y}/${tileSize}`;
      let p = cache.get(key);
      if (p) {
        cache.delete(key);
        cache.set(key, p);
        return p;
      }
      p = engine.previewTile({ scene, level, x, y, tileSize, ...(bands ? { bands } : {}) }).then((t) => decodePng(t.pngBase64));
      p.catch(() => cache.delete(key));
      cache.set(key, p);
      if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
      return p;
    },
  };
}
