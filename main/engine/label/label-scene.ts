// Labels a scene's tile embeddings with a scheme: prompts, classification, the class raster and per-class areas.
import type { ModelSummary, TilingSummary } from '../../../shared/protocol/engine-api.js';
import { EngineError, ErrorCodes, throwIfAborted } from '../../../shared/protocol/errors.js';
import type { Scene } from '../raster/types.js';
import type { SceneEmbeddings } from '../tasks/embed-scene.js';
import { crsLabel, modelSummary, tilingSummary } from '../tasks/summaries.js';
import { cellAreasM2, planarCellAreasM2 } from './area.js';
import { buildClassRaster, type ClassRaster, type RasterLegendEntry } from './class-raster.js';
import { buildPrompts, classifyVectors, DEFAULT_MIN_PROBABILITY, embedClasses, type EncodeTexts, type PromptPlan } from './classify.js';
import { className } from './schemes.js';
import { NODATA_VALUE, UNKNOWN_VALUE, type ClassAreaSummary, type LabelScheme, type TileLabel } from './types.js';

export const UNKNOWN_COLOR = '#c8c8c8';
export const NODATA_COLOR = '#000000';

export interface LabelModel {
  info: { manifest: { id: string; name: string; logitScale: number; promptTemplates: Record<string, string[]>; languages: string[] }; manifestSha256: string; provider: string; visionPrecision?: string };
  encodeTexts: EncodeTexts;
}

export interface LabelOptions {
  scheme: LabelScheme;
  /** Language of the class names and prompt templates. Default "en". */
  language?: string;
  /** Default DEFAULT_MIN_PROBABILITY. */
  minProbability?: number;
  /** Default 0. */
  minMargin?: number;
  /** Prompt ensembling (default true). */
  ensemble?: boolean;
  /** The scene's content fingerprint, when the caller has one (index key); goes into the provenance. */
  fingerprint?: string;
  signal?: AbortSignal;
}

export interface LabelResult {
  kind: 'labels';
  scene: { source: string; width: number; height: number; crs: string | null; epsg: number | null; fingerprint: string | null };
  model: ModelSummary;
  scheme: { id: string; name: string; source: string | null; language: string; classes: RasterLegendEntry[] };
  prompts: PromptPlan;
  tiling: TilingSummary;
  thresholds: { minProbability: number; minMargin: number };
  /** One per embedded tile, grid order. */
  tiles: TileLabel[];
  raster: ClassRaster;
  /** How areas were measured: on the WGS84 ellipsoid, planar in a metric CRS, or not at all (no georeferencing). */
  areaMethod: 'ellipsoid' | 'planar-crs' | 'none';
  /** Per class, then "unknown" and "nodata" (value 0 and 255). */
  areas: ClassAreaSummary[];
  notes: string[];
  created: string;
}

