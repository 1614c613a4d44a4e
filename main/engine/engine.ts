// createEngine: the engine's only entry point. Opens scenes, loads models, indexes tiles, searches and exports.
import { bboxesIntersect, lonLatBBox, unwrapRing } from '../../shared/geo/geojson.js';
import type { BBox, FeatureCollection, Position } from '../../shared/geo/types.js';
import type {
  CatalogEntry, CatalogHit, CatalogSearchParams, CatalogSearchResult, EngineApi, ExportOptions, FeedbackParams, Hit,
  ExportedFile, ExportRequest, IndexParams, IndexResult, LabelParams, LabelSummary, ModelListing, PreviewTile, PreviewTileParams,
  SearchParams, SearchResult, SimilarParams, TilingParams,
} from '../../shared/protocol/engine-api.js';
import { exportAs, getExportFormat } from './export/index.js';
import { getScheme, labelEmbeddings, schemeFromClassList, type LabelResult } from './label/index.js';
import { PNG } from 'pngjs';
import { EngineError, ErrorCodes, throwIfAborted } from '../../shared/protocol/errors.js';
import type { TaskContext } from '../../shared/protocol/progress.js';
import type { SceneInfo } from '../../shared/protocol/scene.js';
import { defaultIndexDir } from './index/data-dir.js';
import { sceneFingerprint } from './index/fingerprint.js';
import { searchIvfWith } from './index/ann.js';
import { catalogIvf, catalogSnapshot, loadCatalogRows, catalogKey, type CatalogRows } from './index/catalog-rows.js';
import { IndexStore, isStale, type EntryKey, type EntrySummary, type StoredTile } from './index/store.js';
import { loadModel, MANIFEST_FILE, parseManifest } from './model/index.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { defaultModelSearchPaths, DEFAULT_MODEL_ID, resolveModelDir } from './model/resolve-model.js';
import type { ExecutionProviderName, Model, VisionPrecision } from './model/types.js';
import { resolveBands } from './raster/bands.js';
import { openScene } from './raster/open-scene.js';
import { computeStretch, toRgb, type BandStretch } from './raster/stretch.js';
import type { Scene } from './raster/types.js';
import { calibrate } from './tasks/calibrate.js';
import { crsLabel, modelSummary, tilingSummary } from './tasks/summaries.js';
import { embedScene, type SceneEmbeddings, type TileRecord } from './tasks/embed-scene.js';
import { readExampleImage } from './tasks/example-image.js';
import { hitsToFeatureCollection, windowToWgs84Polygon } from './tasks/export-geojson.js';
import { rocchio } from './tasks/feedback.js';
import { scoreStats, selectHits } from './tasks/rank.js';
import { createVectorScorer } from './tasks/scorer.js';
import { planTiles, type TilePlan } from './tiling/tile-plan.js';
import { packageRoot } from './version.js';

export interface EngineOptions {
  /** Folders searched for model ids; default: the app's models/ then the per-user folder. */
  modelSearchPaths?: string[];
  /** Model used when a call names none. */
  defaultModel?: string;
  provider?: ExecutionProviderName;
  /** ONNX Runtime intra-op threads (0 = its default). */
  threads?: number;
  /** Tiles per inference batch. */
  batchSize?: number;
  /** 'int8' uses a package's int8 vision graph where it has one (ModelLoadOptions.visionPrecision). Default 'fp32'. */
  visionPrecision?: VisionPrecision;
  /** Folder of the on-disk embedding index; default the per-user data folder; false keeps embeddings in memory only. */
  indexDir?: string | false;
  /** Catalog search keeps the catalog's vectors in memory up to this many bytes (default a quarter of RAM, at most 3 GiB). */
  catalogMemoryBytes?: number;
  /** Catalogs of at least this many tiles are searched approximately (IVF) when no scene or box filter is set; default 250 000. */
  approximateFrom?: number;
  /** IVF cells opened per query (default 16: recall@10 0.998 at 1e6 tiles in bench/search.ts). */
  nprobe?: number;
}

