// Block decoders that never produce more than the block's declared size, replacing geotiff.js's LZW, PackBits and DEFLATE decoders and guarding its JPEG decoder.
//
// geotiff.js decodes LZW and PackBits into plain JS arrays: a corrupt strip (an LZW code expands to up to
// 4 KB, a PackBits pair to 129 bytes) grows that array until V8 aborts the whole process ("Fatal JavaScript
// invalid size error"), which no try/catch can stop. Its DEFLATE decoder inflates whatever the stream holds
// (a 1 MB bomb is 1 GB), and its JPEG decoder allocates whatever size the JPEG frame header declares. Like
// libtiff, these decoders write into the block's declared size and refuse anything larger.

import { inflateRawSync, inflateSync } from 'node:zlib';
import { addDecoder, BaseDecoder, getDecoder } from 'geotiff';
import { decodeLzw, decodePackBits } from './block-codecs.js';

export { decodeLzw, decodePackBits };

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

class BoundedLzwDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    return decodeLzw(new Uint8Array(buffer), blockByteSize(this.parameters as unknown as BlockParameters)).buffer;
  }
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
