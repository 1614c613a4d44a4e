// Turns user tiling parameters (tile "224px" / "150m", overlap) into a tile grid and the overview level to read from.
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import { makeTileGrid, type TileGrid } from '../../../shared/geo/tile-grid.js';
import type { SceneInfo } from '../raster/types.js';

export interface TileSpec {
  value: number;
  unit: 'px' | 'm';
}

export interface TilingOptions {
  /** "224px", "150m", or a bare number of pixels. Default: defaultTilePx(modelInputSize). */
  tile?: string | number;
  /** "0.25" (fraction of the tile), "25%", or "32px". Default 0. */
  overlap?: string | number;
  /** The model's input edge in pixels. */
  modelInputSize: number;
}

export interface TilePlan {
  tile: TileSpec;
  /** Tile edge in full-resolution pixels. */
  tileSizePx: number;
  overlapPx: number;
  /** Overview level the tiles are read from, and its scale (full-res pixels per read pixel). */
  level: number;
  levelScale: number;
  /** Edge of a tile as read from that level, in pixels. */
  readSizePx: number;
  /** Ground size of a tile edge in metres, when the scene is georeferenced. */
  tileGroundM: number | null;
  grid: TileGrid;
}

const MAX_TILE_PX = 65_536;

/**
 * The tile edge used when none is given: the model's input size, but at least 224 px, the scale of
 * the aerial and satellite patches remote-sensing CLIPs learn from (a 64 px model sees 224 px tiles
 * downsampled, as it saw UC Merced's 256 px images in training).
 */
export function defaultTilePx(modelInputSize: number): number {
  return Math.max(224, modelInputSize);
}
const MIN_TILE_PX = 8;

export function parseTileSpec(spec: string | number): TileSpec {
  if (typeof spec === 'number') return checkFinite({ value: spec, unit: 'px' }, String(spec));
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*(px|m|km)?\s*$/i.exec(spec);
  if (!m) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Tile size "${spec}" is not understood: use pixels like "224px" or metres like "150m".`);
  }
  const n = Number(m[1]);
  const unit = (m[2] ?? 'px').toLowerCase();
  if (unit === 'km') return checkFinite({ value: n * 1000, unit: 'm' }, spec);
  return checkFinite({ value: n, unit: unit as 'px' | 'm' }, spec);
}

function checkFinite(t: TileSpec, spec: string): TileSpec {
  if (!Number.isFinite(t.value) || t.value <= 0) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Tile size "${spec}" must be a positive number.`);
  }
  return t;
}

/** Overlap as a number of full-resolution pixels. */
export function parseOverlap(spec: string | number | undefined, tileSizePx: number): number {
  if (spec === undefined || spec === '') return 0;
  let px: number;
  if (typeof spec === 'number') px = spec < 1 ? spec * tileSizePx : spec;
  else {
    const m = /^\s*([0-9]*\.?[0-9]+)\s*(px|%)?\s*$/i.exec(spec);
    if (!m) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Overlap "${spec}" is not understood: use a fraction like 0.25, a percentage like 25%, or pixels like 32px.`);
    const n = Number(m[1]);
    if (m[2] === '%') px = (n / 100) * tileSizePx;
    else if (m[2]?.toLowerCase() === 'px') px = n;
    else px = n < 1 ? n * tileSizePx : n;
  }
  px = Math.round(px);
  if (px < 0 || px > 0.9 * tileSizePx) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Overlap ${spec} is ${px} px; it must be between 0 and 90 % of the tile (${Math.floor(0.9 * tileSizePx)} px).`);
  }
  return px;
}

/** Metres per full-resolution pixel, or null when the scene has no usable ground size. */
export function metresPerPixel(info: SceneInfo): number | null {
  if (info.groundResolutionM && info.groundResolutionM > 0) return info.groundResolutionM;
  if (info.pixelSize && info.crs && info.crs.units === 'metre') return Math.sqrt(info.pixelSize[0] * info.pixelSize[1]);
  return null;
}

/**
 * The coarsest overview whose pixels still give the model at least its input size across a
 * tile: reading from it is cheaper and loses nothing the model would see.
 */
export function chooseLevel(info: SceneInfo, tileSizePx: number, modelInputSize: number): { level: number; scale: number } {
  const maxScale = tileSizePx / modelInputSize;
  let best = { level: 0, scale: 1 };
  for (const ov of info.overviews) {
    const scale = Math.max(ov.scaleX, ov.scaleY);
    if (scale <= maxScale * 1.0001 && scale > best.scale) best = { level: ov.level, scale };
  }
  return best;
}

export function planTiles(info: SceneInfo, options: TilingOptions): TilePlan {
  const tile = parseTileSpec(options.tile ?? `${defaultTilePx(options.modelInputSize)}px`);
  const mpp = metresPerPixel(info);
  let tileSizePx: number;
  if (tile.unit === 'm') {
    if (mpp === null) {
      throw new EngineError(ErrorCodes.NOT_GEOREFERENCED, `Tile size ${tile.value} m needs a georeferenced scene with a ground resolution; ${info.source} has none. Give the tile size in pixels (e.g. --tile 224px).`);
    }
    tileSizePx = Math.round(tile.value / mpp);
    if (tileSizePx < MIN_TILE_PX) {
      throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Tile size ${tile.value} m is only ${tileSizePx} px at this scene's ${mpp.toPrecision(3)} m pixels; use at least ${Math.ceil(MIN_TILE_PX * mpp)} m.`);
    }
  } else {
    tileSizePx = Math.round(tile.value);
  }
  if (tileSizePx < MIN_TILE_PX || tileSizePx > MAX_TILE_PX) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Tile size ${tileSizePx} px is out of range: use ${MIN_TILE_PX} to ${MAX_TILE_PX} px.`);
  }
  const overlapPx = parseOverlap(options.overlap, tileSizePx);
  const { level, scale } = chooseLevel(info, tileSizePx, options.modelInputSize);
  const grid = makeTileGrid({ width: info.width, height: info.height, tileSize: tileSizePx, overlap: overlapPx });
  return {
    tile,
    tileSizePx,
    overlapPx,
    level,
    levelScale: scale,
    readSizePx: Math.max(1, Math.round(tileSizePx / scale)),
    tileGroundM: mpp === null ? null : tileSizePx * mpp,
    grid,
  };
}
