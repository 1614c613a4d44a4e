// Pure: the display tile grid of a scene (extent, origin, one resolution per overview level) in its CRS or in pixels.
import type { SceneInfo } from '../../../shared/protocol/scene.js';

export type GridMode = 'geo' | 'pixel';

export interface SceneGridSpec {
  mode: GridMode;
  /** [minX, minY, maxX, maxY] in the grid's coordinates (scene CRS, or pixels with y up). */
  extent: [number, number, number, number];
  /** Top-left corner. */
  origin: [number, number];
  /** Map units per display pixel, coarsest first (OpenLayers' order). */
  resolutions: number[];
  /** Overview level served at each zoom index (same order as resolutions). */
  levels: number[];
  /** Tiles across and down at each zoom index. */
  tileCounts: Array<[number, number]>;
  tileSize: number;
}

/** Why a scene cannot be placed in its CRS (null when it can). */
export function geoPlacementProblem(info: SceneInfo): string | null {
  if (!info.geoTransform) return 'The scene has no georeferencing: it is shown in pixel coordinates.';
  if (!info.crs) return 'The scene has no coordinate reference system: it is shown in pixel coordinates.';
  if (!info.crs.proj4) return `The scene's CRS (${info.crs.name}) cannot be reprojected${info.crs.reason ? ` (${info.crs.reason})` : ''}: it is shown in pixel coordinates.`;
  const t = info.geoTransform;
  if (t[2] !== 0 || t[4] !== 0) return 'The scene is rotated or sheared: it is shown in pixel coordinates.';
  return null;
}

/**
 * The grid whose tile (z, x, y) is the engine's previewTile({level: levels[z], x, y, tileSize}).
 * In pixel mode one full-resolution pixel is one map unit and y grows upwards (row r at y = height - r).
 */
export function sceneGridSpec(info: SceneInfo, tileSize = 256, mode: GridMode = geoPlacementProblem(info) ? 'pixel' : 'geo'): SceneGridSpec {
  let extent: [number, number, number, number];
  if (mode === 'geo') {
    const t = info.geoTransform;
    if (!t) throw new Error('sceneGridSpec: geo mode needs a geotransform');
    const x0 = t[0];
    const x1 = t[0] + info.width * t[1];
    const y0 = t[3];
    const y1 = t[3] + info.height * t[5];
    extent = [Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1)];
  } else {
    extent = [0, 0, info.width, info.height];
  }
  const spanX = extent[2] - extent[0];
  const overviews = info.overviews.length > 0 ? info.overviews : [{ level: 0, width: info.width, height: info.height, scaleX: 1, scaleY: 1 }];
  // Coarsest first; an overview is as wide as the scene in map units, so its resolution is span / its width.
  const ordered = [...overviews].sort((a, b) => a.width - b.width);
  return {
    mode,
    extent,
    origin: [extent[0], extent[3]],
    resolutions: ordered.map((o) => spanX / o.width),
    levels: ordered.map((o) => o.level),
    tileCounts: ordered.map((o) => [Math.ceil(o.width / tileSize), Math.ceil(o.height / tileSize)]),
    tileSize,
  };
}

/** Full-resolution pixel (col, row) to grid coordinates. */
export function pixelToGrid(info: SceneInfo, spec: SceneGridSpec, col: number, row: number): [number, number] {
  if (spec.mode === 'pixel') return [col, info.height - row];
  const t = info.geoTransform!;
  return [t[0] + col * t[1] + row * t[2], t[3] + col * t[4] + row * t[5]];
}

/** Grid coordinates back to the full-resolution pixel (col, row) they fall in (fractional). */
export function gridToPixel(info: SceneInfo, spec: SceneGridSpec, x: number, y: number): [number, number] {
  if (spec.mode === 'pixel') return [x, info.height - y];
  const t = info.geoTransform!;
  return [(x - t[0]) / t[1], (y - t[3]) / t[5]];
}

/** The finest overview level that shows a window at most `targetPx` pixels wide (the coarsest when none does). */
export function levelForWindow(info: SceneInfo, windowWidth: number, targetPx: number): { level: number; scale: number } {
  const overviews = info.overviews.length > 0 ? info.overviews : [{ level: 0, width: info.width, height: info.height, scaleX: 1, scaleY: 1 }];
  const byFineness = [...overviews].sort((a, b) => b.width - a.width);
  const fits = byFineness.find((o) => windowWidth / (info.width / o.width) <= targetPx) ?? byFineness[byFineness.length - 1];
  return { level: fits.level, scale: info.width / fits.width };
}
