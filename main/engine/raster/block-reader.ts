// The hot path of readWindow: reads the blocks a window touches with coalesced byte-range reads, decodes them with
// native or bounded decoders (several at once where the decoder runs off the main thread) and writes each block's
// pixels straight into per-band window arrays, undoing the 8-bit predictor on the way.
//
// Measured in bench/decode.ts (bench/README.md): through geotiff.js's readRasters a window cost one file read and a
// chain of promises per block, a predictor pass and a copy pass over every block, JPEG ran in pure JavaScript and
// Deflate ran synchronously on the main thread. Here: one read per run of adjacent blocks, Deflate inflated on libuv's
// thread pool (node:zlib, async), JPEG by libjpeg-turbo (@julusian/jpeg-turbo, native, thread pool), ZSTD through
// node:zlib where the runtime has it (Node >= 22.15, Electron) else zstddec's WASM build, LZW and PackBits by the
// bounded decoders of block-codecs.ts; LZW (by default) in worker threads (decode-pool.ts). Every decoder writes at most
// the block's declared size.
//
// Layouts this path does not cover (other compressions, floating-point predictor, sub-byte or mixed samples, byte
// orders other than the host's, JPEG other than 8-bit greyscale / YCbCr / RGB) return null: readWindow then reads
// through geotiff.js as before.

import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';
import type { GeoTIFFImage } from 'geotiff';
import { decodeLzw, decodePackBits, decodeWebp, decodeZstdWasm, type PoolCodec } from './block-codecs.js';
import { jpegFrameSize } from './bounded-decoders.js';
import { abortError, decodePool } from './decode-pool.js';
import { undoPredictor } from './predictor.js';
import type { SampleArray, SampleType } from './types.js';

type Typed = SampleArray;
type TypedCtor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): Typed; new (length: number): Typed; BYTES_PER_ELEMENT: number };

const CTORS: Record<SampleType, TypedCtor> = {
  uint8: Uint8Array as unknown as TypedCtor,
  int8: Int8Array as unknown as TypedCtor,
  uint16: Uint16Array as unknown as TypedCtor,
  int16: Int16Array as unknown as TypedCtor,
  uint32: Uint32Array as unknown as TypedCtor,
  int32: Int32Array as unknown as TypedCtor,
  float32: Float32Array as unknown as TypedCtor,
  float64: Float64Array as unknown as TypedCtor,
};

const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Byte runs of adjacent blocks are read together when the gap between them is at most this. */
const COALESCE_GAP = 16 * 1024;
/** ... and while the run stays under this size. */
const COALESCE_MAX = 16 * 1024 * 1024;

interface Directory {
  hasTag(tag: string): boolean;
  loadValue(tag: string): Promise<unknown>;
  loadValueIndexed(tag: string, index: number): Promise<unknown>;
}

interface ImageInternals {
  fileDirectory: Directory;
  littleEndian: boolean;
  planarConfiguration: number;
  isTiled: boolean;
  source: { fetch(slices: { offset: number; length: number }[], signal?: AbortSignal): Promise<ArrayBufferLike[]> };
  getWidth(): number;
  getHeight(): number;
  getTileWidth(): number;
  getTileHeight(): number;
  getBlockHeight(y: number): number;
  getSamplesPerPixel(): number;
  getGDALNoData(): number | null;
}

/** What the fast path needs of an image, worked out once per image. */
interface Layout {
  compression: number;
  predictor: number;
  spp: number;
  planar: number;
  bytesPerSample: number;
  type: SampleType;
  tileWidth: number;
  tileHeight: number;
  width: number;
  height: number;
  tilesAcross: number;
  tilesDown: number;
  tiled: boolean;
  /** JPEG: the JPEGTables stream without its EOI, spliced before each block (which loses its SOI). */
  jpegTables: Uint8Array | null;
  /** JPEG YCbCr: the decoder converts to RGB as GDAL presents it. */
  jpegToRgb: boolean;
  fill: number;
}

const layouts = new WeakMap<object, Promise<Layout | null>>();

const SUPPORTED_COMPRESSION = new Set([1, 5, 7, 8, 32946, 32773, 50000, 50001]);

