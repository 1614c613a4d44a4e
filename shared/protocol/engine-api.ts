// The one contract between the engine and its front doors (CLI, Electron host, serve, UI).
import type { FeatureCollection, PixelWindow, PolygonGeometry } from '../geo/types.js';
import type { TaskContext } from './progress.js';
import type { SceneInfo } from './scene.js';

/** How a scene is cut into tiles and which bands the model sees. Strings as a user types them. */
export interface TilingParams {
  /** "224px", "150m"; default the model's input size in pixels. */
  tile?: string;
  /** "0.25", "25%", "32px"; default 0. */
  overlap?: string;
  /** Band preset or explicit 1-based list: "rgb", "rgbn", "landsat8", "sentinel2", "4,3,2". */
  bands?: string;
  /** Tiles with less valid (non-nodata) area than this fraction are skipped. Default 0.5. */
  minValid?: number;
}

export interface ModelParams {
  /** Model id or package folder; default the bundled model. */
  model?: string;
}

export interface SearchParams extends TilingParams, ModelParams {
  scene: string;
  query: string;
  /** Number of hits to return (after suppression). Default 10. */
  top?: number;
  /** Drop hits below this cosine similarity. */
  minScore?: number;
  /** Drop a hit whose window overlaps a better one by more than this IoU (0..1). Default 0.2; 1 keeps all. */
  suppressIoU?: number;
}

export interface SimilarParams extends TilingParams, ModelParams {
  scene: string;
  /** Query by a tile of the same scene (its index in the tile grid) ... */
  tileIndex?: number;
  /** ... or by an example image file (PNG/JPEG/TIFF). */
  image?: string;
  top?: number;
  minScore?: number;
  suppressIoU?: number;
}

export interface Hit {
  rank: number;
  score: number;
  tileIndex: number;
  row: number;
  col: number;
  /** Full-resolution pixel window. */
  window: PixelWindow;
  /** Tile outline in WGS84, densified; null for scenes without georeferencing. */
  polygon: PolygonGeometry | null;
}

export interface ModelSummary {
  id: string;
  name: string;
  sha256: string;
  provider: string;
  languages: string[];
}

export interface TilingSummary {
  tileSizePx: number;
  overlapPx: number;
  tileGroundM: number | null;
  level: number;
  bands: number[];
  tilesTotal: number;
  tilesEmbedded: number;
  tilesSkipped: number;
}

export interface SearchResult {
  scene: { source: string; width: number; height: number; crs: string | null };
  model: ModelSummary;
  query: { text?: string; tileIndex?: number; image?: string };
  tiling: TilingSummary;
  hits: Hit[];
  /** Statistics of every tile's score, to judge whether the best hits stand out. */
  scoreStats: { min: number; max: number; mean: number; std: number };
  elapsedMs: number;
}

export interface ExportOptions {
  /** 'wgs84' (RFC 7946, default) or 'native' (scene CRS, legacy "crs" member: not RFC 7946). */
  crs?: 'wgs84' | 'native';
  /** Segments per tile edge in the output polygons. Default 8. */
  densify?: number;
}

export interface EngineApi {
  /** Reads a scene's metadata. */
  info(source: string, ctx?: TaskContext): Promise<SceneInfo>;
  search(params: SearchParams, ctx?: TaskContext): Promise<SearchResult>;
  similar(params: SimilarParams, ctx?: TaskContext): Promise<SearchResult>;
  /** Hits as a GeoJSON FeatureCollection with provenance. */
  hitsToGeoJSON(result: SearchResult, options?: ExportOptions): Promise<FeatureCollection>;
  dispose(): Promise<void>;
}
