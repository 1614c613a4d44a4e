// Faster block handling in geotiff.js: a tight 8-bit predictor and typed-array copies of decoded blocks into windows.
//
// Measured in bench/decode.ts: stock geotiff.js 3.0.5 read a 3-band uint8 COG at 1-2 MPix/s on this machine, 20-40x
// slower than GDAL. Its window copy reads every sample through a DataView getter called with `reader.call(...)`, and
// its predictor makes a view per row and adds sample by sample; Deflate ran in pako (now node:zlib, in
// bounded-decoders.ts). Here the copy goes through typed-array views of the decoded block, one pass per block row.

import { BaseDecoder, GeoTIFFImage } from 'geotiff';
import { undoPredictor } from './predictor.js';

type Typed = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;
type TypedCtor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): Typed; BYTES_PER_ELEMENT: number };

/** Internal shape of GeoTIFFImage that the copy relies on (geotiff.js 3.0.x). */
interface ImageInternals {
  planarConfiguration: number;
  littleEndian: boolean;
  getTileWidth(): number;
  getTileHeight(): number;
  getWidth(): number;
  getHeight(): number;
  getBytesPerPixel(): number;
  getSampleByteSize(i: number): number;
  getBlockHeight(y: number): number;
  getReaderForSample(i: number): (this: DataView, offset: number, littleEndian: boolean) => number;
  getTileOrStrip(x: number, y: number, sample: number, poolOrDecoder: unknown, signal?: AbortSignal): Promise<{ x: number; y: number; sample: number; data: ArrayBufferLike }>;
  fileDirectory: { loadValue(name: string): Promise<unknown> };
}

type ReadRaster = (
  this: ImageInternals,
  imageWindow: number[],
  samples: number[],
  valueArrays: Typed | Typed[],
  interleave: boolean | undefined,
  poolOrDecoder: unknown,
  width?: number,
  height?: number,
  resampleMethod?: string,
  signal?: AbortSignal,
) => Promise<unknown>;

const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * geotiff.js's window assembly with the per-sample copy done through typed arrays. Falls back to the original for
 * interleaved output, resampling, byte orders other than the host's and sample sizes a typed array cannot view.
 */