async function layoutOf(image: GeoTIFFImage, type: SampleType): Promise<Layout | null> {
  const img = image as unknown as ImageInternals;
  const fd = img.fileDirectory;
  const num = async (tag: string, fallback: number): Promise<number> => (fd.hasTag(tag) ? Number(await fd.loadValue(tag)) : fallback);
  const compression = await num('Compression', 1);
  if (!SUPPORTED_COMPRESSION.has(compression)) return null;
  const spp = img.getSamplesPerPixel();
  const bits = Array.from((await fd.loadValue('BitsPerSample')) as ArrayLike<number>);
  const bytesPerSample = CTORS[type].BYTES_PER_ELEMENT;
  if (bits.length === 0 || !bits.every((b) => b === bytesPerSample * 8)) return null;
  if (bytesPerSample > 1 && img.littleEndian !== hostLittleEndian) return null;
  const predictor = await num('Predictor', 1);
  const isFloat = type === 'float32' || type === 'float64';
  if (predictor !== 1 && (predictor !== 2 || isFloat)) return null;
  const planar = img.planarConfiguration === 2 ? 2 : 1;
  // WebP tiles hold 8-bit RGB or RGBA, pixel-interleaved (libtiff's codec; tiff-structure.ts refuses other layouts).
  if (compression === 50001 && (type !== 'uint8' || planar !== 1 || (spp !== 3 && spp !== 4) || predictor !== 1)) return null;
  let jpegTables: Uint8Array | null = null;
  let jpegToRgb = false;
  if (compression === 7) {
    if (type !== 'uint8' || predictor !== 1 || !jpegModule()) return null;
    const photometric = await num('PhotometricInterpretation', spp >= 3 ? 2 : 1);
    const components = planar === 2 ? 1 : spp;
    if (components === 3 && photometric === 6) jpegToRgb = true;
    else if (components === 3 && photometric === 2) jpegToRgb = false;
    else if (components === 1 && photometric !== 6) jpegToRgb = false;
    else return null;
    if (fd.hasTag('JPEGTables')) {
      const t = new Uint8Array((await fd.loadValue('JPEGTables')) as ArrayLike<number>);
      // SOI ... EOI: keep everything before the EOI.
      jpegTables = t.length >= 4 && t[t.length - 2] === 0xff && t[t.length - 1] === 0xd9 ? t.subarray(0, t.length - 2) : t;
    }
  }
  const tileWidth = img.getTileWidth();
  const tileHeight = img.getTileHeight();
  const width = img.getWidth();
  const height = img.getHeight();
  if (!(tileWidth > 0 && tileHeight > 0)) return null;
  const nd = img.getGDALNoData();
  return {
    compression,
    predictor,
    spp,
    planar,
    bytesPerSample,
    type,
    tileWidth,
    tileHeight,
    width,
    height,
    tilesAcross: Math.ceil(width / tileWidth),
    tilesDown: Math.ceil(height / tileHeight),
    tiled: img.isTiled,
    jpegTables,
    jpegToRgb,
    fill: nd !== null && Number.isFinite(nd) ? nd : 0,
  };
}

// ---- decoders ------------------------------------------------------------------------------------------------

interface JpegTurbo {
  FORMAT_RGB: number;
  FORMAT_GRAY: number;
  decompress(image: Buffer, options: { format: number }): Promise<{ data: Buffer; width: number; height: number }>;
}

let jpeg: JpegTurbo | null | undefined;

/** libjpeg-turbo's binding, or null where its native module cannot load (JPEG then goes through geotiff.js). */
function jpegModule(): JpegTurbo | null {
  if (jpeg === undefined) {
    try {
      jpeg = createRequire(import.meta.url)('@julusian/jpeg-turbo') as JpegTurbo;
    } catch {
      jpeg = null;
    }
  }
  return jpeg;
}

const nativeZstd = (zlib as unknown as { zstdDecompress?: (buf: Uint8Array, opts: { maxOutputLength: number }, cb: (err: Error | null, out: Buffer) => void) => void }).zstdDecompress;

function inflateAsync(input: Uint8Array, limit: number, raw: boolean): Promise<Buffer> {
  // Z_SYNC_FLUSH: a stream cut short still yields what it holds, as before (pako, then inflateSync).
  // One output chunk of the block's size: the default 16 KB chunks cost a thread-pool round trip each.
  const opts = { maxOutputLength: Math.max(1, limit), chunkSize: Math.max(64, Math.min(limit, 64 * 1024 * 1024)), finishFlush: zlib.constants.Z_SYNC_FLUSH };
  return new Promise((resolve, reject) => (raw ? zlib.inflateRaw : zlib.inflate)(input, opts, (err, out) => (err ? reject(err) : resolve(out))));
}

