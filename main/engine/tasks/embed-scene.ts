// The indexing pipeline: read tiles -> band map + stretch -> model -> embeddings, with reads of batch n+1 overlapping inference of batch n.
import { defaultMaxListeners, setMaxListeners } from 'node:events';
import type { ProgressListener } from '../../../shared/protocol/progress.js';
import { throwIfAborted } from '../../../shared/protocol/errors.js';
import type { PixelWindow } from '../../../shared/geo/types.js';
import type { Model, RgbImage } from '../model/types.js';
import type { Scene, WindowData } from '../raster/types.js';
import type { BandStretch } from '../raster/stretch.js';
import { toRgb } from '../raster/stretch.js';
import type { TilePlan } from '../tiling/tile-plan.js';

/** Batches of tiles whose windows are requested ahead of the one being read. */
const READ_AHEAD_BATCHES = 2;

export interface TileRecord {
  index: number;
  row: number;
  col: number;
  window: PixelWindow;
  /** Fraction of the tile's pixels that hold data. */
  validFraction: number;
}

export interface SceneEmbeddings {
  plan: TilePlan;
  bands: number[];
  /** Embedded tiles, in grid order; skipped tiles are absent. */
  records: TileRecord[];
  /** records.length x dim, row-major, L2-normalised. */
  vectors: Float32Array;
  dim: number;
  tilesTotal: number;
  tilesSkipped: number;
}

export interface EmbedSceneOptions {
  plan: TilePlan;
  bands: number[];
  stretch: BandStretch[];
  /** Tiles with a smaller valid fraction are skipped. */
  minValid: number;
  batchSize: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Grid position to start from (resuming an interrupted run); earlier tiles are the caller's. */
  start?: number;
  /** Called after each batch is embedded, before the next is awaited: the place to persist it. */
  onBatch?: (batch: EmbeddedBatch) => Promise<void>;
}

export interface EmbeddedBatch {
  /** Every grid position of the batch in order, embedded or skipped. */
  processed: { index: number; validFraction: number; embedded: boolean }[];
  /** One vector per embedded tile, in order. */
  vectors: Float32Array[];
  /** Grid position after the batch. */
  next: number;
}

interface Batch {
  images: RgbImage[];
  records: TileRecord[];
  processed: EmbeddedBatch['processed'];
  /** Grid position to continue from. */
  next: number;
  skipped: number;
}

export async function embedScene(scene: Scene, model: Model, o: EmbedSceneOptions): Promise<SceneEmbeddings> {
  const tiles = o.plan.grid.tiles;
  const total = tiles.length;
  const dim = model.embeddingDim;

  // Read-ahead: the windows of the next tiles are requested before they are needed, so that their file reads and
  // block decodes (libuv's thread pool, the decode workers) run while the model works on the current batch, which
  // holds this thread. Reading one tile at a time left this thread idle for every block decode.
  const ahead = new Map<number, Promise<WindowData>>();
  const lookahead = Math.max(1, READ_AHEAD_BATCHES * o.batchSize);
  // Each window in flight listens to the signal until it is read (one listener each, removed after): more than Node's
  // default of 10 is expected here, not a leak.
  if (o.signal) setMaxListeners(Math.max(defaultMaxListeners, lookahead + 16), o.signal);
  let requested = o.start ?? 0;
  const readTile = (i: number): Promise<WindowData> => {
    while (requested < total && requested <= i + lookahead) {
      const p = scene.readWindow(tiles[requested].window, { bands: o.bands, level: o.plan.level, signal: o.signal });
      p.catch(() => undefined); // a failed read is raised when its tile is reached
      ahead.set(requested++, p);
    }
    const p = ahead.get(i)!;
    ahead.delete(i);
    return p;
  };

  const loadBatch = async (start: number): Promise<Batch> => {
    const batch: Batch = { images: [], records: [], processed: [], next: start, skipped: 0 };
    while (batch.next < total && batch.images.length < o.batchSize) {
      throwIfAborted(o.signal);
      const t = tiles[batch.next];
      const data = await readTile(batch.next++);
      const { image, validFraction } = toRgb(data, o.stretch);
      if (validFraction < o.minValid) {
        batch.skipped++;
        batch.processed.push({ index: t.index, validFraction, embedded: false });
        continue;
      }
      batch.processed.push({ index: t.index, validFraction, embedded: true });
      batch.images.push(image);
      batch.records.push({ index: t.index, row: t.row, col: t.col, window: t.window, validFraction });
    }
    return batch;
  };

  const records: TileRecord[] = [];
  const chunks: Float32Array[] = [];
  let skipped = 0;
  const start = o.start ?? 0;
  let pending: Promise<Batch> = loadBatch(start);
  for (;;) {
    const batch = await pending;
    skipped += batch.skipped;
    const more = batch.next < total;
    if (batch.images.length === 0 && !more) break;
    // Start inference first (its pre-processing is synchronous), then decode the next batch while ONNX Runtime works on its own threads.
    const encoding = batch.images.length ? model.encodeImages(batch.images, { signal: o.signal }) : Promise.resolve([]);
    pending = more ? loadBatch(batch.next) : Promise.resolve({ images: [], records: [], processed: [], next: total, skipped: 0 });
    pending.catch(() => undefined); // rejection is re-raised when awaited; avoid an unhandled-rejection warning meanwhile
    const vectors = await encoding;
    if (o.onBatch && batch.processed.length) await o.onBatch({ processed: batch.processed, vectors, next: batch.next });
    for (const v of vectors) chunks.push(v);
    records.push(...batch.records);
    o.onProgress?.({ stage: 'embed', done: batch.next, total, unit: 'tiles' });
    if (!more) break;
  }
  const vectors = new Float32Array(records.length * dim);
  chunks.forEach((v, i) => vectors.set(v, i * dim));
  return { plan: o.plan, bands: o.bands, records, vectors, dim, tilesTotal: total, tilesSkipped: skipped };
}
