// The embedding index on disk: one folder per (scene fingerprint, model, tiling), append-only data files and an atomic commit record.
//
// Layout of an entry folder:
//   meta.json        written once, atomically, before any data: the key and the grid
//   tiles.bin        one 48-byte record per grid position processed (see TILE_RECORD)
//   vectors.f32      one row of `dim` float32 per embedded tile
//   commit.json      {positions, rows, complete, seq, check}: what of the data files is committed
//   commit.prev.json the commit before it, for when the newest cannot be read
//   lock             pid of the process writing the entry
// A batch is committed by writing its records at the committed offsets, fsyncing both data files,
// then replacing commit.json (temp file, fsync, rename, fsync of the folder). Anything in the data
// files past the committed sizes is garbage from an interrupted batch and is overwritten on resume.
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { access, mkdir, open, readdir, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BBox, PixelWindow } from '../../../shared/geo/types.js';
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import { GEOSIFT_VERSION } from '../version.js';

export const STORE_FORMAT = 'geosift-index-entry';
export const STORE_VERSION = 1;
/**
 * Version of what the model is shown for a tile and where a tile lies: bumped when reading, stretching or
 * preprocessing changes the pixels a model sees, or when tile footprints change, so that entries made before are
 * re-indexed instead of reused. 1: the first release; 2: colour-mapped (palette) TIFFs shown in their colours, tile
 * footprints continuous across the antimeridian (2026-11-30).
 */
export const PIXEL_PIPELINE = 2;
/** int32 grid index, float32 valid fraction, int32 vector row (-1 = skipped), int32 reserved, float64 x4 WGS84 bbox (NaN if none). */
export const TILE_RECORD = 48;

export interface EntryKey {
  /** Content fingerprint of the scene (sceneFingerprint). */
  scene: string;
  model: { id: string; sha256: string };
  tiling: { tileSizePx: number; overlapPx: number; level: number; bands: number[]; minValid: number };
}

export interface EntryMeta {
  format: typeof STORE_FORMAT;
  version: number;
  id: string;
  key: EntryKey;
  source: string;
  scene: { width: number; height: number; crs: string | null; boundsWgs84: BBox | null };
  grid: { rows: number; cols: number; tilesTotal: number; windows: [number, number, number, number][] };
  dim: number;
  createdAt: string;
  geosiftVersion: string;
  /** PIXEL_PIPELINE when the entry was made; absent in entries made before it existed (version 1). */
  pixelPipeline?: number;
}

export interface CommitState {
  /** Grid positions processed (embedded or skipped), in grid order. */
  positions: number;
  /** Vector rows written. */
  rows: number;
  complete: boolean;
  seq: number;
}

export interface ProcessedTile {
  index: number;
  validFraction: number;
  /** Whether the tile got an embedding (false: skipped as mostly nodata). */
  embedded: boolean;
  bbox: BBox | null;
}

export interface StoredTile {
  index: number;
  window: PixelWindow;
  validFraction: number;
  row: number;
  bbox: BBox | null;
}

export interface EntrySummary {
  id: string;
  source: string;
  scene: string;
  model: EntryKey['model'];
  tiling: EntryKey['tiling'];
  tilesTotal: number;
  positions: number;
  rows: number;
  complete: boolean;
  bytes: number;
  createdAt: string;
  /** Made by an earlier pixel pipeline (PIXEL_PIPELINE): searchable, but re-indexed when its scene is indexed again. */
  stale: boolean;
}

/** Whether an entry was made by an earlier pixel pipeline than this build's. */
export function isStale(meta: Pick<EntryMeta, 'pixelPipeline'>): boolean {
  return (meta.pixelPipeline ?? 1) < PIXEL_PIPELINE;
}

export function entryId(key: EntryKey): string {
  return createHash('sha256').update(JSON.stringify([key.scene, key.model.sha256, key.tiling])).digest('hex').slice(0, 24);
}

function commitCheck(c: CommitState): string {
  return createHash('sha256').update(JSON.stringify([c.positions, c.rows, c.complete, c.seq])).digest('hex').slice(0, 16);
}

/**
 * A recursive mkdir reports ENOENT even when the real trouble is a read-only or full file system
 * further up: ask the nearest existing ancestor whether it can be written, to name the real cause.
 */