function makeFastReadRaster(original: ReadRaster): ReadRaster {
  return async function fastReadRaster(this: ImageInternals, imageWindow, samples, valueArrays, interleave, poolOrDecoder, width, height, resampleMethod, signal) {
    const windowWidth = imageWindow[2] - imageWindow[0];
    const windowHeight = imageWindow[3] - imageWindow[1];
    if (interleave || !Array.isArray(valueArrays) || (width && width !== windowWidth) || (height && height !== windowHeight) || this.littleEndian !== hostLittleEndian) {
      return original.call(this, imageWindow, samples, valueArrays, interleave, poolOrDecoder, width, height, resampleMethod, signal);
    }
    const planar = this.planarConfiguration;
    const bytesPerPixel = this.getBytesPerPixel();
    const bits = planar === 1 ? ((await this.fileDirectory.loadValue('BitsPerSample')) as ArrayLike<number>) : null;
    // Element offset of each requested sample within a pixel, and the pixel stride, in units of the output array's element.
    const offsets: number[] = [];
    const strides: number[] = [];
    for (let i = 0; i < samples.length; i++) {
      const bpe = (valueArrays[i].constructor as TypedCtor).BYTES_PER_ELEMENT;
      const size = this.getSampleByteSize(samples[i]);
      let byteOffset = 0;
      if (bits) for (let k = 0; k < samples[i]; k++) byteOffset += bits[k] / 8;
      const pixelBytes = planar === 1 ? bytesPerPixel : size;
      if (size !== bpe || byteOffset % bpe !== 0 || pixelBytes % bpe !== 0) {
        return original.call(this, imageWindow, samples, valueArrays, interleave, poolOrDecoder, width, height, resampleMethod, signal);
      }
      offsets.push(byteOffset / bpe);
      strides.push(pixelBytes / bpe);
    }

    const tileWidth = this.getTileWidth();
    const tileHeight = this.getTileHeight();
    const imageWidth = this.getWidth();
    const imageHeight = this.getHeight();
    const minXTile = Math.max(Math.floor(imageWindow[0] / tileWidth), 0);
    const maxXTile = Math.min(Math.ceil(imageWindow[2] / tileWidth), Math.ceil(imageWidth / tileWidth));
    const minYTile = Math.max(Math.floor(imageWindow[1] / tileHeight), 0);
    const maxYTile = Math.min(Math.ceil(imageWindow[3] / tileHeight), Math.ceil(imageHeight / tileHeight));

    const copy = (tile: { x: number; y: number; data: ArrayBufferLike }, si: number): void => {
      const dst = valueArrays[si];
      const Ctor = dst.constructor as TypedCtor;
      const blockHeight = this.getBlockHeight(tile.y);
      const firstLine = tile.y * tileHeight;
      const firstCol = tile.x * tileWidth;
      const ymax = Math.min(blockHeight, blockHeight - (firstLine + blockHeight - imageWindow[3]), imageHeight - firstLine);
      const xmax = Math.min(tileWidth, tileWidth - ((tile.x + 1) * tileWidth - imageWindow[2]), imageWidth - firstCol);
      const y0 = Math.max(0, imageWindow[1] - firstLine);
      const x0 = Math.max(0, imageWindow[0] - firstCol);
      if (ymax <= y0 || xmax <= x0) return;
      const stride = strides[si];
      const off = offsets[si];
      const need = ((ymax - 1) * tileWidth + xmax) * stride;
      if (tile.data.byteLength < need * Ctor.BYTES_PER_ELEMENT) {
        // A block shorter than declared (corrupt or truncated data): the DataView copy raises the error it always did.
        const view = new DataView(tile.data as ArrayBuffer);
        const reader = this.getReaderForSample(samples[si]);
        for (let y = y0; y < ymax; y++) {
          for (let x = x0; x < xmax; x++) {
            dst[(y + firstLine - imageWindow[1]) * windowWidth + x + firstCol - imageWindow[0]] = reader.call(view, (y * tileWidth + x) * stride * Ctor.BYTES_PER_ELEMENT + off * Ctor.BYTES_PER_ELEMENT, this.littleEndian);
          }
        }
        return;
      }
      const src = new Ctor(tile.data, 0, need);
      const n = xmax - x0;
      for (let y = y0; y < ymax; y++) {
        const d = (y + firstLine - imageWindow[1]) * windowWidth + x0 + firstCol - imageWindow[0];
        const s = (y * tileWidth + x0) * stride + off;
        if (stride === 1) {
          (dst as Uint8Array).set((src as Uint8Array).subarray(s, s + n), d);
        } else {
          for (let k = 0; k < n; k++) dst[d + k] = src[s + k * stride];
        }
      }
    };

    // 8-bit pixel-interleaved blocks, 2 to 4 samples wanted: one pass over each block row fills every output band.
    const bytes8 = planar === 1 && samples.length >= 2 && samples.length <= 4 && valueArrays.every((a) => a instanceof Uint8Array);
    const copyPixels = (tile: { x: number; y: number; data: ArrayBufferLike }): boolean => {
      if (!bytes8) return false;
      const blockHeight = this.getBlockHeight(tile.y);
      const firstLine = tile.y * tileHeight;
      const firstCol = tile.x * tileWidth;
      const ymax = Math.min(blockHeight, blockHeight - (firstLine + blockHeight - imageWindow[3]), imageHeight - firstLine);
      const xmax = Math.min(tileWidth, tileWidth - ((tile.x + 1) * tileWidth - imageWindow[2]), imageWidth - firstCol);
      const y0 = Math.max(0, imageWindow[1] - firstLine);
      const x0 = Math.max(0, imageWindow[0] - firstCol);
      if (ymax <= y0 || xmax <= x0) return true;
      const stride = strides[0];
      if (tile.data.byteLength < ((ymax - 1) * tileWidth + xmax) * stride) return false; // short block: the checked path
      const src = new Uint8Array(tile.data);
      const d0 = valueArrays[0] as Uint8Array;
      const d1 = valueArrays[1] as Uint8Array;
      const d2 = (valueArrays[2] ?? valueArrays[1]) as Uint8Array;
      const d3 = (valueArrays[3] ?? valueArrays[2] ?? valueArrays[1]) as Uint8Array;
      const o0 = offsets[0];
      const o1 = offsets[1];
      const o2 = offsets[2] ?? o1;
      const o3 = offsets[3] ?? offsets[2] ?? o1;
      const n = xmax - x0;
      for (let y = y0; y < ymax; y++) {
        const d = (y + firstLine - imageWindow[1]) * windowWidth + x0 + firstCol - imageWindow[0];
        let s = (y * tileWidth + x0) * stride;
        for (let k = 0; k < n; k++, s += stride) {
          d0[d + k] = src[s + o0];
          d1[d + k] = src[s + o1];
          d2[d + k] = src[s + o2];
          d3[d + k] = src[s + o3];
        }
      }
      return true;
    };

    const promises: Promise<void>[] = [];
    for (let yTile = minYTile; yTile < maxYTile; ++yTile) {
      for (let xTile = minXTile; xTile < maxXTile; ++xTile) {
        if (planar === 1) {
          promises.push(
            this.getTileOrStrip(xTile, yTile, 0, poolOrDecoder, signal).then((tile) => {
              if (!copyPixels(tile)) for (let si = 0; si < samples.length; si++) copy(tile, si);
            }),
          );
        } else {
          for (let si = 0; si < samples.length; si++) {
            promises.push(this.getTileOrStrip(xTile, yTile, samples[si], poolOrDecoder, signal).then((tile) => copy(tile, si)));
          }
        }
      }
    }
    await Promise.all(promises);
    const result = valueArrays as Typed[] & { width?: number; height?: number };
    result.width = width || windowWidth;
    result.height = height || windowHeight;
    return result;
  };
}