export interface Engine extends EngineApi {
  /** The model a call would use, loaded (for `geosift models` and the UI's model picker). */
  model(idOrPath?: string): Promise<Model>;
}

export const DEFAULTS = { top: 10, suppressIoU: 0.2, minValid: 0.5, batchSize: 16 } as const;

function checkNumber(name: string, v: number | undefined, lo: number, hi: number, integer = false): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `${name} must be ${integer ? 'a whole number' : 'a number'} from ${lo} to ${hi}, got ${String(v)}`);
  }
}

interface Embedded {
  emb: SceneEmbeddings;
  entryId: string | null;
  fingerprint: string | null;
  resumedFrom: number;
  alreadyIndexed: boolean;
}

/** A tile's WGS84 box (RFC 7946: west > east for a tile across the antimeridian), from 8 points round its edge. */
function tileBBox(scene: Scene, t: { x: number; y: number; width: number; height: number }): BBox | null {
  if (!scene.info.geoTransform || !scene.info.crs?.proj4) return null;
  try {
    const pts = [[t.x, t.y], [t.x + t.width / 2, t.y], [t.x + t.width, t.y], [t.x + t.width, t.y + t.height / 2], [t.x + t.width, t.y + t.height], [t.x + t.width / 2, t.y + t.height], [t.x, t.y + t.height], [t.x, t.y + t.height / 2]];
    const ll: Position[] = pts.map(([c, r]) => scene.pixelToWgs84(c, r));
    return ll.every((p) => Number.isFinite(p[0]) && Number.isFinite(p[1])) ? lonLatBBox([unwrapRing(ll)]) : null;
  } catch {
    return null;
  }
}

