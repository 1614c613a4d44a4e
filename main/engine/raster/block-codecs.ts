// The CPU-bound block decoders, free of geotiff.js so that the decode workers (decode-worker.ts) load only these:
// LZW and PackBits into at most the block's declared size, ZSTD through zstddec's WASM build with the same bound,
// WebP through libwebp's WASM build (@jsquash/webp; geotiff.js has no WebP decoder in Node).
// They run on the main thread (bounded-decoders.ts, block-reader.ts) and in the decode pool (decode-pool.ts).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';
import { ZSTDDecoder } from 'zstddec';
import { compileWasm } from '../wasm/load.js';
import { decodeLzwWasm } from '../wasm/lzw.js';

const CLEAR = 256;
const EOI = 257;
const MAX_CODES = 4096;

/**
 * Decodes a TIFF LZW stream (MSB-first codes, 9 to 12 bits, "early change") into at most `limit` bytes.
 * Returns the bytes decoded; fewer than `limit` when the stream ends early. Through the WebAssembly kernel
 * (wasm/lzw.wat) where it runs, else decodeLzwScalar: the same bytes and errors.
 */
export function decodeLzw(input: Uint8Array, limit: number): Uint8Array {
  return decodeLzwWasm(input, limit) ?? decodeLzwScalar(input, limit);
}

/** decodeLzw in JavaScript: the reference for the WebAssembly kernel, and what runs without it. */
export function decodeLzwScalar(input: Uint8Array, limit: number): Uint8Array {
  const out = new Uint8Array(limit);
  // Every dictionary string also lies in the output already decoded (an entry is the previous code's string plus the
  // byte written right after it), so an entry is kept as (start in out, length) and emitting it is a forward copy,
  // as libtiff does, instead of a walk along a prefix chain per byte (5-10x faster, bench/decode.ts).
  const start = new Int32Array(MAX_CODES);
  const length = new Int32Array(MAX_CODES);
  const inLen = input.length;
  let bitPos = 0;
  let codeLen = 9;
  let next = 258;
  // Previous code, for growing the dictionary; -1 right after a clear code and once the dictionary is full.
  let old = -1;
  let oldStart = 0;
  let oldLen = 0;
  let justCleared = false;
  let o = 0;
  while (o < limit) {
    // One code of up to 12 bits spans at most 3 bytes, MSB first.
    const byte = bitPos >>> 3;
    if (byte >= inLen) break; // out of input: the stream ends as at an EOI code
    const chunk = byte + 2 < inLen ? (input[byte] << 16) | (input[byte + 1] << 8) | input[byte + 2] : (input[byte] << 16) | ((byte + 1 < inLen ? input[byte + 1] : 0) << 8);
    const code = (chunk >>> (24 - (bitPos & 7) - codeLen)) & ((1 << codeLen) - 1);
    bitPos += codeLen;
    if (code === EOI) break;
    if (code === CLEAR) {
      next = 258;
      codeLen = 9;
      old = -1;
      justCleared = true;
      continue;
    }
    const at = o;
    let n: number;
    if (code < 256) {
      n = 1;
      out[o++] = code;
    } else if (code < next) {
      n = length[code];
      const end = Math.min(limit, o + n);
      for (let i = start[code]; o < end; ) out[o++] = out[i++];
    } else if (code === next && old >= 0) {
      // The string being defined (KwKwK): old's string plus its own first byte, an overlapping forward copy.
      n = oldLen + 1;
      const end = Math.min(limit, o + n);
      for (let i = oldStart; o < end; ) out[o++] = out[i++];
    } else if (justCleared) {
      throw new Error(`LZW: code ${code} right after a clear code`);
    } else {
      throw new Error(`LZW: code ${code} is not in the dictionary (${next} entries)`);
    }
    if (old >= 0 && next < MAX_CODES) {
      start[next] = oldStart;
      length[next] = oldLen + 1;
      next++;
    }
    justCleared = false;
    old = code;
    oldStart = at;
    oldLen = n;
    if (next + 1 >= 1 << codeLen) {
      if (codeLen < 12) codeLen++;
      // A full dictionary without a clear code: stop adding, as geotiff.js and libtiff do.
      else old = -1;
    }
  }
  return o === limit ? out : out.slice(0, o);
}

/** PackBits (Apple RLE) into at most `limit` bytes. */
export function decodePackBits(input: Uint8Array, limit: number): Uint8Array {
  const out = new Uint8Array(limit);
  let o = 0;
  for (let i = 0; i < input.length && o < limit; ) {
    const h = (input[i] << 24) >> 24;
    if (h >= 0) {
      const n = Math.min(h + 1, input.length - i - 1, limit - o);
      out.set(input.subarray(i + 1, i + 1 + n), o);
      o += n;
      i += h + 2;
    } else if (h !== -128) {
      const n = Math.min(1 - h, limit - o);
      if (i + 1 < input.length) out.fill(input[i + 1], o, o + n);
      o += n;
      i += 2;
    } else {
      i += 1; // -128 is a no-op
    }
  }
  return o === limit ? out : out.slice(0, o);
}

let zstdWasm: Promise<ZSTDDecoder> | null = null;

function zstdDecoder(): Promise<ZSTDDecoder> {
  if (!zstdWasm) {
    const d = new ZSTDDecoder();
    zstdWasm = d.init().then(() => d);
  }
  return zstdWasm;
}

