// The one contract between the engine and its front doors (CLI, Electron host, serve, UI).
import type { FeatureCollection, PixelWindow, PolygonGeometry } from '../geo/types.js';
import type { TaskContext } from './progress.js';
import type { SceneInfo } from './scene.js';

/** How a scene is cut into tiles and which bands the model sees. Strings as a user types them. */
export interface TilingParams {
  /** "224px", "150m"; default the model's input size in pixels, at least 224 px. */
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

/** Relevance feedback and saved queries (Rocchio re-ranking from cached embeddings). */
export interface FeedbackParams {
  /** Tile indices the analyst marked relevant / not relevant. */
  relevant?: number[];
  notRelevant?: number[];
  /** A query vector saved earlier (SavedQuery.vector) used instead of, or refined from, the text. */
  queryVector?: number[];
}

export interface SearchParams extends TilingParams, ModelParams, FeedbackParams {
  scene: string;
  /** The text query; may be empty when queryVector is given. */
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
  /**
   * Tile outline in WGS84, densified; null for scenes without georeferencing. Continuous for drawing: for a tile
   * across the antimeridian its longitudes are unwrapped, so they may exceed +-180 (e.g. 179.9 .. 180.1); all
   * outlines of one scene are unwrapped around the scene centre. Exports split such tiles at 180 (RFC 7946).
   */
  polygon: PolygonGeometry | null;
}

export interface ModelSummary {
  id: string;
  name: string;
  sha256: string;
  provider: string;
  languages: string[];
  /** Present when images went through a reduced-precision vision graph ('int8'); absent for fp32. */
  visionPrecision?: 'int8';
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

export interface Calibration {
  /** How far the best score stands above the scene's own score distribution, in standard deviations. */
  zTop: number;
  /** 'confident': the best hits stand out; 'weak': they barely do; 'no-match': nothing in the scene matches confidently. */
  verdict: 'confident' | 'weak' | 'no-match';
  message: string;
}

export interface SearchResult {
  /** fingerprint: the scene's content hash when it went through the index. */
  scene: { source: string; width: number; height: number; crs: string | null; fingerprint?: string | null };
  model: ModelSummary;
  query: { text?: string; tileIndex?: number; image?: string };
  tiling: TilingSummary;
  hits: Hit[];
  /** Statistics of every tile's score, to judge whether the best hits stand out. */
  scoreStats: { min: number; max: number; mean: number; std: number };
  calibration: Calibration;
  /** The query vector actually used (after feedback), for saving and re-running on other scenes. */
  queryVector: number[];
  /** The index entry the embeddings came from (null when the engine runs without an index). */
  entryId: string | null;
  elapsedMs: number;
}

export interface IndexParams extends TilingParams, ModelParams {
  scene: string;
}

export interface IndexResult {
  entryId: string | null;
  source: string;
  tilesTotal: number;
  tilesEmbedded: number;
  tilesSkipped: number;
  /** Grid position the run started from: > 0 when it resumed an interrupted run. */
  resumedFrom: number;
  /** The scene was already fully indexed with these settings: nothing was computed. */
  alreadyIndexed: boolean;
  elapsedMs: number;
}

export interface CatalogEntry {
  id: string;
  source: string;
  fingerprint: string;
  model: { id: string; sha256: string };
  tiling: { tileSizePx: number; overlapPx: number; level: number; bands: number[]; minValid: number };
  tilesTotal: number;
  tilesIndexed: number;
  complete: boolean;
  bytes: number;
  createdAt: string;
  /** Made by an earlier Geosift whose reading of the pixels differs: still searched, re-indexed when indexed again. */
  stale?: boolean;
}

export interface CatalogSearchParams extends ModelParams, FeedbackParams {
  query: string;
  top?: number;
  minScore?: number;
  /** Only tiles intersecting this WGS84 box [west, south, east, north]; west > east for a box across the antimeridian (RFC 7946 section 5.2). */
  bbox?: [number, number, number, number];
  /** Only these scenes (paths/URLs as indexed). */
  scenes?: string[];
}

export interface CatalogHit {
  rank: number;
  score: number;
  entryId: string;
  source: string;
  tileIndex: number;
  window: PixelWindow;
  /** The tile's WGS84 box [west, south, east, north]; west > east for a tile across the antimeridian. */
  bbox: [number, number, number, number] | null;
}

export interface CatalogSearchResult {
  query: string;
  model: ModelSummary;
  hits: CatalogHit[];
  scenesSearched: number;
  tilesSearched: number;
  /**
   * How the tiles were scored: every one exactly, or (large catalogs without filters) an IVF index opening `nprobe`
   * of its `cells` and scoring the `scanned` tiles in them exactly.
   */
  method?: { kind: 'exact' } | { kind: 'approximate'; nprobe: number; cells: number; scanned: number };
  elapsedMs: number;
}

export interface ExportOptions {
  /** 'wgs84' (RFC 7946, default) or 'native' (scene CRS, legacy "crs" member: not RFC 7946). */
  crs?: 'wgs84' | 'native';
  /** Segments per tile edge in the output polygons. Default 8. */
  densify?: number;
}

export interface LabelParams extends TilingParams, ModelParams {
  scene: string;
  /** Classes typed by the user, comma-separated ("forest, water, buildings") ... */
  classes?: string;
  /** ... or a built-in scheme ("eurosat", "ucmerced", "esa-worldcover", "corine-l1") or a scheme file. */
  scheme?: string;
  /** Language of the class names and prompt templates; default "en". */
  lang?: string;
  /** Below this softmax probability a tile is "unknown" (default 0.3). */
  minProbability?: number;
  minMargin?: number;
  /** Prompt-template ensembling (default true). */
  ensemble?: boolean;
}

export interface LabelClass {
  id: string;
  name: string;
  /** Value in the class raster (0 unknown, 255 nodata). */
  value: number;
  color: string;
}

export interface LabelTile {
  tileIndex: number;
  row: number;
  col: number;
  window: PixelWindow;
  classId: string;
  probability: number;
  runnerUpId: string | null;
  runnerUpProbability: number;
  margin: number;
  /** The tile's WGS84 outline, continuous like Hit.polygon: longitudes may exceed +-180 for a tile across the antimeridian. */
  polygon: PolygonGeometry | null;
}

export interface LabelArea {
  id: string;
  name: string;
  value: number;
  color: string;
  tiles: number;
  areaHa: number;
  areaKm2: number;
  fraction: number;
  meanProbability: number | null;
}

/** A labeling run as plain data (the class raster stays in the engine for export). */
export interface LabelSummary {
  /** Handle for exportLabels. */
  labelId: string;
  scene: { source: string; width: number; height: number; crs: string | null };
  model: ModelSummary;
  scheme: { id: string; name: string; language: string; classes: LabelClass[] };
  tiling: TilingSummary;
  thresholds: { minProbability: number; minMargin: number };
  tiles: LabelTile[];
  areas: LabelArea[];
  areaMethod: 'ellipsoid' | 'planar-crs' | 'none';
  /** The class raster: one value per cell of `cellSizePx` full-resolution pixels starting at `originPx`. */
  raster: { width: number; height: number; cellSizePx: number; originPx: [number, number]; values: number[] };
  notes: string[];
  elapsedMs: number;
}

export type ExportFormatId = 'geojson' | 'fgb' | 'csv' | 'cog';

export interface ExportRequest {
  format: ExportFormatId;
  /** Labels: dissolve tiles into one multipolygon per class (GeoJSON/FlatGeobuf). */
  dissolve?: boolean;
  /** Labels CSV: 'summary' (per class, default) or 'tiles'. */
  csvTable?: 'summary' | 'tiles';
  crs?: 'wgs84' | 'native';
}

export interface ExportedFile {
  format: ExportFormatId;
  mediaType: string;
  extension: string;
  /** Text formats as text, binary ones (fgb, cog) as base64. */
  text?: string;
  base64?: string;
}

export interface PreviewTileParams {
  scene: string;
  /** Band mapping, as for search; the same stretch the model sees. */
  bands?: string;
  /** Overview level (0 = full resolution) and tile column/row in that level's pixel grid. */
  level: number;
  x: number;
  y: number;
  /** Tile edge in the level's pixels; default 256. */
  tileSize?: number;
}

export interface PreviewTile {
  width: number;
  height: number;
  /** RGBA PNG, base64 (alpha 0 where the scene has no data). */
  pngBase64: string;
}

/** An installed model package, as the model picker shows it. */
export interface ModelListing {
  id: string;
  name: string;
  languages: string[];
  license: string;
  embeddingDim: number;
  imageSize: number;
  /** The model used when a call names none. */
  isDefault: boolean;
  /** Package folder (local front doors only; serve and the Electron host leave it out). */
  dir?: string;
}

export interface EngineApi {
  /** Installed model packages found in the model folders, default first. */
  listModels(): Promise<ModelListing[]>;
  /** A display tile of the scene, rendered with the band mapping and stretch the model sees. */
  previewTile(params: PreviewTileParams, ctx?: TaskContext): Promise<PreviewTile>;
  /** Reads a scene's metadata. */
  info(source: string, ctx?: TaskContext): Promise<SceneInfo>;
  search(params: SearchParams, ctx?: TaskContext): Promise<SearchResult>;
  similar(params: SimilarParams, ctx?: TaskContext): Promise<SearchResult>;
  /** Embeds a scene's tiles into the on-disk index (resumes an interrupted run; a no-op when already done). */
  index(params: IndexParams, ctx?: TaskContext): Promise<IndexResult>;
  catalog(): Promise<CatalogEntry[]>;
  /** Removes index entries by id or scene path; returns the ids removed. */
  removeFromCatalog(idOrSource: string): Promise<string[]>;
  searchCatalog(params: CatalogSearchParams, ctx?: TaskContext): Promise<CatalogSearchResult>;
  /** Zero-shot land-cover labels for every tile, with legend and area per class. */
  label(params: LabelParams, ctx?: TaskContext): Promise<LabelSummary>;
  /** A labeling run in an export format (labelId from label()). */
  exportLabels(labelId: string, request: ExportRequest): Promise<ExportedFile>;
  /** Search hits in an export format. */
  exportHits(result: SearchResult, request: ExportRequest): Promise<ExportedFile>;
  /** Hits as a GeoJSON FeatureCollection with provenance. */
  hitsToGeoJSON(result: SearchResult, options?: ExportOptions): Promise<FeatureCollection>;
  dispose(): Promise<void>;
}

/** Arguments each EngineApi method takes before its TaskContext: the RPC layer's allow-list. */
export const ENGINE_METHODS = {
  listModels: 0,
  info: 1,
  previewTile: 1,
  index: 1,
  search: 1,
  similar: 1,
  catalog: 0,
  removeFromCatalog: 1,
  searchCatalog: 1,
  hitsToGeoJSON: 2,
  label: 1,
  exportLabels: 2,
  exportHits: 2,
} as const satisfies Partial<Record<keyof EngineApi, number>>;