async function mkdirExplained(dir: string, what: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    let cause: unknown = e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') {
      let up = dirname(dir);
      while (up !== dirname(up)) {
        const st = await stat(up).catch(() => null);
        if (st) {
          if (!st.isDirectory()) cause = Object.assign(new Error(`${up} is a file, not a folder`), { code: 'ENOTDIR' });
          else await access(up, fsc.W_OK).catch((err: unknown) => (cause = err));
          break;
        }
        up = dirname(up);
      }
    }
    throw indexError(`Cannot create ${what} ${dir}`, cause);
  }
}

function indexError(message: string, cause?: unknown): EngineError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const why = code === 'ENOSPC' ? ' (the disk is full)' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? ' (permission denied or read-only)' : code === 'ENOTDIR' ? ` (${(cause as Error).message})` : '';
  return new EngineError(ErrorCodes.OUTPUT, `${message}${why}`, { cause });
}

async function fsyncDir(dir: string): Promise<void> {
  let h: FileHandle | undefined;
  try {
    h = await open(dir, fsc.O_RDONLY);
    await h.sync();
  } catch {
    // Some platforms (Windows) cannot fsync a folder; the rename is still atomic there.
  } finally {
    await h?.close().catch(() => undefined);
  }
}

async function writeJsonDurable(dir: string, name: string, value: unknown): Promise<void> {
  const tmp = join(dir, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
  const h = await open(tmp, 'wx');
  try {
    await h.writeFile(JSON.stringify(value, null, 1));
    await h.sync();
  } finally {
    await h.close();
  }
  await rename(tmp, join(dir, name));
}

async function readCommit(path: string): Promise<CommitState | null> {
  try {
    const c = JSON.parse(await readFile(path, 'utf8')) as CommitState & { check?: string };
    if (!Number.isInteger(c.positions) || !Number.isInteger(c.rows) || typeof c.complete !== 'boolean' || !Number.isInteger(c.seq)) return null;
    if (c.check !== commitCheck(c)) return null;
    return { positions: c.positions, rows: c.rows, complete: c.complete, seq: c.seq };
  } catch {
    return null;
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class IndexStore {
  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<IndexStore> {
    await mkdirExplained(join(dir, 'entries'), 'the index folder');
    return new IndexStore(dir);
  }

  entryDir(id: string): string {
    return join(this.dir, 'entries', id);
  }

  /** The newest commit that matches the data on disk, or null when none does. Falls back to the previous commit. */
  private async committed(id: string, meta: EntryMeta): Promise<CommitState | null> {
    const dir = this.entryDir(id);
    const tilesBytes = await fileSize(join(dir, 'tiles.bin'));
    const vecBytes = await fileSize(join(dir, 'vectors.f32'));
    for (const name of ['commit.json', 'commit.prev.json']) {
      const c = await readCommit(join(dir, name));
      if (c && c.positions * TILE_RECORD <= tilesBytes && c.rows * meta.dim * 4 <= vecBytes && c.positions <= meta.grid.tilesTotal) return c;
    }
    return null;
  }

  async readMeta(id: string): Promise<EntryMeta | null> {
    try {
      const m = JSON.parse(await readFile(join(this.entryDir(id), 'meta.json'), 'utf8')) as EntryMeta;
      return m.format === STORE_FORMAT && m.version === STORE_VERSION ? m : null;
    } catch {
      return null;
    }
  }

  /** Opens an entry for reading at its last committed state; null when it does not exist. */
  async reader(key: EntryKey): Promise<EntryReader | null> {
    const id = entryId(key);
    const meta = await this.readMeta(id);
    if (!meta) return null;
    const commit = (await this.committed(id, meta)) ?? { positions: 0, rows: 0, complete: false, seq: 0 };
    return new EntryReader(this.entryDir(id), meta, commit);
  }

  /**
   * Opens (creating if needed) an entry for writing, positioned after its last committed batch. An entry made by an
   * earlier pixel pipeline (isStale) starts over: its embeddings were computed from pixels this build no longer reads.
   */
  async writer(key: EntryKey, init: Omit<EntryMeta, 'format' | 'version' | 'id' | 'key' | 'createdAt' | 'geosiftVersion' | 'pixelPipeline'>): Promise<EntryWriter> {
    const id = entryId(key);
    const dir = this.entryDir(id);
    await mkdirExplained(dir, 'index entry');
    await this.lock(dir);
    try {
      let meta = await this.readMeta(id);
      if (!meta || isStale(meta)) {
        meta = { format: STORE_FORMAT, version: STORE_VERSION, id, key, createdAt: new Date().toISOString(), geosiftVersion: GEOSIFT_VERSION, pixelPipeline: PIXEL_PIPELINE, ...init };
        await writeJsonDurable(dir, 'meta.json', meta);
        await rm(join(dir, 'commit.json'), { force: true });
        await rm(join(dir, 'commit.prev.json'), { force: true });
        await fsyncDir(dir);
      }
      const commit = (await this.committed(id, meta)) ?? { positions: 0, rows: 0, complete: false, seq: 0 };
      const tiles = await open(join(dir, 'tiles.bin'), fsc.O_RDWR | fsc.O_CREAT);
      const vectors = await open(join(dir, 'vectors.f32'), fsc.O_RDWR | fsc.O_CREAT);
      return new EntryWriter(dir, meta, commit, tiles, vectors);
    } catch (e) {
      await rm(join(dir, 'lock'), { force: true });
      if (e instanceof EngineError) throw e;
      throw indexError(`Cannot open index entry ${dir} for writing`, e);
    }
  }

  private async lock(dir: string): Promise<void> {
    const path = join(dir, 'lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(path, String(process.pid), { flag: 'wx' });
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw indexError(`Cannot lock index entry ${dir}`, e);
        const pid = Number(await readFile(path, 'utf8').catch(() => 'NaN'));
        if (Number.isInteger(pid) && pid !== process.pid && pidAlive(pid)) {
          throw new EngineError(ErrorCodes.BAD_ARGUMENT, `This scene is being indexed by another Geosift process (pid ${pid}); wait for it to finish.`);
        }
        await rm(path, { force: true }); // left by a process that died: take it over
      }
    }
    throw indexError(`Cannot lock index entry ${dir}`);
  }

  async list(): Promise<EntrySummary[]> {
    const out: EntrySummary[] = [];
    let ids: string[] = [];
    try {
      ids = await readdir(join(this.dir, 'entries'));
    } catch {
      return out;
    }
    for (const id of ids.sort()) {
      if (id.startsWith('.')) continue;
      const meta = await this.readMeta(id);
      if (!meta) continue;
      const c = (await this.committed(id, meta)) ?? { positions: 0, rows: 0, complete: false, seq: 0 };
      const dir = this.entryDir(id);
      const bytes = (await fileSize(join(dir, 'tiles.bin'))) + (await fileSize(join(dir, 'vectors.f32'))) + (await fileSize(join(dir, 'meta.json')));
      out.push({ id, source: meta.source, scene: meta.key.scene, model: meta.key.model, tiling: meta.key.tiling, tilesTotal: meta.grid.tilesTotal, positions: c.positions, rows: c.rows, complete: c.complete, bytes, createdAt: meta.createdAt, stale: isStale(meta) });
    }
    return out;
  }

  /** Removes entries by id, by id prefix (8+ characters), or by scene path/URL; returns the ids removed. */
  async remove(idOrSource: string): Promise<string[]> {
    const entries = await this.list();
    const hit = entries.filter((e) => e.id === idOrSource || (idOrSource.length >= 8 && e.id.startsWith(idOrSource)) || e.source === idOrSource);
    for (const e of hit) {
      const trash = join(this.dir, 'entries', `.trash-${e.id}-${randomBytes(3).toString('hex')}`);
      await rename(this.entryDir(e.id), trash); // atomic: the entry disappears whole
      await rm(trash, { recursive: true, force: true });
    }
    return hit.map((e) => e.id);
  }
}

export class EntryReader {
  constructor(readonly dir: string, readonly meta: EntryMeta, readonly commit: CommitState) {}

  async load(): Promise<{ tiles: StoredTile[]; vectors: Float32Array }> {
    const { positions, rows } = this.commit;
    const dim = this.meta.dim;
    const tilesBuf = positions ? await readPrefix(join(this.dir, 'tiles.bin'), positions * TILE_RECORD) : Buffer.alloc(0);
    const vecBuf = rows ? await readPrefix(join(this.dir, 'vectors.f32'), rows * dim * 4) : Buffer.alloc(0);
    const tiles: StoredTile[] = [];
    for (let p = 0; p < positions; p++) {
      const o = p * TILE_RECORD;
      const index = tilesBuf.readInt32LE(o);
      const w = this.meta.grid.windows[index];
      const bbox: BBox = [tilesBuf.readDoubleLE(o + 16), tilesBuf.readDoubleLE(o + 24), tilesBuf.readDoubleLE(o + 32), tilesBuf.readDoubleLE(o + 40)];
      tiles.push({ index, window: { x: w[0], y: w[1], width: w[2], height: w[3] }, validFraction: tilesBuf.readFloatLE(o + 4), row: tilesBuf.readInt32LE(o + 8), bbox: Number.isNaN(bbox[0]) ? null : bbox });
    }
    const vectors = new Float32Array(rows * dim);
    new Uint8Array(vectors.buffer).set(vecBuf.subarray(0, rows * dim * 4));
    return { tiles, vectors };
  }
}

async function readPrefix(path: string, bytes: number): Promise<Buffer> {
  const h = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await h.read(buf, 0, bytes, 0);
    if (bytesRead < bytes) throw new EngineError(ErrorCodes.INTERNAL, `${path} is shorter than its commit record (${bytesRead} < ${bytes} bytes)`);
    return buf;
  } finally {
    await h.close();
  }
}

export class EntryWriter {
  private closed = false;

  constructor(readonly dir: string, readonly meta: EntryMeta, public commit: CommitState, private tiles: FileHandle, private vectors: FileHandle) {}

  /** Appends one batch and commits it durably. `vectors` holds one row per embedded tile, in order. */
  async append(batch: ProcessedTile[], vectors: Float32Array[]): Promise<void> {
    const dim = this.meta.dim;
    const rec = Buffer.alloc(batch.length * TILE_RECORD);
    let row = this.commit.rows;
    batch.forEach((t, i) => {
      const o = i * TILE_RECORD;
      rec.writeInt32LE(t.index, o);
      rec.writeFloatLE(t.validFraction, o + 4);
      rec.writeInt32LE(t.embedded ? row++ : -1, o + 8);
      rec.writeInt32LE(0, o + 12);
      const b = t.bbox ?? [NaN, NaN, NaN, NaN];
      for (let k = 0; k < 4; k++) rec.writeDoubleLE(b[k], o + 16 + 8 * k);
    });
    if (row - this.commit.rows !== vectors.length) throw new EngineError(ErrorCodes.INTERNAL, 'Index batch: embedded tiles and vectors disagree');
    const vec = Buffer.alloc(vectors.length * dim * 4);
    vectors.forEach((v, i) => Buffer.from(v.buffer, v.byteOffset, dim * 4).copy(vec, i * dim * 4));
    const next: CommitState = { positions: this.commit.positions + batch.length, rows: row, complete: false, seq: this.commit.seq + 1 };
    try {
      await this.tiles.write(rec, 0, rec.length, this.commit.positions * TILE_RECORD);
      await this.vectors.write(vec, 0, vec.length, this.commit.rows * dim * 4);
      await this.tiles.datasync();
      await this.vectors.datasync();
      await this.writeCommit(next);
    } catch (e) {
      if (e instanceof EngineError) throw e;
      throw indexError(`Cannot write to the index in ${this.dir}; what was committed before is kept`, e);
    }
  }

  async complete(): Promise<void> {
    if (this.commit.complete) return;
    try {
      await this.writeCommit({ ...this.commit, complete: true, seq: this.commit.seq + 1 });
    } catch (e) {
      throw indexError(`Cannot write to the index in ${this.dir}`, e);
    }
  }

  private async writeCommit(next: CommitState): Promise<void> {
    const body = { ...next, check: commitCheck(next) };
    const tmp = join(this.dir, `.commit.${randomBytes(4).toString('hex')}.tmp`);
    const h = await open(tmp, 'wx');
    try {
      await h.writeFile(JSON.stringify(body));
      await h.sync();
    } finally {
      await h.close();
    }
    await rename(join(this.dir, 'commit.json'), join(this.dir, 'commit.prev.json')).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    await rename(tmp, join(this.dir, 'commit.json'));
    await fsyncDir(this.dir);
    this.commit = next;
  }

  /** Releases the files and the lock; twice is safe. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tiles.close().catch(() => undefined);
    await this.vectors.close().catch(() => undefined);
    await rm(join(this.dir, 'lock'), { force: true });
  }
}
