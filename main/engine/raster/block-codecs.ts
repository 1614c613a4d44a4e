// The CPU-bound block decoders, free of geotiff.js so that the decode workers (decode-worker.ts) load only these:
// LZW and PackBits into at most the block's declared size, ZSTD through zstddec's WASM build with the same bound.
// They run on the main thread (bounded-decoders.ts, block-reader.ts) and in the decode pool (decode-pool.ts).

import * as zlib from 'node:zlib';
import { ZSTDDecoder } from 'zstddec';

const CLEAR = 256;
const EOI = 257;
const MAX_CODES = 4096;

/**
 * Decodes a TIFF LZW stream (MSB-first codes, 9 to 12 bits, "early change") into at most `limit` bytes.
 * Returns the bytes decoded; fewer than `limit` when the stream ends early.
 */
export function decodeLzw(input: Uint8Array, limit: number): Uint8Array {
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

/** The codecs the decode pool runs. */
export type PoolCodec = 'lzw' | 'packbits' | 'zstd' | 'deflate';

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
  }
}