/** ZSTD through zstddec's WASM build into at most `limit` bytes: a frame that does not decode is an error. */
export async function decodeZstdWasm(input: Uint8Array, limit: number): Promise<Uint8Array> {
  const d = await zstdDecoder();
  // zstddec hands back what ZSTD_decompress reported; an error code (negative) or a frame larger than the buffer
  // comes back as a shorter array, which the caller rejects as a short block.
  const out = d.decode(input, Math.max(1, limit));
  if (out.length === 0 && limit > 0) throw new Error('ZSTD block does not decode (corrupt, or larger than its declared size)');
  return out;
}

/** Deflate (zlib stream, or raw) into at most `limit` bytes, synchronously: the decode workers' inflater. */
export function inflateBoundedSync(input: Uint8Array, limit: number): Uint8Array {
  // Z_SYNC_FLUSH: a stream cut short still yields what it holds, as the main thread's async inflater does.
  const opts = { maxOutputLength: Math.max(1, limit), chunkSize: Math.max(64, Math.min(limit, 64 * 1024 * 1024)), finishFlush: zlib.constants.Z_SYNC_FLUSH };
  try {
    try {
      return zlib.inflateSync(input, opts);
    } catch (e) {
      // A few writers store raw Deflate without the zlib header (CM nibble 8): retry those raw.
      if ((input[0] & 0x0f) === 8 || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw e;
      return zlib.inflateRawSync(input, opts);
    }
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new Error(`DEFLATE block inflates past its declared ${limit} bytes`);
    }
    throw e;
  }
}

type WebpDecode = (data: ArrayBuffer) => Promise<{ data: Uint8ClampedArray; width: number; height: number }>;
let webpWasm: Promise<WebpDecode> | null = null;

/** libwebp's decoder, its WebAssembly compiled from the file inside the package (no fetch, works inside asar). */
function webpDecoder(): Promise<WebpDecode> {
  if (!webpWasm) {
    webpWasm = (async () => {
      const mod = (await import('@jsquash/webp/decode.js')) as unknown as { default: WebpDecode; init(module: unknown): Promise<void> };
      const wasm = readFileSync(createRequire(import.meta.url).resolve('@jsquash/webp/codec/dec/webp_dec.wasm'));
      await mod.init(compileWasm(wasm));
      return mod.default;
    })();
    webpWasm.catch(() => {
      webpWasm = null; // tried again by the next block, which then reports the same failure
    });
  }
  return webpWasm;
}

/**
 * A TIFF WebP block (one RIFF/WebP bitstream per tile, as libtiff writes it for 8-bit RGB or RGBA) into its pixels,
 * interleaved: `limit` is the tile's size in bytes, and the samples per pixel (3 or 4) follow from it and the tile's
 * decoded size. A block that does not decode, or decodes to another size, is an error naming what it found.
 */
export async function decodeWebp(input: Uint8Array, limit: number): Promise<Uint8Array> {
  // The size comes from the bitstream's header: check it before libwebp allocates for it (a header declaring
  // 16383 x 16383 would take a gigabyte of WebAssembly memory).
  const size = webpSize(input);
  if (size && size.width * size.height * 3 > limit) {
    throw new Error(`WebP block declares ${size.width}x${size.height} pixels, more than its ${limit}-byte tile holds`);
  }
  const decode = await webpDecoder();
  let img: { data: Uint8ClampedArray; width: number; height: number };
  try {
    img = await decode(input.slice().buffer);
  } catch {
    throw new Error('WebP block does not decode (corrupt or truncated)');
  }
  const pixels = img.width * img.height;
  const spp = pixels > 0 ? limit / pixels : 0;
  if (spp !== 3 && spp !== 4) throw new Error(`WebP block decodes to ${img.width}x${img.height} pixels, which does not fill its ${limit}-byte tile`);
  const rgba = new Uint8Array(img.data.buffer, img.data.byteOffset, pixels * 4);
  if (spp === 4) return rgba;
  const out = new Uint8Array(pixels * 3);
  for (let i = 0, j = 0; i < pixels * 4; i += 4, j += 3) {
    out[j] = rgba[i];
    out[j + 1] = rgba[i + 1];
    out[j + 2] = rgba[i + 2];
  }
  return out;
}

/** Width and height from a WebP bitstream's header (simple lossy, lossless or extended), or null if it has none. */
export function webpSize(b: Uint8Array): { width: number; height: number } | null {
  if (b.length < 30 || b[0] !== 0x52 || b[1] !== 0x49 || b[2] !== 0x46 || b[3] !== 0x46 || b[8] !== 0x57 || b[9] !== 0x45 || b[10] !== 0x42 || b[11] !== 0x50) return null;
  const chunk = String.fromCharCode(b[12], b[13], b[14], b[15]);
  if (chunk === 'VP8 ') return { width: (b[26] | (b[27] << 8)) & 0x3fff, height: (b[28] | (b[29] << 8)) & 0x3fff };
  if (chunk === 'VP8L' && b[20] === 0x2f) {
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: (b[24] | (b[25] << 8) | (b[26] << 16)) + 1, height: (b[27] | (b[28] << 8) | (b[29] << 16)) + 1 };
  return null;
}

/** The codecs the decode pool runs. */
export type PoolCodec = 'lzw' | 'packbits' | 'zstd' | 'deflate' | 'webp';

/** One block through one of the pool's codecs, into at most `limit` bytes (the same code runs inline and in a worker). */
export async function decodeWith(codec: PoolCodec, input: Uint8Array, limit: number): Promise<Uint8Array> {
  switch (codec) {
    case 'lzw':
      return decodeLzw(input, limit);
    case 'packbits':
      return decodePackBits(input, limit);
    case 'zstd':
      return decodeZstdWasm(input, limit);
    case 'deflate':
      return inflateBoundedSync(input, limit);
    case 'webp':
      return decodeWebp(input, limit);
  }
}
