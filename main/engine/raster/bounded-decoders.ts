// Block decoders that never produce more than the block's declared size, replacing geotiff.js's LZW, PackBits and DEFLATE decoders and guarding its JPEG decoder.
//
// geotiff.js decodes LZW and PackBits into plain JS arrays: a corrupt strip (an LZW code expands to up to
// 4 KB, a PackBits pair to 129 bytes) grows that array until V8 aborts the whole process ("Fatal JavaScript
// invalid size error"), which no try/catch can stop. Its DEFLATE decoder inflates whatever the stream holds
// (a 1 MB bomb is 1 GB), and its JPEG decoder allocates whatever size the JPEG frame header declares. Like
// libtiff, these decoders write into the block's declared size and refuse anything larger.

import { inflateRawSync, inflateSync } from 'node:zlib';
import { addDecoder, BaseDecoder, getDecoder } from 'geotiff';

const CLEAR = 256;
const EOI = 257;
const MAX_CODES = 4096;

interface BlockParameters {
  tileWidth: number;
  tileHeight: number;
  bitsPerSample: number | ArrayLike<number>;
  planarConfiguration: number;
}

/** Bytes one decoded block holds, from the decoder parameters geotiff.js passes. */
export function blockByteSize(p: BlockParameters): number {
  const bits = typeof p.bitsPerSample === 'number' ? [p.bitsPerSample] : Array.from(p.bitsPerSample);
  const pixelBits = p.planarConfiguration === 2 ? bits[0] : bits.reduce((a, b) => a + b, 0);
  return Math.ceil((p.tileWidth * p.tileHeight * pixelBits) / 8);
}

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

class BoundedLzwDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    return decodeLzw(new Uint8Array(buffer), blockByteSize(this.parameters as unknown as BlockParameters)).buffer;
  }
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

class BoundedPackBitsDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    return decodePackBits(new Uint8Array(buffer), blockByteSize(this.parameters as unknown as BlockParameters)).buffer;
  }
}

class BoundedDeflateDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    const limit = blockByteSize(this.parameters as unknown as BlockParameters);
    const input = new Uint8Array(buffer);
    // Z_SYNC_FLUSH: a stream cut short still yields what it holds, as pako (geotiff.js's inflater) does.
    const opts = { maxOutputLength: Math.max(1, limit), finishFlush: 2 };
    let out: Buffer;
    try {
      try {
        out = inflateSync(input, opts);
      } catch (e) {
        // A few writers store raw Deflate without the zlib header (CM nibble 8): retry those raw.
        if ((input[0] & 0x0f) === 8 || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw e;
        out = inflateRawSync(input, opts);
      }
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
        throw new Error(`DEFLATE block inflates past its declared ${limit} bytes`);
      }
      throw e;
    }
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
  }
}

/** Frame size declared by the first SOFn marker of a JPEG stream, or null when there is none. */
export function jpegFrameSize(data: Uint8Array): { width: number; height: number } | null {
  for (let i = 0; i + 8 < data.length; i++) {
    if (data[i] !== 0xff) continue;
    const m = data[i + 1];
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      return { height: (data[i + 5] << 8) | data[i + 6], width: (data[i + 7] << 8) | data[i + 8] };
    }
  }
  return null;
}

interface Directory {
  loadValue(tag: string): Promise<unknown>;
  hasTag(tag: string): boolean;
}

/**
 * geotiff.js's decoder parameters, with a strip's height clamped to the image: GDAL writes RowsPerStrip
 * 2^32-1 for single-strip files, which would otherwise size the block at gigabytes.
 */
async function blockParameters(fd: Directory): Promise<BlockParameters & { predictor: number }> {
  const tiled = !fd.hasTag('StripOffsets');
  const imageHeight = Number(await fd.loadValue('ImageLength'));
  const rows = Number(await fd.loadValue('RowsPerStrip')) || imageHeight;
  return {
    tileWidth: Number(await fd.loadValue(tiled ? 'TileWidth' : 'ImageWidth')),
    tileHeight: tiled ? Number(await fd.loadValue('TileLength')) : Math.min(rows, imageHeight),
    planarConfiguration: Number(await fd.loadValue('PlanarConfiguration')) || 1,
    bitsPerSample: (await fd.loadValue('BitsPerSample')) as number[],
    predictor: Number(await fd.loadValue('Predictor')) || 1,
  };
}

type DecoderInstance = { decode(buffer: ArrayBufferLike): Promise<ArrayBufferLike> };
type DecoderClass = new (parameters: unknown) => DecoderInstance;

let registered = false;

/** Makes geotiff.js use the bounded decoders (LZW, PackBits, DEFLATE) and the JPEG frame check; idempotent. */
export function registerBoundedDecoders(): void {
  if (registered) return;
  registered = true;
  // geotiff.js's own JPEG decoder class, looked up before code 7 is re-registered (getDecoder reads the registry synchronously).
  const jpegClass: Promise<DecoderClass> = getDecoder(7, {} as never).then((d) => (d as unknown as { constructor: DecoderClass }).constructor);
  jpegClass.catch(() => undefined);
  class GuardedJpegDecoder {
    private readonly inner: Promise<DecoderInstance>;
    constructor(private readonly parameters: BlockParameters & { JPEGTables?: Uint8Array }) {
      this.inner = jpegClass.then((C) => new C(parameters));
      // A corrupt JPEGTables makes the constructor throw; that surfaces in decode(), not as an unhandled rejection.
      this.inner.catch(() => undefined);
    }
    async decode(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
      const p = this.parameters;
      const frame = jpegFrameSize(new Uint8Array(buffer));
      // A tile's JPEG frame is the tile (a strip's may be shorter at the bottom); anything larger would be allocated whole.
      if (frame && (frame.width > p.tileWidth || frame.height > p.tileHeight || frame.width === 0 || frame.height === 0)) {
        throw new Error(`JPEG block declares a ${frame.width}x${frame.height} frame in a ${p.tileWidth}x${p.tileHeight} block`);
      }
      return (await this.inner).decode(buffer);
    }
  }
  addDecoder(5, async () => BoundedLzwDecoder as never, blockParameters as never, false);
  addDecoder(32773, async () => BoundedPackBitsDecoder as never, blockParameters as never, false);
  addDecoder([8, 32946], async () => BoundedDeflateDecoder as never, blockParameters as never, false);
  addDecoder(7, async () => GuardedJpegDecoder as never, (async (fd: Directory) => ({ ...(await blockParameters(fd)), JPEGTables: await fd.loadValue('JPEGTables') })) as never, false);
}
