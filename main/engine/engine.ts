// createEngine: the engine's only entry point. Opens scenes, loads models, embeds tiles, searches and exports.
import type { FeatureCollection } from '../../shared/geo/types.js';
import type { EngineApi, ExportOptions, Hit, SearchParams, SearchResult, SimilarParams, TilingParams } from '../../shared/protocol/engine-api.js';
import { EngineError, ErrorCodes, throwIfAborted } from '../../shared/protocol/errors.js';
import type { TaskContext } from '../../shared/protocol/progress.js';
import type { SceneInfo } from '../../shared/protocol/scene.js';
import { loadModel } from './model/index.js';
import { defaultModelSearchPaths, DEFAULT_MODEL_ID, resolveModelDir } from './model/resolve-model.js';
import type { ExecutionProviderName, Model } from './model/types.js';
import { resolveBands } from './raster/bands.js';
import { openScene } from './raster/open-scene.js';
import { computeStretch } from './raster/stretch.js';
import type { Scene } from './raster/types.js';
import { embedScene, type SceneEmbeddings } from './tasks/embed-scene.js';
import { readExampleImage } from './tasks/example-image.js';
import { hitsToFeatureCollection, windowToWgs84Polygon } from './tasks/export-geojson.js';
import { scoreAll, scoreStats, selectHits } from './tasks/rank.js';
import { planTiles } from './tiling/tile-plan.js';
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

export function createEngine(options: EngineOptions = {}): Engine {
  const searchPaths = options.modelSearchPaths ?? defaultModelSearchPaths(packageRoot());
  const models = new Map<string, Promise<Model>>();
  const scenes = new Map<string, Promise<Scene>>();
  const embeddings = new Map<string, SceneEmbeddings>();
  let disposed = false;

  const getModel = (idOrPath?: string): Promise<Model> => {
    if (disposed) throw new EngineError(ErrorCodes.INTERNAL, 'Engine used after dispose()');
    const dir = resolveModelDir(idOrPath ?? options.defaultModel ?? DEFAULT_MODEL_ID, searchPaths);
    let m = models.get(dir);
    if (!m) {
      m = loadModel(dir, { provider: options.provider ?? 'auto', intraOpThreads: options.threads ?? 0, batchSize: options.batchSize ?? DEFAULTS.batchSize });
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

  async function embed(scene: Scene, model: Model, t: TilingParams, ctx: TaskContext): Promise<SceneEmbeddings> {
    checkNumber('minValid', t.minValid, 0, 1);
    const plan = planTiles(scene.info, { tile: t.tile, overlap: t.overlap, modelInputSize: model.info.manifest.vision.imageSize });
    const bands = resolveBands(scene.info, t.bands ?? 'rgb');
    const key = JSON.stringify([scene.info.source, model.info.manifestSha256, plan.tileSizePx, plan.overlapPx, plan.level, bands, t.minValid ?? DEFAULTS.minValid]);
    const cached = embeddings.get(key);
    if (cached) return cached;
    ctx.onProgress?.({ stage: 'stretch', done: 0, total: 1 });
    const stretch = await computeStretch(scene, bands, { signal: ctx.signal });
    const result = await embedScene(scene, model, {
      plan,
      bands,
      stretch,
      minValid: t.minValid ?? DEFAULTS.minValid,
      batchSize: options.batchSize ?? DEFAULTS.batchSize,
      signal: ctx.signal,
      onProgress: ctx.onProgress,
    });
    embeddings.set(key, result);
    return result;
  }

  function finish(scene: Scene, model: Model, emb: SceneEmbeddings, query: Float32Array, p: { top?: number; minScore?: number; suppressIoU?: number }, exclude: Set<number> | undefined, q: SearchResult['query'], t0: number): SearchResult {
    const scores = scoreAll(emb.vectors, emb.dim, query);
    const picked = selectHits(emb.records, scores, { top: p.top ?? DEFAULTS.top, minScore: p.minScore, suppressIoU: p.suppressIoU ?? DEFAULTS.suppressIoU, exclude });
    const hits: Hit[] = picked.map((i, k) => {
      const r = emb.records[i];
      return { rank: k + 1, score: scores[i], tileIndex: r.index, row: r.row, col: r.col, window: r.window, polygon: windowToWgs84Polygon(scene, r.window) };
    });
    const crs = scene.info.crs;
    return {
      scene: { source: scene.info.source, width: scene.info.width, height: scene.info.height, crs: crs ? (crs.epsg ? `EPSG:${crs.epsg}` : crs.proj4 ?? crs.wkt ?? crs.name) : null },
      model: { id: model.info.manifest.id, name: model.info.manifest.name, sha256: model.info.manifestSha256, provider: model.info.provider, languages: model.info.manifest.languages },
      query: q,
      tiling: {
        tileSizePx: emb.plan.tileSizePx,
        overlapPx: emb.plan.overlapPx,
        tileGroundM: emb.plan.tileGroundM,
        level: emb.plan.level,
        bands: emb.bands.map((b) => b + 1),
        tilesTotal: emb.tilesTotal,
        tilesEmbedded: emb.records.length,
        tilesSkipped: emb.tilesSkipped,
      },
      hits,
      scoreStats: scoreStats(scores),
      elapsedMs: Date.now() - t0,
    };
  }

  function checkRanking(p: { top?: number; minScore?: number; suppressIoU?: number }): void {
    checkNumber('top', p.top, 1, 100_000, true);
    checkNumber('minScore', p.minScore, -1, 1);
    checkNumber('suppressIoU', p.suppressIoU, 0, 1);
  }

  return {
    async info(source: string, ctx: TaskContext = {}): Promise<SceneInfo> {
      const scene = await getScene(source, ctx.signal);
      return scene.info;
    },

    async search(p: SearchParams, ctx: TaskContext = {}): Promise<SearchResult> {
      const t0 = Date.now();
      checkRanking(p);
      if (typeof p.query !== 'string' || p.query.trim() === '') throw new EngineError(ErrorCodes.BAD_ARGUMENT, 'The query is empty: type what to look for, e.g. "airplanes parked near a runway".');
      const model = await getModel(p.model);
      const scene = await getScene(p.scene, ctx.signal);
      const [q] = await model.encodeTexts([p.query.trim()], { signal: ctx.signal });
      const emb = await embed(scene, model, p, ctx);
      throwIfAborted(ctx.signal);
      if (emb.records.length === 0) throw new EngineError(ErrorCodes.NOTHING_TO_DO, `No tile of ${scene.info.source} has enough valid pixels (all ${emb.tilesTotal} are nodata/masked); lower --min-valid or check the band mapping.`);
      return finish(scene, model, emb, q, p, undefined, { text: p.query }, t0);
    },

    async similar(p: SimilarParams, ctx: TaskContext = {}): Promise<SearchResult> {
      const t0 = Date.now();
      checkRanking(p);
      if ((p.tileIndex === undefined) === (p.image === undefined)) throw new EngineError(ErrorCodes.BAD_ARGUMENT, 'Give exactly one example: a tile index of the scene or an image file.');
      const model = await getModel(p.model);
      const scene = await getScene(p.scene, ctx.signal);
      const emb = await embed(scene, model, p, ctx);
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
      return finish(scene, model, emb, query, p, exclude, p.tileIndex !== undefined ? { tileIndex: p.tileIndex } : { image: p.image }, t0);
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
      await Promise.allSettled(ms.map(async (m) => (await m).dispose()));
      await Promise.allSettled(ss.map(async (s) => (await s).close()));
    },
  };
}