async function inflateBounded(input: Uint8Array, limit: number): Promise<Uint8Array> {
  try {
    try {
      return await inflateAsync(input, limit, false);
    } catch (e) {
      // A few writers store raw Deflate without the zlib header (CM nibble 8): retry those raw.
      if ((input[0] & 0x0f) === 8 || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw e;
      return await inflateAsync(input, limit, true);
    }
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new Error(`DEFLATE block inflates past its declared ${limit} bytes`);
    }
    throw e;
  }
}

/** ZSTD into at most `limit` bytes: a frame that decodes to more, or does not decode, is an error. */
export async function decodeZstdBounded(input: Uint8Array, limit: number): Promise<Uint8Array> {
  if (nativeZstd) {
    return new Promise((resolve, reject) =>
      nativeZstd(input, { maxOutputLength: Math.max(1, limit) }, (err, out) => {
        if (!err) resolve(out);
        else reject((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError ? new Error(`ZSTD block decodes past its declared ${limit} bytes`) : err);
      }),
    );
  }
  return decodeZstdWasm(input, limit);
}

/** The TIFF JPEG block as a complete JPEG stream: JPEGTables (without EOI) + block (without SOI). */
export function spliceJpegTables(tables: Uint8Array | null, block: Uint8Array): Uint8Array {
  if (!tables || block.length < 2 || block[0] !== 0xff || block[1] !== 0xd8) return block;
  const out = new Uint8Array(tables.length + block.length - 2);
  out.set(tables, 0);
  out.set(block.subarray(2), tables.length);
  return out;
}

/** A TIFF JPEG block decoded by libjpeg-turbo to RGB (3 components) or grey (1), as GDAL reads it. */
export async function decodeJpegBlock(tables: Uint8Array | null, block: Uint8Array, components: 1 | 3, maxWidth: number, maxHeight: number): Promise<Uint8Array> {
  const jt = jpegModule();
  if (!jt) throw new Error('the native JPEG decoder is not available');
  const stream = spliceJpegTables(tables, block);
  const frame = jpegFrameSize(stream);
  if (!frame) throw new Error('JPEG block has no frame header (SOF marker)');
  // A tile's JPEG frame is the tile (a strip's may be shorter at the bottom); anything larger would be allocated whole.
  if (frame.width > maxWidth || frame.height > maxHeight || frame.width === 0 || frame.height === 0) {
    throw new Error(`JPEG block declares a ${frame.width}x${frame.height} frame in a ${maxWidth}x${maxHeight} block`);
  }
  let r: { data: Buffer; width: number; height: number };
  try {
    r = await jt.decompress(Buffer.from(stream.buffer, stream.byteOffset, stream.byteLength), { format: components === 3 ? jt.FORMAT_RGB : jt.FORMAT_GRAY });
  } catch (e) {
    throw new Error(`JPEG block does not decode: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (r.width !== frame.width || r.height !== frame.height) throw new Error(`JPEG block decoded to ${r.width}x${r.height}, its header says ${frame.width}x${frame.height}`);
  // The frame may be narrower than the block (a strip): rows are then frame.width wide; widen to the block's row length.
  if (r.width === maxWidth) return r.data;
  const out = new Uint8Array(maxWidth * r.height * components);
  for (let y = 0; y < r.height; y++) out.set(r.data.subarray(y * r.width * components, (y + 1) * r.width * components), y * maxWidth * components);
  return out;
}

/**
 * Codecs decoded in the worker pool (decode-pool.ts) rather than on the main thread. Measured with bench/decode.ts
 * and a paired inline/pool pass (bench/README.md, "Decoding, decode pool"): LZW, the slowest decoder (about 1.2 ms a
 * 256x256 RGB block), goes to the pool; ZSTD's WASM build and PackBits decode a block in about 0.3 ms, which the round
 * trip to a worker (0.05-0.2 ms) and the main thread's own work per block outweigh, so they stay inline; Deflate
 * already runs on libuv's thread pool (node:zlib, async), JPEG on libjpeg-turbo's. WebP (libwebp in WebAssembly, a few
 * ms a 256 px tile) goes to the pool. GEOSIFT_DECODE_POOL_CODECS (e.g. "lzw,webp,zstd,packbits,deflate") overrides
 * the list.
 */
let POOLED: Partial<Record<number, PoolCodec>> = pooledCodecs(process.env.GEOSIFT_DECODE_POOL_CODECS ?? 'lzw,webp');

/** Sets which codecs decode in the pool (comma-separated: lzw, webp, zstd, packbits, deflate; '' for none). For tests and benches. */
export function setPooledCodecs(list: string): void {
  POOLED = pooledCodecs(list);
}

function pooledCodecs(list: string): Partial<Record<number, PoolCodec>> {
  const ids: Record<PoolCodec, number[]> = { lzw: [5], packbits: [32773], zstd: nativeZstd ? [] : [50000], deflate: [8, 32946], webp: [50001] };
  const out: Partial<Record<number, PoolCodec>> = {};
  for (const name of list.split(',').map((s) => s.trim().toLowerCase())) {
    if (name in ids) for (const id of ids[name as PoolCodec]) out[id] = name as PoolCodec;
  }
  return out;
}
/** Blocks whose compressed bytes are fewer than this decode inline: the round trip to a worker costs more. */
const INLINE_BELOW = 2 * 1024;

async function decodeBlock(L: Layout, input: Uint8Array, limit: number, blockRows: number, label: string, signal?: AbortSignal): Promise<Uint8Array> {
  const pooled = POOLED[L.compression];
  if (pooled && input.length >= INLINE_BELOW) return decodePool().decode(pooled, input, limit, label, signal);
  switch (L.compression) {
    case 1:
      return input;
    case 8:
    case 32946:
      return inflateBounded(input, limit);
    case 50000:
      return decodeZstdBounded(input, limit);
    case 5:
      return decodeLzw(input, limit);
    case 32773:
      return decodePackBits(input, limit);
    case 50001:
      return decodeWebp(input, limit);
    case 7:
      return decodeJpegBlock(L.jpegTables, input, L.planar === 2 ? 1 : (L.spp as 1 | 3), L.tileWidth, blockRows);
    default:
      throw new Error(`compression ${L.compression} is not handled by the block reader`);
  }
}

// ---- decoded block cache --------------------------------------------------------------------------------------

/**
 * Decoded blocks kept for the next window, as GDAL's block cache does: the indexer reads tiles smaller than a block,
 * or straddling two, one after another in row order, and each block used to be fetched and decoded once per tile
 * touching it (bench/index-throughput.ts: 4-9 times for 112 px windows over 64 px blocks). Least recently used blocks
 * go first once the cache holds more than its budget: `GEOSIFT_BLOCK_CACHE_MB` (default 256; 0 turns it off).
 * Entries are keyed by the image (one IFD of one open scene) and block index; closing a scene drops its entries.
 */
interface CacheEntry {
  image: object;
  data: Promise<Uint8Array | null>;
  bytes: number;
}

const imageIds = new WeakMap<object, number>();
let nextImageId = 1;
const blockCache = new Map<string, CacheEntry>();
let cachedBytes = 0;
let blocksDecoded = 0;
let cacheBudget = budgetFromEnv(process.env.GEOSIFT_BLOCK_CACHE_MB);

function budgetFromEnv(value: string | undefined): number {
  const mb = value === undefined || value.trim() === '' ? 256 : Number(value);
  if (!Number.isFinite(mb) || mb < 0) throw new Error(`GEOSIFT_BLOCK_CACHE_MB must be a number of megabytes >= 0, got "${value}"`);
  return Math.round(mb * 1024 * 1024);
}

function cacheKey(image: object, index: number): string {
  let id = imageIds.get(image);
  if (id === undefined) {
    id = nextImageId++;
    imageIds.set(image, id);
  }
  return `${id}:${index}`;
}

function cachedBlock(image: object, index: number): Promise<Uint8Array | null> | null {
  if (cacheBudget === 0) return null;
  const key = cacheKey(image, index);
  const e = blockCache.get(key);
  if (!e) return null;
  blockCache.delete(key); // most recently used last
  blockCache.set(key, e);
  return e.data;
}

function cacheBlock(image: object, index: number, data: Promise<Uint8Array | null>): Promise<Uint8Array | null> {
  if (cacheBudget === 0) return data;
  const key = cacheKey(image, index);
  const entry: CacheEntry = { image, data, bytes: 0 };
  blockCache.set(key, entry);
  data.then(
    (d) => {
      if (blockCache.get(key) !== entry) return;
      entry.bytes = d ? d.byteLength : 0;
      cachedBytes += entry.bytes;
      evict();
    },
    // A block that fails to decode is not kept: the next reader gets the same error afresh.
    () => {
      if (blockCache.get(key) === entry) blockCache.delete(key);
    },
  );
  return data;
}

function evict(): void {
  for (const [key, e] of blockCache) {
    if (cachedBytes <= cacheBudget) break;
    blockCache.delete(key);
    cachedBytes -= e.bytes;
  }
}

/** A decoded block the cache may keep: its own buffer (not a view into a larger read), aligned to its sample size. */
function keepable(raw: Uint8Array, bps: number): Uint8Array {
  return raw.byteOffset % bps !== 0 || raw.byteLength * 2 < raw.buffer.byteLength ? raw.slice() : raw;
}

/** Drops the cached blocks of these images (a scene being closed). */
export function dropCachedBlocks(images: object[]): void {
  const set = new Set(images);
  for (const [key, e] of blockCache) {
    if (!set.has(e.image)) continue;
    blockCache.delete(key);
    cachedBytes -= e.bytes;
  }
}

/** Sets the block cache's budget in bytes (0 turns it off and empties it); returns the former budget. For tests and benches. */
export function setBlockCacheBytes(bytes: number): number {
  const before = cacheBudget;
  cacheBudget = Math.max(0, bytes);
  if (cacheBudget === 0) {
    blockCache.clear();
    cachedBytes = 0;
  } else evict();
  return before;
}

/** What the block cache holds now, and how many blocks this process has read and decoded through it. */
export function blockCacheStats(): { blocks: number; bytes: number; budget: number; decodes: number } {
  return { blocks: blockCache.size, bytes: cachedBytes, budget: cacheBudget, decodes: blocksDecoded };
}

// ---- pixels --------------------------------------------------------------------------------------------------

/**
 * 8-bit, 3 samples per pixel, all three wanted in order (RGB): deinterleaves one block into three window arrays,
 * undoing horizontal differencing on the way when `predictor` is 2. Four pixels at a time through 32-bit words where
 * source and destination rows are word-aligned (2-3x the byte loop here), byte by byte elsewhere.
 */
export function placeRgb8(src: Uint8Array, rowLen: number, p: Placement, outs: Uint8Array[], windowWidth: number, predictor: number): void {
  const [o0, o1, o2] = outs;
  const words = hostLittleEndian && src.byteOffset % 4 === 0 && o0.byteOffset % 4 === 0 && o1.byteOffset % 4 === 0 && o2.byteOffset % 4 === 0;
  const s32 = words ? new Uint32Array(src.buffer, src.byteOffset, src.length >>> 2) : null;
  const w0 = words ? new Uint32Array(o0.buffer, o0.byteOffset, o0.length >>> 2) : null;
  const w1 = words ? new Uint32Array(o1.buffer, o1.byteOffset, o1.length >>> 2) : null;
  const w2 = words ? new Uint32Array(o2.buffer, o2.byteOffset, o2.length >>> 2) : null;
  const diff = predictor === 2;
  for (let y = p.by0, d = p.dst; y < p.by1; y++, d += windowWidth) {
    const row = y * rowLen;
    let r = 0;
    let g = 0;
    let b = 0;
    if (diff) {
      // The running sums start at the row's first pixel, left of the window.
      for (let s = row, e = row + p.bx0 * 3; s < e; s += 3) {
        r = (r + src[s]) & 255;
        g = (g + src[s + 1]) & 255;
        b = (b + src[s + 2]) & 255;
      }
    }
    let s = row + p.bx0 * 3;
    let i = d;
    const e = d + (p.bx1 - p.bx0);
    if (s32 && w0 && w1 && w2 && (s & 3) === 0 && (i & 3) === 0) {
      let sw = s >>> 2;
      const ew = (e & ~3) >>> 2;
      let iw = i >>> 2;
      if (diff) {
        for (; iw < ew; iw++, sw += 3) {
          const A = s32[sw];
          const B = s32[sw + 1];
          const C = s32[sw + 2];
          const r0 = (r + A) & 255;
          const g0 = (g + (A >>> 8)) & 255;
          const b0 = (b + (A >>> 16)) & 255;
          const r1 = (r0 + (A >>> 24)) & 255;
          const g1 = (g0 + B) & 255;
          const b1 = (b0 + (B >>> 8)) & 255;
          const r2 = (r1 + (B >>> 16)) & 255;
          const g2 = (g1 + (B >>> 24)) & 255;
          const b2 = (b1 + C) & 255;
          r = (r2 + (C >>> 8)) & 255;
          g = (g2 + (C >>> 16)) & 255;
          b = (b2 + (C >>> 24)) & 255;
          w0[iw] = r0 | (r1 << 8) | (r2 << 16) | (r << 24);
          w1[iw] = g0 | (g1 << 8) | (g2 << 16) | (g << 24);
          w2[iw] = b0 | (b1 << 8) | (b2 << 16) | (b << 24);
        }
      } else {
        for (; iw < ew; iw++, sw += 3) {
          const A = s32[sw];
          const B = s32[sw + 1];
          const C = s32[sw + 2];
          w0[iw] = (A & 0xff) | ((A >>> 16) & 0xff00) | (B & 0xff0000) | ((C << 16) & 0xff000000);
          w1[iw] = ((A >>> 8) & 0xff) | ((B << 8) & 0xff00) | ((B >>> 8) & 0xff0000) | ((C << 8) & 0xff000000);
          w2[iw] = ((A >>> 16) & 0xff) | (B & 0xff00) | ((C << 16) & 0xff0000) | (C & 0xff000000);
        }
      }
      i = iw << 2;
      s = sw << 2;
    }
    if (diff) {
      for (; i < e; i++, s += 3) {
        r = (r + src[s]) & 255;
        g = (g + src[s + 1]) & 255;
        b = (b + src[s + 2]) & 255;
        o0[i] = r;
        o1[i] = g;
        o2[i] = b;
      }
    } else {
      for (; i < e; i++, s += 3) {
        o0[i] = src[s];
        o1[i] = src[s + 1];
        o2[i] = src[s + 2];
      }
    }
  }
}

interface Placement {
  /** Block's pixel rectangle inside the block: [x0, y0) .. [x1, y1). */
  bx0: number;
  by0: number;
  bx1: number;
  by1: number;
  /** Where (bx0, by0) lands in the window arrays. */
  dst: number;
}

/** Copies one decoded block's wanted samples into the window arrays. `src` holds `stride` samples per pixel. */
function place(src: Typed, rowLen: number, stride: number, p: Placement, outs: Typed[], offsets: number[], windowWidth: number): void {
  const n = p.bx1 - p.bx0;
  if (stride === 1) {
    const out = outs[0];
    for (let y = p.by0, d = p.dst; y < p.by1; y++, d += windowWidth) {
      const s = y * rowLen + p.bx0;
      out.set(src.subarray(s, s + n), d);
    }
    return;
  }
  if (outs.length === 3 && src instanceof Uint8Array) {
    const o0 = outs[0] as Uint8Array;
    const o1 = outs[1] as Uint8Array;
    const o2 = outs[2] as Uint8Array;
    const k0 = offsets[0];
    const k1 = offsets[1];
    const k2 = offsets[2];
    for (let y = p.by0, d = p.dst; y < p.by1; y++, d += windowWidth) {
      let s = y * rowLen + p.bx0 * stride;
      const e = d + n;
      for (let i = d; i < e; i++, s += stride) {
        o0[i] = src[s + k0];
        o1[i] = src[s + k1];
        o2[i] = src[s + k2];
      }
    }
    return;
  }
  for (let k = 0; k < outs.length; k++) {
    const out = outs[k];
    const off = offsets[k];
    for (let y = p.by0, d = p.dst; y < p.by1; y++, d += windowWidth) {
      let s = y * rowLen + p.bx0 * stride + off;
      const e = d + n;
      for (let i = d; i < e; i++, s += stride) out[i] = src[s];
    }
  }
}

interface Block {
  index: number;
  tx: number;
  ty: number;
  /** Planar 2: the sample this block holds; -1 for pixel-interleaved blocks. */
  sample: number;
  offset: number;
  length: number;
  data?: Uint8Array;
}

interface Settle {
  resolve: (d: Uint8Array | null | PromiseLike<Uint8Array | null>) => void;
  reject: (e: unknown) => void;
}

/**
 * One listener on `signal` for a whole window read: `stopped` rejects with an AbortError as soon as it aborts (the shared
 * reads and decodes behind the window go on for their other readers); `dispose` removes the listener. One per window
 * rather than one per block: the indexer's read-ahead keeps dozens of windows in flight on one signal.
 */
function abortWatch(signal: AbortSignal | undefined): { stopped: Promise<never> | null; dispose(): void } {
  if (!signal) return { stopped: null, dispose: () => undefined };
  if (signal.aborted) {
    const stopped = Promise.reject(abortError());
    stopped.catch(() => undefined);
    return { stopped, dispose: () => undefined };
  }
  let onAbort = (): void => undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  stopped.catch(() => undefined); // raised through the race of each block that is waiting
  return { stopped, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/** Locates, reads (coalesced) and decodes blocks missing from the cache; each block's decode settles its entry. */
async function readMissing(L: Layout, img: ImageInternals, missing: Block[], settle: Map<Block, Settle>, rowsOf: (b: Block) => number, rowLen: number, bps: number): Promise<void> {
  const fd = img.fileDirectory;
  const offsetsTag = L.tiled ? 'TileOffsets' : 'StripOffsets';
  const countsTag = L.tiled ? 'TileByteCounts' : 'StripByteCounts';
  await Promise.all(
    missing.map(async (b) => {
      b.offset = Number(await fd.loadValueIndexed(offsetsTag, b.index));
      b.length = Number(await fd.loadValueIndexed(countsTag, b.index));
      if (!Number.isFinite(b.offset) || !Number.isFinite(b.length) || b.offset < 0 || b.length < 0) throw new Error(`block ${b.index} has no valid offset or byte count`);
    }),
  );

  // Coalesced reads: runs of blocks stored back to back (a COG stores a row of tiles in order) in one request.
  const stored = missing.filter((b) => b.length > 0).sort((a, b) => a.offset - b.offset);
  const runs: { offset: number; end: number; blocks: Block[] }[] = [];
  for (const b of stored) {
    const last = runs[runs.length - 1];
    const end = b.offset + b.length;
    if (last && b.offset >= last.offset && b.offset - last.end <= COALESCE_GAP && Math.max(end, last.end) - last.offset <= COALESCE_MAX) {
      last.end = Math.max(last.end, end);
      last.blocks.push(b);
    } else runs.push({ offset: b.offset, end, blocks: [b] });
  }
  const buffers = await img.source.fetch(
    runs.map((r) => ({ offset: r.offset, length: r.end - r.offset })),
  );
  runs.forEach((r, i) => {
    const buf = buffers[i];
    for (const b of r.blocks) {
      const start = b.offset - r.offset;
      b.data = new Uint8Array(buf, start, Math.max(0, Math.min(b.length, buf.byteLength - start)));
    }
  });
  for (const b of missing) {
    // A block never written (sparse file) is null: GDAL reads nodata, or 0 without one.
    const data = b.length === 0 ? null : b.data!;
    const limit = rowsOf(b) * rowLen * bps;
    const label = `block ${b.index} (column ${b.tx}, row ${b.ty})`;
    if (data !== null) blocksDecoded++;
    settle.get(b)!.resolve(data === null ? null : decodeBlock(L, data, limit, rowsOf(b), label).then((raw) => keepable(raw, bps)));
  }
}

export interface FastWindow {
  /** One array per requested sample, (x1 - x0) * (y1 - y0) values each, row-major. */
  arrays: SampleArray[];
  /** The JPEG decoder already converted YCbCr to RGB. */
  rgb: boolean;
}

/**
 * Reads samples `samples` of the window [x0, y0, x1, y1) (inside the image) of one IFD, or null when this layout is
 * not one the fast path covers. Errors (short or corrupt blocks) are thrown as plain Errors naming the block.
 */
export async function readWindowBlocks(image: GeoTIFFImage, win: [number, number, number, number], samples: number[], type: SampleType, signal?: AbortSignal): Promise<FastWindow | null> {
  let lp = layouts.get(image);
  if (!lp) {
    lp = layoutOf(image, type).catch(() => null);
    layouts.set(image, lp);
  }
  const L = await lp;
  if (!L || L.type !== type) return null;
  const img = image as unknown as ImageInternals;
  const [x0, y0, x1, y1] = win;
  const ww = x1 - x0;
  const wh = y1 - y0;
  const Ctor = CTORS[type];
  const outs = samples.map(() => new Ctor(ww * wh));
  const tx0 = Math.floor(x0 / L.tileWidth);
  const tx1 = Math.ceil(x1 / L.tileWidth);
  const ty0 = Math.floor(y0 / L.tileHeight);
  const ty1 = Math.ceil(y1 / L.tileHeight);
  const blocks: Block[] = [];
  const perPlane = L.tilesAcross * L.tilesDown;
  for (let ty = ty0; ty < ty1; ty++) {
    for (let tx = tx0; tx < tx1; tx++) {
      if (L.planar === 1) blocks.push({ index: ty * L.tilesAcross + tx, tx, ty, sample: -1, offset: 0, length: 0 });
      else for (const s of samples) blocks.push({ index: s * perPlane + ty * L.tilesAcross + tx, tx, ty, sample: s, offset: 0, length: 0 });
    }
  }
  // Blocks decoded before (another tile of the same block, a window straddling blocks) come from the block cache;
  // the others are located, read and decoded, and enter the cache before they finish so that concurrent readers share them.
  const spb = L.planar === 1 ? L.spp : 1; // samples per pixel in a block
  const bps = L.bytesPerSample;
  const rowLen = L.tileWidth * spb; // elements per block row
  const rowsOf = (b: Block): number => (L.tiled ? L.tileHeight : Math.min(L.tileHeight, L.height - b.ty * L.tileHeight));
  const decoded = new Map<Block, Promise<Uint8Array | null>>();
  const missing: Block[] = [];
  const settle = new Map<Block, Settle>();
  if (signal?.aborted) throw abortError();
  for (const b of blocks) {
    const hit = cachedBlock(image, b.index);
    if (hit) {
      decoded.set(b, hit);
      continue;
    }
    // The block enters the cache now, before it is located, read and decoded, so that readers arriving meanwhile (the
    // indexer requests the windows of the next tiles ahead) share this one read and decode instead of starting theirs.
    const p = new Promise<Uint8Array | null>((resolve, reject) => settle.set(b, { resolve, reject }));
    p.catch(() => undefined); // its readers see the error; unhandled when the cache is off and no reader is left
    decoded.set(b, cacheBlock(image, b.index, p));
    missing.push(b);
  }
  if (missing.length) {
    // Shared with other readers: neither the read nor the decode takes this reader's signal (each checks its own).
    readMissing(L, img, missing, settle, rowsOf, rowLen, bps).catch((e: unknown) => {
      for (const b of missing) settle.get(b)!.reject(e);
    });
  }

  const rgb8 = type === 'uint8' && spb === 3 && samples.length === 3 && samples[0] === 0 && samples[1] === 1 && samples[2] === 2;
  const watch = abortWatch(signal);
  const work = blocks.map(async (b) => {
    const blockRows = rowsOf(b);
    const firstCol = b.tx * L.tileWidth;
    const firstRow = b.ty * L.tileHeight;
    const p: Placement = {
      bx0: Math.max(0, x0 - firstCol),
      by0: Math.max(0, y0 - firstRow),
      bx1: Math.min(L.tileWidth, x1 - firstCol, L.width - firstCol),
      by1: Math.min(blockRows, y1 - firstRow, L.height - firstRow),
      dst: 0,
    };
    const raw = await (watch.stopped ? Promise.race([decoded.get(b)!, watch.stopped]) : decoded.get(b)!);
    if (p.bx1 <= p.bx0 || p.by1 <= p.by0) return;
    p.dst = (firstRow + p.by0 - y0) * ww + (firstCol + p.bx0 - x0);
    const wanted = L.planar === 1 ? samples.map((_, i) => i) : [samples.indexOf(b.sample)];
    const targets = wanted.map((i) => outs[i]);
    if (raw === null) {
      for (const out of targets) for (let y = p.by0, d = p.dst; y < p.by1; y++, d += ww) out.fill(L.fill, d, d + (p.bx1 - p.bx0));
      return;
    }
    // The JPEG decoder hands back RGB or grey with the block's row length; the others the block's own bytes.
    const need = ((p.by1 - 1) * rowLen + p.bx1 * spb) * bps;
    if (raw.byteLength < need) {
      throw new Error(`block ${b.index} (column ${b.tx}, row ${b.ty}) holds ${raw.byteLength} bytes after decoding, ${need} needed: the data is truncated or corrupt`);
    }
    if (rgb8 && L.planar === 1) {
      placeRgb8(raw, rowLen, p, targets as Uint8Array[], ww, L.predictor);
      return;
    }
    const src = new Ctor(raw.buffer, raw.byteOffset, Math.floor(raw.byteLength / bps));
    if (L.predictor === 2) {
      // The decoded block is shared (block cache): undo the predictor on a copy of the rows the window needs
      // (each row's sums run from its first pixel).
      const from = p.by0 * rowLen;
      const rows = new Ctor(Math.min((p.by1 - p.by0) * rowLen, src.length - from));
      rows.set(src.subarray(from, from + rows.length) as never);
      undoPredictor(rows, p.by1 - p.by0, p.bx1, rowLen, spb);
      place(rows, rowLen, spb, { ...p, by0: 0, by1: p.by1 - p.by0 }, targets, L.planar === 1 ? samples : [0], ww);
      return;
    }
    place(src, rowLen, spb, p, targets, L.planar === 1 ? samples : [0], ww);
  });
  try {
    await Promise.all(work);
  } finally {
    watch.dispose();
  }
  return { arrays: outs, rgb: L.compression === 7 && L.jpegToRgb };
}
