// The class raster: one uint8 cell per tile-stride block, aligned on the tiles' cores, each cell labelled by the tile whose centre is nearest.
import type { GeoTransform } from '../../../shared/geo/types.js';
import type { TileGrid } from '../../../shared/geo/tile-grid.js';
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import { NODATA_VALUE, UNKNOWN_VALUE } from './types.js';

export interface RasterLegendEntry {
  value: number;
  id: string;
  name: string;
  /** "#rrggbb". */
  color: string;
}

/**
 * Cells are s x s full-resolution pixels, s = the tile stride, starting at pixel `originPx` (<= 0) on both axes:
 * cell (row, col) covers [originPx + col*s, originPx + (col+1)*s) x [the same in rows], clipped to the image.
 * With overlap o the origin is (o/2 mod s) - s, so interior cells are exactly the tiles' cores (the central
 * s x s of each tile); without overlap it is 0 and cells are the tiles. Values: 1..254 classes,
 * 0 unknown (below the confidence threshold), 255 nodata (skipped tile). Edge cells may reach past the image.
 */
export interface ClassRaster {
  width: number;
  height: number;
  cellSizePx: number;
  originPx: number;
  imageWidth: number;
  imageHeight: number;
  data: Uint8Array;
  /** Cell -> CRS transform (the scene's, shifted to originPx and scaled by the stride), null without georeferencing. */
  geoTransform: GeoTransform | null;
  legend: RasterLegendEntry[];
  /** Grid tile index that owns each cell, row-major. */
  owner: Int32Array;
}

/** Where cells start so that they line up with tile cores: (overlap/2 mod stride) - stride, or 0. */
export function cellOrigin(overlapPx: number, stride: number): number {
  const d = (overlapPx / 2) % stride;
  return d > 0 ? d - stride : 0;
}

export type CellGeometry = Pick<ClassRaster, 'width' | 'height' | 'cellSizePx' | 'originPx' | 'imageWidth' | 'imageHeight'>;

/** The pixel rectangle a cell covers, clipped to the image. */
export function cellPixelRect(r: Omit<CellGeometry, 'width' | 'height'>, row: number, col: number): { x0: number; y0: number; x1: number; y1: number } {
  const s = r.cellSizePx, o = r.originPx;
  return {
    x0: Math.max(0, o + col * s),
    y0: Math.max(0, o + row * s),
    x1: Math.min(r.imageWidth, o + (col + 1) * s),
    y1: Math.min(r.imageHeight, o + (row + 1) * s),
  };
}

/** Cell corner (x, y in cells) -> full-resolution pixel, clipped to the image. */
export function cellCornerToPixel(r: Omit<CellGeometry, 'width' | 'height'>, x: number, y: number): [number, number] {
  const s = r.cellSizePx, o = r.originPx;
  return [Math.min(r.imageWidth, Math.max(0, o + x * s)), Math.min(r.imageHeight, Math.max(0, o + y * s))];
}

/** For each cell along one axis, the tile (index along that axis) whose centre is nearest the cell's clipped centre. */
export function nearestTileAlongAxis(offsets: number[], tileSize: number, length: number, cellSize: number, origin = 0): Int32Array {
  const cells = Math.max(1, Math.ceil((length - origin) / cellSize));
  const out = new Int32Array(cells);
  let t = 0;
  for (let j = 0; j < cells; j++) {
    const mid = (Math.max(0, origin + j * cellSize) + Math.min(length, origin + (j + 1) * cellSize)) / 2;
    // Centres increase with the index, so the nearest one never moves backwards; ties keep the earlier tile.
    while (t + 1 < offsets.length && Math.abs(offsets[t + 1] + tileSize / 2 - mid) < Math.abs(offsets[t] + tileSize / 2 - mid)) t++;
    out[j] = t;
  }
  return out;
}

export interface BuildClassRasterInput {
  imageWidth: number;
  imageHeight: number;
  grid: TileGrid;
  tileSizePx: number;
  overlapPx: number;
  /** Raster value per grid tile index (class value, or UNKNOWN_VALUE); tiles absent here are nodata. */
  values: Map<number, number>;
  geoTransform: GeoTransform | null;
  legend: RasterLegendEntry[];
}

export function buildClassRaster(input: BuildClassRasterInput): ClassRaster {
  const { grid, imageWidth: W, imageHeight: H } = input;
  const s = grid.stride;
  if (!(s >= 1)) throw new EngineError(ErrorCodes.INTERNAL, `tile stride must be >= 1, got ${s}`);
  const o = cellOrigin(input.overlapPx, s);
  const xs = grid.tiles.slice(0, grid.cols).map((t) => t.window.x);
  const ys = grid.tiles.filter((t) => t.col === 0).map((t) => t.window.y);
  const colOwner = nearestTileAlongAxis(xs, input.tileSizePx, W, s, o);
  const rowOwner = nearestTileAlongAxis(ys, input.tileSizePx, H, s, o);
  const width = colOwner.length, height = rowOwner.length;
  const data = new Uint8Array(width * height).fill(NODATA_VALUE);
  const owner = new Int32Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const tile = rowOwner[r] * grid.cols + colOwner[c];
      owner[r * width + c] = tile;
      const v = input.values.get(tile);
      if (v !== undefined) data[r * width + c] = v;
    }
  }
  const g = input.geoTransform;
  const geoTransform: GeoTransform | null = g ? [g[0] + o * (g[1] + g[2]), g[1] * s, g[2] * s, g[3] + o * (g[4] + g[5]), g[4] * s, g[5] * s] : null;
  return { width, height, cellSizePx: s, originPx: o, imageWidth: W, imageHeight: H, data, geoTransform, legend: input.legend, owner };
}

export { NODATA_VALUE, UNKNOWN_VALUE };