export async function labelEmbeddings(scene: Scene, model: LabelModel, emb: SceneEmbeddings, o: LabelOptions): Promise<LabelResult> {
  const language = o.language ?? 'en';
  const minProbability = o.minProbability ?? DEFAULT_MIN_PROBABILITY;
  const minMargin = o.minMargin ?? 0;
  if (emb.records.length === 0) throw new EngineError(ErrorCodes.NOTHING_TO_DO, `No tile of ${scene.info.source} has enough valid pixels to label.`);
  const manifest = model.info.manifest;
  const plan = buildPrompts(o.scheme, language, manifest, { ensemble: o.ensemble });
  const notes = [...plan.notes];
  if (!manifest.languages.includes(language) && !manifest.languages.includes(language.split('-')[0])) {
    notes.push(`Model ${manifest.id} does not list "${language}" among its languages (${manifest.languages.join(', ')}); results may be poor.`);
  }
  const { matrix, dim } = await embedClasses(plan, (texts, opts) => model.encodeTexts(texts, opts), { signal: o.signal });
  if (dim !== emb.dim) throw new EngineError(ErrorCodes.MODEL_MISMATCH, `Text embeddings have ${dim} dims but the tile embeddings have ${emb.dim}: they come from different models.`);
  throwIfAborted(o.signal);
  const cls = classifyVectors(emb.vectors, matrix, dim, { logitScale: manifest.logitScale, minProbability, minMargin });
  const classes = o.scheme.classes;
  const tiles: TileLabel[] = emb.records.map((r, i) => {
    const c = cls[i];
    return {
      tileIndex: r.index,
      row: r.row,
      col: r.col,
      window: r.window,
      classIndex: c.classIndex,
      classId: c.classIndex >= 0 ? classes[c.classIndex].id : 'unknown',
      probability: c.probability,
      cosine: c.cosine,
      bestIndex: c.bestIndex,
      runnerUpIndex: c.runnerUpIndex,
      runnerUpId: c.runnerUpIndex >= 0 ? classes[c.runnerUpIndex].id : null,
      runnerUpProbability: c.runnerUpProbability,
      margin: c.margin,
    };
  });

  const legend: RasterLegendEntry[] = classes.map((c) => ({ value: c.value, id: c.id, name: className(c, language).name, color: c.color }));
  const values = new Map<number, number>();
  for (const t of tiles) values.set(t.tileIndex, t.classIndex >= 0 ? classes[t.classIndex].value : UNKNOWN_VALUE);
  const raster = buildClassRaster({ imageWidth: scene.info.width, imageHeight: scene.info.height, grid: emb.plan.grid, tileSizePx: emb.plan.tileSizePx, overlapPx: emb.plan.overlapPx, values, geoTransform: scene.info.geoTransform, legend });

  let areaMethod: LabelResult['areaMethod'] = 'none';
  let cellAreas: Float64Array | null = null;
  if (scene.info.geoTransform && scene.info.crs?.proj4) {
    cellAreas = cellAreasM2(raster, (c, r) => scene.pixelToWgs84(c, r));
    areaMethod = 'ellipsoid';
  } else if (scene.info.geoTransform && scene.info.crs?.units === 'metre') {
    const g = scene.info.geoTransform;
    cellAreas = planarCellAreasM2(raster, Math.abs(g[1] * g[5] - g[2] * g[4]));
    areaMethod = 'planar-crs';
    notes.push(`The CRS of ${scene.info.source} cannot be reprojected; areas are planar in its metric coordinates, not on the ellipsoid.`);
  } else {
    notes.push(`${scene.info.source} has no usable georeferencing; areas are not reported.`);
  }
  const areas = summariseAreas(raster, cellAreas, tiles, classes.map((c) => c.value), legend);
  const crs = scene.info.crs;
  return {
    kind: 'labels',
    scene: { source: scene.info.source, width: scene.info.width, height: scene.info.height, crs: crsLabel(scene.info), epsg: crs?.epsg ?? null, fingerprint: o.fingerprint ?? null },
    model: modelSummary(model.info),
    scheme: { id: o.scheme.id, name: o.scheme.name, source: o.scheme.source ?? null, language, classes: legend },
    prompts: plan,
    tiling: tilingSummary(emb),
    thresholds: { minProbability, minMargin },
    tiles,
    raster,
    areaMethod,
    areas,
    notes,
    created: new Date().toISOString(),
  };
}

/** Per-value totals of the class raster (cells and area) with each class's tile count and mean probability. */
export function summariseAreas(raster: ClassRaster, cellAreas: Float64Array | null, tiles: TileLabel[], classValues: number[], legend: RasterLegendEntry[]): ClassAreaSummary[] {
  const cells = new Float64Array(256), area = new Float64Array(256);
  for (let i = 0; i < raster.data.length; i++) {
    cells[raster.data[i]]++;
    if (cellAreas) area[raster.data[i]] += cellAreas[i];
  }
  let labelled = 0;
  for (let v = 0; v < 255; v++) labelled += area[v];
  const rows: ClassAreaSummary[] = [];
  const entry = (id: string, name: string, value: number, color: string, match: (t: TileLabel) => boolean): ClassAreaSummary => {
    const mine = tiles.filter(match);
    const m2 = area[value];
    return {
      id, name, value, color,
      tiles: mine.length,
      cells: cells[value],
      areaM2: cellAreas ? m2 : NaN,
      areaHa: cellAreas ? m2 / 1e4 : NaN,
      areaKm2: cellAreas ? m2 / 1e6 : NaN,
      fraction: cellAreas && labelled > 0 && value !== NODATA_VALUE ? m2 / labelled : value === NODATA_VALUE ? 0 : NaN,
      meanProbability: mine.length ? mine.reduce((s, t) => s + t.probability, 0) / mine.length : null,
    };
  };
  legend.forEach((l, i) => rows.push(entry(l.id, l.name, classValues[i], l.color, (t) => t.classIndex === i)));
  rows.push(entry('unknown', 'unknown', UNKNOWN_VALUE, UNKNOWN_COLOR, (t) => t.classIndex < 0));
  rows.push(entry('nodata', 'nodata', NODATA_VALUE, NODATA_COLOR, () => false));
  return rows;
}