function packExport(request: ExportRequest, data: string | Uint8Array): ExportedFile {
  const f = getExportFormat(request.format);
  const base = { format: request.format, mediaType: f.mediaType, extension: f.extension };
  return typeof data === 'string' ? { ...base, text: data } : { ...base, base64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') };
}

export function createEngine(options: EngineOptions = {}): Engine {
  const searchPaths = options.modelSearchPaths ?? defaultModelSearchPaths(packageRoot());
  const indexDir = options.indexDir === false ? null : options.indexDir ?? defaultIndexDir();
  const models = new Map<string, Promise<Model>>();
  const scenes = new Map<string, Promise<Scene>>();
  const embeddings = new Map<string, SceneEmbeddings>();
  /** The catalog matrix of the model searched last (catalog-rows.ts), reloaded when the catalog changes. */
  let catalogRows: { modelSha: string; rows: Promise<CatalogRows> } | null = null;
  const catalogBudget = options.catalogMemoryBytes ?? Math.min(3 * 2 ** 30, Math.floor(totalmem() / 4));
  const stretches = new Map<string, Promise<BandStretch[]>>();
  const fingerprints = new Map<string, string>();
  /** Recent labeling runs, kept for export (their class rasters are typed arrays that stay here). */
  const labelRuns = new Map<string, { scene: Scene; result: LabelResult }>();
  let labelSeq = 0;
  const MAX_LABEL_RUNS = 8;
  let store: Promise<IndexStore> | null = null;
  let disposed = false;
  /** Exact search scores through ONNX Runtime's MatMul (JS for small scenes). */
  const scorer = createVectorScorer({ threads: options.threads || undefined });

  const getStore = (): Promise<IndexStore> | null => {
    if (!indexDir) return null;
    store ??= IndexStore.open(indexDir);
    store.catch(() => (store = null));
    return store;
  };

  const getModel = (idOrPath?: string): Promise<Model> => {
    if (disposed) throw new EngineError(ErrorCodes.INTERNAL, 'Engine used after dispose()');
    const dir = resolveModelDir(idOrPath ?? options.defaultModel ?? DEFAULT_MODEL_ID, searchPaths);
    let m = models.get(dir);
    if (!m) {
      m = loadModel(dir, { provider: options.provider ?? 'auto', intraOpThreads: options.threads ?? 0, batchSize: options.batchSize ?? DEFAULTS.batchSize, visionPrecision: options.visionPrecision });
      models.set(dir, m);
      m.catch(() => models.delete(dir));
    }
    return m;
  };

  const getScene = (source: string, signal?: AbortSignal): Promise<Scene> => {
    if (typeof source !== 'string' || source.trim() === '') throw new EngineError(ErrorCodes.BAD_ARGUMENT, 'No scene given');
    let s = scenes.get(source);
    if (!s) {
      s = openScene(source, { signal });
      scenes.set(source, s);
      s.catch(() => scenes.delete(source));
    }
    return s;
  };

  function fromStored(plan: TilePlan, bands: number[], dim: number, tiles: StoredTile[], vectors: Float32Array): SceneEmbeddings {
    const records: TileRecord[] = [];
    let skipped = 0;
    for (const t of tiles) {
      if (t.row < 0) {
        skipped++;
        continue;
      }
      const g = plan.grid.tiles[t.index];
      records.push({ index: t.index, row: g.row, col: g.col, window: t.window, validFraction: t.validFraction });
    }
    return { plan, bands, records, vectors, dim, tilesTotal: plan.grid.tiles.length, tilesSkipped: skipped };
  }

  async function embed(scene: Scene, model: Model, t: TilingParams, ctx: TaskContext): Promise<Embedded> {
    checkNumber('minValid', t.minValid, 0, 1);
    const plan = planTiles(scene.info, { tile: t.tile, overlap: t.overlap, modelInputSize: model.info.manifest.vision.imageSize });
    const bands = resolveBands(scene.info, t.bands ?? 'rgb');
    const minValid = t.minValid ?? DEFAULTS.minValid;
    const memKey = JSON.stringify([scene.info.source, model.info.embeddingKey, plan.tileSizePx, plan.overlapPx, plan.level, bands, minValid]);
    const cached = embeddings.get(memKey);
    if (cached) return { emb: cached, entryId: null, fingerprint: fingerprints.get(scene.info.source) ?? null, resumedFrom: 0, alreadyIndexed: true };
    const dim = model.embeddingDim;
    const run = async (start: number, onBatch?: Parameters<typeof embedScene>[2]['onBatch']) => {
      ctx.onProgress?.({ stage: 'stretch', done: 0, total: 1 });
      const stretch = await getStretch(scene, bands, ctx.signal);
      return embedScene(scene, model, { plan, bands, stretch, minValid, batchSize: options.batchSize ?? DEFAULTS.batchSize, signal: ctx.signal, onProgress: ctx.onProgress, start, onBatch });
    };

    const st = getStore();
    if (!st) {
      const emb = await run(0);
      embeddings.set(memKey, emb);
      return { emb, entryId: null, fingerprint: null, resumedFrom: 0, alreadyIndexed: false };
    }
    const s = await st;
    const fingerprint = await sceneFingerprint(scene.info.source, { cacheDir: s.dir, signal: ctx.signal, onProgress: ctx.onProgress });
    fingerprints.set(scene.info.source, fingerprint);
    const key: EntryKey = { scene: fingerprint, model: { id: model.info.manifest.id, sha256: model.info.embeddingKey }, tiling: { tileSizePx: plan.tileSizePx, overlapPx: plan.overlapPx, level: plan.level, bands, minValid } };
    let reader = await s.reader(key);
    let resumedFrom = 0;
    // An entry made by an earlier pixel pipeline is indexed again (the writer starts it over).
    const alreadyIndexed = reader?.commit.complete === true && !isStale(reader.meta);
    if (!alreadyIndexed) {
      const writer = await s.writer(key, {
        source: scene.info.source,
        scene: { width: scene.info.width, height: scene.info.height, crs: crsLabel(scene.info), boundsWgs84: scene.info.boundsWgs84 },
        grid: { rows: plan.grid.rows, cols: plan.grid.cols, tilesTotal: plan.grid.tiles.length, windows: plan.grid.tiles.map((g) => [g.window.x, g.window.y, g.window.width, g.window.height]) },
        dim,
      });
      try {
        resumedFrom = writer.commit.positions;
        if (resumedFrom < plan.grid.tiles.length) {
          await run(resumedFrom, (b) => writer.append(b.processed.map((p) => ({ ...p, bbox: tileBBox(scene, plan.grid.tiles[p.index].window) })), b.vectors));
        }
        await writer.complete();
      } finally {
        await writer.close();
      }
      reader = await s.reader(key);
    }
    const { tiles, vectors } = await reader!.load();
    const emb = fromStored(plan, bands, dim, tiles, vectors);
    embeddings.set(memKey, emb);
    return { emb, entryId: reader!.meta.id, fingerprint, resumedFrom, alreadyIndexed };
  }

  /** The query vector: the text's (or a saved one), refined by feedback on tiles of this scene. */
  function feedbackVector(base: Float32Array | null, emb: SceneEmbeddings, f: FeedbackParams): Float32Array {
    const rel = f.relevant ?? [];
    const non = f.notRelevant ?? [];
    if (rel.length === 0 && non.length === 0) {
      if (!base) throw new EngineError(ErrorCodes.BAD_ARGUMENT, 'The query is empty: type what to look for, or mark tiles relevant.');
      return base;
    }
    const pick = (ids: number[]) =>
      ids.map((id) => {
        const pos = emb.records.findIndex((r) => r.index === id);
        if (pos < 0) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Tile ${id} is not an embedded tile of this scene (0..${emb.tilesTotal - 1}, mostly-nodata tiles excluded).`);
        return emb.vectors.subarray(pos * emb.dim, (pos + 1) * emb.dim);
      });
    return rocchio(base, pick(rel), pick(non), emb.dim);
  }

  function baseQuery(model: Model, f: FeedbackParams): Float32Array | null {
    if (!f.queryVector) return null;
    if (!Array.isArray(f.queryVector) || f.queryVector.length !== model.embeddingDim || !f.queryVector.every(Number.isFinite)) {
      throw new EngineError(ErrorCodes.BAD_ARGUMENT, `The saved query vector has ${Array.isArray(f.queryVector) ? f.queryVector.length : 0} numbers; model ${model.info.manifest.id} needs ${model.embeddingDim}. Was it saved with another model?`);
    }
    return Float32Array.from(f.queryVector);
  }

  async function finish(scene: Scene, model: Model, e: Embedded, query: Float32Array, p: { top?: number; minScore?: number; suppressIoU?: number }, exclude: Set<number> | undefined, q: SearchResult['query'], t0: number): Promise<SearchResult> {
    const { emb } = e;
    const scores = await scorer.score(emb.vectors, emb.dim, query);
    const picked = selectHits(emb.records, scores, { top: p.top ?? DEFAULTS.top, minScore: p.minScore, suppressIoU: p.suppressIoU ?? DEFAULTS.suppressIoU, exclude });
    const hits: Hit[] = picked.map((i, k) => {
      const r = emb.records[i];
      return { rank: k + 1, score: scores[i], tileIndex: r.index, row: r.row, col: r.col, window: r.window, polygon: windowToWgs84Polygon(scene, r.window) };
    });
    const stats = scoreStats(scores);
    let best: number | undefined;
    scores.forEach((s, i) => {
      if (!exclude?.has(i) && (best === undefined || s > best)) best = s;
    });
    return {
      scene: { source: scene.info.source, width: scene.info.width, height: scene.info.height, crs: crsLabel(scene.info), fingerprint: e.fingerprint },
      model: modelSummary(model.info),
      query: q,
      tiling: tilingSummary(emb),

      hits,
      scoreStats: stats,
      calibration: calibrate(best, stats, emb.records.length),
      queryVector: Array.from(query),
      entryId: e.entryId,
      elapsedMs: Date.now() - t0,
    };
  }

  function checkRanking(p: { top?: number; minScore?: number; suppressIoU?: number }): void {
    checkNumber('top', p.top, 1, 100_000, true);
    checkNumber('minScore', p.minScore, -1, 1);
    checkNumber('suppressIoU', p.suppressIoU, 0, 1);
  }

  function nothingEmbedded(scene: Scene, e: Embedded): void {
    if (e.emb.records.length === 0) {
      throw new EngineError(ErrorCodes.NOTHING_TO_DO, `No tile of ${scene.info.source} has enough valid pixels (all ${e.emb.tilesTotal} are nodata/masked); lower --min-valid or check the band mapping.`);
    }
  }

  const getStretch = (scene: Scene, bands: number[], signal?: AbortSignal): Promise<BandStretch[]> => {
    const key = JSON.stringify([scene.info.source, bands]);
    let s = stretches.get(key);
    if (!s) {
      s = computeStretch(scene, bands, { signal });
      stretches.set(key, s);
      s.catch(() => stretches.delete(key));
    }
    return s;
  };

  return {
    async listModels(): Promise<ModelListing[]> {
      const defaultId = options.defaultModel ?? DEFAULT_MODEL_ID;
      const seen = new Set<string>();
      const out: ModelListing[] = [];
      for (const base of searchPaths) {
        if (!existsSync(base)) continue;
        for (const name of readdirSync(base).sort()) {
          const file = join(base, name, MANIFEST_FILE);
          if (!existsSync(file)) continue;
          try {
            const m = parseManifest(JSON.parse(readFileSync(file, 'utf8')), file);
            if (seen.has(m.id)) continue; // an earlier folder's package of the same id wins, as resolution does
            seen.add(m.id);
            out.push({ id: m.id, name: m.name, languages: m.languages, license: m.license, embeddingDim: m.embeddingDim, imageSize: m.vision.imageSize, isDefault: m.id === defaultId || name === defaultId, dir: join(base, name) });
          } catch {
            // A damaged package is not offered; loading it by id reports what is wrong.
          }
        }
      }
      return out.sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
    },

    async info(source: string, ctx: TaskContext = {}): Promise<SceneInfo> {
      const scene = await getScene(source, ctx.signal);
      return scene.info;
    },

    async previewTile(p: PreviewTileParams, ctx: TaskContext = {}): Promise<PreviewTile> {
      const scene = await getScene(p.scene, ctx.signal);
      const size = p.tileSize ?? 256;
      checkNumber('tileSize', size, 16, 1024, true);
      const ov = scene.info.overviews.find((o) => o.level === p.level);
      if (!ov) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Level ${p.level} does not exist: ${scene.info.source} has levels 0..${scene.info.overviews.length - 1}.`);
      checkNumber('x', p.x, 0, Math.ceil(ov.width / size) - 1, true);
      checkNumber('y', p.y, 0, Math.ceil(ov.height / size) - 1, true);
      const bands = resolveBands(scene.info, p.bands ?? 'rgb');
      const stretch = await getStretch(scene, bands, ctx.signal);
      const window = { x: p.x * size * ov.scaleX, y: p.y * size * ov.scaleY, width: size * ov.scaleX, height: size * ov.scaleY };
      const data = await scene.readWindow(window, { bands, level: p.level, signal: ctx.signal });
      const { image, valid } = toRgb(data, stretch);
      const png = new PNG({ width: image.width, height: image.height });
      for (let i = 0; i < image.width * image.height; i++) {
        png.data[i * 4] = image.data[i * 3];
        png.data[i * 4 + 1] = image.data[i * 3 + 1];
        png.data[i * 4 + 2] = image.data[i * 3 + 2];
        png.data[i * 4 + 3] = valid[i] ? 255 : 0;
      }
      return { width: image.width, height: image.height, pngBase64: PNG.sync.write(png).toString('base64') };
    },

    async index(p: IndexParams, ctx: TaskContext = {}): Promise<IndexResult> {
      const t0 = Date.now();
      const model = await getModel(p.model);
      const scene = await getScene(p.scene, ctx.signal);
      const e = await embed(scene, model, p, ctx);
      return { entryId: e.entryId, source: scene.info.source, tilesTotal: e.emb.tilesTotal, tilesEmbedded: e.emb.records.length, tilesSkipped: e.emb.tilesSkipped, resumedFrom: e.resumedFrom, alreadyIndexed: e.alreadyIndexed, elapsedMs: Date.now() - t0 };
    },

    async search(p: SearchParams, ctx: TaskContext = {}): Promise<SearchResult> {
      const t0 = Date.now();
      checkRanking(p);
      const text = typeof p.query === 'string' ? p.query.trim() : '';
      if (!text && !p.queryVector && !p.relevant?.length) throw new EngineError(ErrorCodes.BAD_ARGUMENT, 'The query is empty: type what to look for, e.g. "airplanes parked near a runway".');
      const model = await getModel(p.model);
      const scene = await getScene(p.scene, ctx.signal);
      const base = baseQuery(model, p) ?? (text ? (await model.encodeTexts([text], { signal: ctx.signal }))[0] : null);
      const e = await embed(scene, model, p, ctx);
      throwIfAborted(ctx.signal);
      nothingEmbedded(scene, e);
      const q = feedbackVector(base, e.emb, p);
      return finish(scene, model, e, q, p, undefined, { text: p.query }, t0);
    },

    async similar(p: SimilarParams, ctx: TaskContext = {}): Promise<SearchResult> {
      const t0 = Date.now();
      checkRanking(p);
      if ((p.tileIndex === undefined) === (p.image === undefined)) throw new EngineError(ErrorCodes.BAD_ARGUMENT, 'Give exactly one example: a tile index of the scene or an image file.');
      const model = await getModel(p.model);
      const scene = await getScene(p.scene, ctx.signal);
      const e = await embed(scene, model, p, ctx);
      nothingEmbedded(scene, e);
      const { emb } = e;
      let query: Float32Array;
      let exclude: Set<number> | undefined;
      if (p.tileIndex !== undefined) {
        checkNumber('tile index', p.tileIndex, 0, emb.tilesTotal - 1, true);
        const pos = emb.records.findIndex((r) => r.index === p.tileIndex);
        if (pos < 0) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Tile ${p.tileIndex} was skipped (mostly nodata) and cannot serve as an example.`);
        query = emb.vectors.subarray(pos * emb.dim, (pos + 1) * emb.dim);
        exclude = new Set([pos]);
      } else {
        const img = await readExampleImage(p.image!, p.bands ?? 'rgb', ctx.signal);
        [query] = await model.encodeImages([img], { signal: ctx.signal });
      }
      return finish(scene, model, e, query, p, exclude, p.tileIndex !== undefined ? { tileIndex: p.tileIndex } : { image: p.image }, t0);
    },

    async catalog(): Promise<CatalogEntry[]> {
      const st = getStore();
      if (!st) return [];
      return (await (await st).list()).map((e) => ({ id: e.id, source: e.source, fingerprint: e.scene, model: e.model, tiling: e.tiling, tilesTotal: e.tilesTotal, tilesIndexed: e.positions, complete: e.complete, bytes: e.bytes, createdAt: e.createdAt, stale: e.stale }));
    },

    async removeFromCatalog(idOrSource: string): Promise<string[]> {
      const st = getStore();
      if (!st) return [];
      const removed = await (await st).remove(idOrSource);
      embeddings.clear();
      catalogRows = null;
      return removed;
    },

    async searchCatalog(p: CatalogSearchParams, ctx: TaskContext = {}): Promise<CatalogSearchResult> {
      const t0 = Date.now();
      checkRanking(p);
      const st = getStore();
      if (!st) throw new EngineError(ErrorCodes.BAD_ARGUMENT, 'Catalog search needs the on-disk index, which this engine runs without.');
      const s = await st;
      const model = await getModel(p.model);
      const text = typeof p.query === 'string' ? p.query.trim() : '';
      const base = baseQuery(model, p) ?? (text ? (await model.encodeTexts([text], { signal: ctx.signal }))[0] : null);
      if (!base) throw new EngineError(ErrorCodes.BAD_ARGUMENT, 'The query is empty: type what to look for.');
      const top = p.top ?? DEFAULTS.top;
      const all = (await s.list()).filter((e) => e.model.sha256 === model.info.embeddingKey);
      const inScope = (e: EntrySummary) => !p.scenes?.length || p.scenes.includes(e.source);
      const entries = all.filter(inScope);
      const best: CatalogHit[] = [];
      let tilesSearched = 0;
      let method: CatalogSearchResult['method'] = { kind: 'exact' };
      const consider = (entry: EntrySummary, t: StoredTile, score: number) => {
        if (p.minScore !== undefined && score < p.minScore) return;
        if (best.length < top || score > best[best.length - 1].score) {
          best.push({ rank: 0, score, entryId: entry.id, source: entry.source, tileIndex: t.index, window: t.window, bbox: t.bbox });
          best.sort((a, b) => b.score - a.score);
          if (best.length > top) best.pop();
        }
      };
      const inBox = (t: StoredTile) => !p.bbox || (t.bbox !== null && bboxesIntersect(t.bbox, p.bbox));
      const totalRows = all.reduce((n, e) => n + e.rows, 0);

      if (totalRows * model.embeddingDim * 4 <= catalogBudget) {
        // The whole catalog of this model in memory: one product (or one IVF search) per query.
        const key = catalogKey(all);
        let rows = catalogRows?.modelSha === model.info.embeddingKey ? await catalogRows.rows.catch(() => null) : null;
        if (!rows || rows.key !== key) {
          ctx.onProgress?.({ stage: 'load-catalog', done: 0, total: all.length, unit: 'scenes' });
          const loading = loadCatalogRows(s, all, ctx.signal);
          catalogRows = { modelSha: model.info.embeddingKey, rows: loading };
          rows = await loading;
        }
        const approximate = !p.bbox && !p.scenes?.length && rows.vectors.length / Math.max(1, rows.dim) >= (options.approximateFrom ?? 250_000);
        if (approximate) {
          if (!rows.ivf) ctx.onProgress?.({ stage: 'build-search-index', done: 0, total: 1, unit: 'index' });
          const ivf = await catalogIvf(rows, scorer, ctx.signal);
          const nprobe = options.nprobe ?? 16;
          const r = await searchIvfWith(scorer, ivf, base, top, nprobe);
          for (let i = 0; i < r.ids.length; i++) {
            const part = rows.parts[rows.rowPart[r.ids[i]]];
            consider(part.entry, part.tiles[rows.rowTile[r.ids[i]]], r.scores[i]);
          }
          tilesSearched = rows.vectors.length / rows.dim;
          method = { kind: 'approximate', nprobe, cells: ivf.nlist, scanned: r.scanned };
        } else {
          const snap = catalogSnapshot(rows);
          const scores = await scorer.score(snap.vectors, rows.dim, base);
          for (const part of rows.parts) {
            if (!inScope(part.entry)) continue;
            for (const t of part.tiles) {
              if (t.row < 0 || t.row >= part.rows || !inBox(t)) continue;
              tilesSearched++;
              consider(part.entry, t, scores[snap.at(part.rowStart + t.row)]);
            }
          }
        }
        ctx.onProgress?.({ stage: 'search', done: entries.length, total: entries.length, unit: 'scenes' });
      } else {
        // Larger than the memory budget: one scene at a time from disk.
        let done = 0;
        for (const entry of entries) {
          throwIfAborted(ctx.signal);
          const reader = await s.reader({ scene: entry.scene, model: entry.model, tiling: entry.tiling });
          if (!reader) continue;
          const { tiles, vectors } = await reader.load();
          const scores = await scorer.score(vectors, reader.meta.dim, base);
          for (const t of tiles) {
            if (t.row < 0 || !inBox(t)) continue;
            tilesSearched++;
            consider(entry, t, scores[t.row]);
          }
          ctx.onProgress?.({ stage: 'search', done: ++done, total: entries.length, unit: 'scenes' });
        }
      }
      best.forEach((h, i) => (h.rank = i + 1));
      return {
        query: p.query,
        model: modelSummary(model.info),
        hits: best,
        scenesSearched: entries.length,
        tilesSearched,
        method,
        elapsedMs: Date.now() - t0,
      };
    },

    async label(p: LabelParams, ctx: TaskContext = {}): Promise<LabelSummary> {
      const t0 = Date.now();
      checkNumber('minProbability', p.minProbability, 0, 1);
      checkNumber('minMargin', p.minMargin, 0, 1);
      if (!p.classes === !p.scheme) throw new EngineError(ErrorCodes.BAD_ARGUMENT, 'Give either classes ("forest, water, buildings") or a scheme (eurosat, ucmerced, esa-worldcover, corine-l1, or a scheme file).');
      const scheme = p.classes ? schemeFromClassList(p.classes, p.lang ?? 'en') : getScheme(p.scheme!);
      const model = await getModel(p.model);
      const scene = await getScene(p.scene, ctx.signal);
      const e = await embed(scene, model, p, ctx);
      nothingEmbedded(scene, e);
      ctx.onProgress?.({ stage: 'label', done: 0, total: 1 });
      const result = await labelEmbeddings(scene, model, e.emb, { scheme, language: p.lang, minProbability: p.minProbability, minMargin: p.minMargin, ensemble: p.ensemble, fingerprint: e.fingerprint ?? undefined, signal: ctx.signal });
      const labelId = `labels-${++labelSeq}`;
      labelRuns.set(labelId, { scene, result });
      if (labelRuns.size > MAX_LABEL_RUNS) labelRuns.delete(labelRuns.keys().next().value!);
      const r = result.raster;
      return {
        labelId,
        scene: { source: result.scene.source, width: result.scene.width, height: result.scene.height, crs: result.scene.crs },
        model: result.model,
        scheme: { id: result.scheme.id, name: result.scheme.name, language: result.scheme.language, classes: result.scheme.classes.map((c) => ({ id: c.id, name: c.name, value: c.value, color: c.color })) },
        tiling: result.tiling,
        thresholds: result.thresholds,
        tiles: result.tiles.map((t) => ({ tileIndex: t.tileIndex, row: t.row, col: t.col, window: t.window, classId: t.classId, probability: t.probability, runnerUpId: t.runnerUpId, runnerUpProbability: t.runnerUpProbability, margin: t.margin, polygon: windowToWgs84Polygon(scene, t.window, 2) })),
        areas: result.areas.map((a) => ({ id: a.id, name: a.name, value: a.value, color: a.color, tiles: a.tiles, areaHa: a.areaHa, areaKm2: a.areaKm2, fraction: a.fraction, meanProbability: a.meanProbability })),
        areaMethod: result.areaMethod,
        raster: { width: r.width, height: r.height, cellSizePx: r.cellSizePx, originPx: [r.originPx, r.originPx], values: Array.from(r.data) },
        notes: result.notes,
        elapsedMs: Date.now() - t0,
      };
    },

    async exportLabels(labelId: string, request: ExportRequest): Promise<ExportedFile> {
      const run = labelRuns.get(labelId);
      if (!run) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `No labeling run ${labelId} in this session: label the scene again, then export.`);
      return packExport(request, exportAs(request.format, { kind: 'labels', scene: run.scene, result: run.result }, request));
    },

    async exportHits(result: SearchResult, request: ExportRequest): Promise<ExportedFile> {
      const scene = await getScene(result.scene.source);
      return packExport(request, exportAs(request.format, { kind: 'hits', scene, result, provenance: { fingerprint: result.scene.fingerprint ?? undefined } }, request));
    },

    async hitsToGeoJSON(result: SearchResult, exportOptions?: ExportOptions): Promise<FeatureCollection> {
      const scene = await getScene(result.scene.source);
      return hitsToFeatureCollection(scene, result, exportOptions);
    },

    model: (idOrPath?: string) => getModel(idOrPath),

    async dispose(): Promise<void> {
      if (disposed) return;
      disposed = true;
      const ms = [...models.values()];
      const ss = [...scenes.values()];
      models.clear();
      scenes.clear();
      embeddings.clear();
      catalogRows = null;
      stretches.clear();
      labelRuns.clear();
      await Promise.allSettled(ms.map(async (m) => (await m).dispose()));
      await Promise.allSettled(ss.map(async (s) => (await s).close()));
      await scorer.dispose();
    },
  };
}