/** Undoes TIFF horizontal differencing (Predictor 2) on 8-bit samples in place; `stride` samples per pixel, whole rows of `rowBytes`. */
export function undoHorizontalDifferencing8(block: Uint8Array, rowBytes: number, stride: number): void {
  undoPredictor(block, Math.floor(block.length / rowBytes), Math.floor(rowBytes / stride), rowBytes, stride);
}

type Decode = (this: BaseDecoder, buffer: ArrayBufferLike) => Promise<ArrayBufferLike>;

/**
 * geotiff.js's BaseDecoder.decode with Predictor 2 on 8-bit samples undone by the loop above (geotiff.js makes a
 * view per row and adds sample by sample). Other predictors, depths and blocks that are not whole rows keep its code.
 */
function makeFastDecode(original: Decode): Decode {
  return async function fastDecode(this: BaseDecoder, buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    const p = this.parameters as { predictor?: number; tileWidth: number; bitsPerSample: number | ArrayLike<number>; planarConfiguration: number };
    if (p.predictor !== 2) return original.call(this, buffer);
    const bits = typeof p.bitsPerSample === 'number' ? [p.bitsPerSample] : Array.from(p.bitsPerSample);
    if (!bits.every((b) => b === 8)) return original.call(this, buffer);
    const stride = p.planarConfiguration === 2 ? 1 : bits.length;
    const rowBytes = stride * p.tileWidth;
    const decoded = await this.decodeBlock(buffer);
    if (rowBytes <= 0 || decoded.byteLength % rowBytes !== 0) return original.call(this, buffer);
    undoHorizontalDifferencing8(new Uint8Array(decoded), rowBytes, stride);
    return decoded;
  };
}

let installed = false;

/** Installs the 8-bit predictor and the typed-array window copy in geotiff.js; idempotent. (Deflate goes through node:zlib in bounded-decoders.ts.) */
export function installFastDecoding(): void {
  if (installed) return;
  installed = true;
  const base = BaseDecoder.prototype as unknown as { decode: Decode };
  base.decode = makeFastDecode(base.decode);
  const proto = GeoTIFFImage.prototype as unknown as { _readRaster?: ReadRaster };
  // geotiff.js is pinned; should a release drop the private method, reads keep working at the stock speed.
  if (typeof proto._readRaster === 'function') proto._readRaster = makeFastReadRaster(proto._readRaster);
}
