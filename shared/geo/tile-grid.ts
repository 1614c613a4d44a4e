// Pure tiling geometry: which full-resolution pixel windows cover an image, with overlap.
import type { PixelWindow } from './types.js';

export interface TileGridOptions {
  /** Image size in full-resolution pixels. */
  width: number;
  height: number;
  /** Tile edge in full-resolution pixels. */
  tileSize: number;
  /** Overlap between neighbouring tiles in full-resolution pixels (0 <= overlap < tileSize). */
  overlap: number;
}

export interface GridTile {
  /** Stable id inside one grid: row-major index. */
  index: number;
  row: number;
  col: number;
  window: PixelWindow;
}

export interface TileGrid {
  rows: number;
  cols: number;
  stride: number;
  tiles: GridTile[];
}

/**
 * Offsets of tile starts along one axis. Tiles never hang past the image: the last tile is
 * pulled back to end at the edge (it then overlaps its neighbour more). An axis shorter than
 * a tile gets one tile at 0 that extends past the edge; the reader fills it as invalid.
 */
export function axisOffsets(length: number, tileSize: number, stride: number): number[] {
  if (length <= tileSize) return [0];
  const offsets: number[] = [];
  for (let o = 0; o + tileSize < length; o += stride) offsets.push(o);
  const last = length - tileSize;
  if (offsets.length === 0 || offsets[offsets.length - 1] !== last) offsets.push(last);
  return offsets;
}

export function validateGridOptions(o: TileGridOptions): string | null {
  if (!Number.isInteger(o.width) || !Number.isInteger(o.height) || o.width <= 0 || o.height <= 0) {
    return `image size must be positive integers, got ${o.width}x${o.height}`;
  }
  if (!Number.isInteger(o.tileSize) || o.tileSize < 1) return `tile size must be a positive whole number of pixels, got ${o.tileSize}`;
  if (!Number.isInteger(o.overlap) || o.overlap < 0 || o.overlap >= o.tileSize) {
    return `overlap must be between 0 and tile size - 1 (${o.tileSize - 1}) pixels, got ${o.overlap}`;
  }
  return null;
}

export function makeTileGrid(o: TileGridOptions): TileGrid {
  const problem = validateGridOptions(o);
  if (problem) throw new RangeError(problem);
  const stride = o.tileSize - o.overlap;
  const xs = axisOffsets(o.width, o.tileSize, stride);
  const ys = axisOffsets(o.height, o.tileSize, stride);
  const tiles: GridTile[] = [];
  for (let r = 0; r < ys.length; r++) {
    for (let c = 0; c < xs.length; c++) {
      tiles.push({ index: tiles.length, row: r, col: c, window: { x: xs[c], y: ys[r], width: o.tileSize, height: o.tileSize } });
    }
  }
  return { rows: ys.length, cols: xs.length, stride, tiles };
}

export function windowArea(w: PixelWindow): number {
  return w.width * w.height;
}

export function intersectionArea(a: PixelWindow, b: PixelWindow): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Intersection over union of two windows, 0..1. */
export function windowIoU(a: PixelWindow, b: PixelWindow): number {
  const i = intersectionArea(a, b);
  return i === 0 ? 0 : i / (windowArea(a) + windowArea(b) - i);
}

/** Points along the window outline, clockwise in pixel space starting top-left, `perEdge` segments per edge, closed. */
export function windowOutline(w: PixelWindow, perEdge: number): [number, number][] {
  const n = Math.max(1, Math.floor(perEdge));
  const pts: [number, number][] = [];
  const x0 = w.x, y0 = w.y, x1 = w.x + w.width, y1 = w.y + w.height;
  for (let i = 0; i < n; i++) pts.push([x0 + ((x1 - x0) * i) / n, y0]);
  for (let i = 0; i < n; i++) pts.push([x1, y0 + ((y1 - y0) * i) / n]);
  for (let i = 0; i < n; i++) pts.push([x1 - ((x1 - x0) * i) / n, y1]);
  for (let i = 0; i < n; i++) pts.push([x0, y1 - ((y1 - y0) * i) / n]);
  pts.push([x0, y0]);
  return pts;
}
