// What end-to-end tests read from the page: the map's pixel for a place and a way to wait for a finished render.
import type OlMap from 'ol/Map.js';
import { fromLonLat, transform } from 'ol/proj.js';
import type { Placement } from './geometry.js';
import { pixelToGrid } from './tile-grid.js';

export interface GeosiftTestHooks {
  /** Viewport CSS pixel of a WGS84 lon/lat, or null when the scene is shown in pixel coordinates. */
  pixelFromLonLat(lonLat: [number, number]): [number, number] | null;
  /** Viewport CSS pixel of a full-resolution scene pixel (col, row), in either placement. */
  pixelFromScenePixel(col: number, row: number): [number, number] | null;
  /** Resolves after the map finished rendering every layer (tiles loaded). */
  whenRendered(): Promise<void>;
  /** The map element's position in the page, to turn map pixels into screenshot pixels. */
  mapRect(): { left: number; top: number; width: number; height: number };
  state: Record<string, unknown>;
}

declare global {
  interface Window {
    __geosiftTest?: GeosiftTestHooks;
  }
}

export function installTestHooks(map: OlMap, placement: Placement): void {
  const existing = window.__geosiftTest?.state ?? {};
  window.__geosiftTest = {
    pixelFromLonLat(lonLat) {
      if (placement.spec.mode !== 'geo') return null;
      const px = map.getPixelFromCoordinate(fromLonLat(lonLat, placement.viewProjection));
      return px ? [px[0], px[1]] : null;
    },
    pixelFromScenePixel(col, row) {
      const g = pixelToGrid(placement.info, placement.spec, col, row);
      const c = placement.spec.mode === 'geo' ? transform(g, placement.sceneProjection, placement.viewProjection) : g;
      const px = map.getPixelFromCoordinate(c);
      return px ? [px[0], px[1]] : null;
    },
    whenRendered() {
      return new Promise((resolve) => {
        map.once('rendercomplete', () => resolve());
        map.render();
      });
    },
    mapRect() {
      const r = (map.getTargetElement() as HTMLElement).getBoundingClientRect();
      return { left: r.left, top: r.top, width: r.width, height: r.height };
    },
    state: existing,
  };
}

/** Records a piece of UI state for tests (latest search result, label result). */
export function exposeForTests(key: string, value: unknown): void {
  window.__geosiftTest ??= { pixelFromLonLat: () => null, pixelFromScenePixel: () => null, whenRendered: () => Promise.resolve(), mapRect: () => ({ left: 0, top: 0, width: 0, height: 0 }), state: {} };
  window.__geosiftTest.state[key] = value;
}
