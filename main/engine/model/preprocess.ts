// Turns RGB images into the model's NCHW float input exactly as open_clip does (PIL resize, centre crop, normalise).
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import type { ModelManifest, RgbImage } from './types.js';
import { normalizeRgbWasm, resizeNormalizeWasm, resizeRgbWasm } from '../wasm/pixels.js';

export interface PreprocessSpec {
  imageSize: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  resizeMode: 'shortest-center-crop' | 'squash';
  interpolation: 'bicubic' | 'bilinear';
}

export function preprocessSpec(manifest: ModelManifest): PreprocessSpec {
  const v = manifest.vision;
  return { imageSize: v.imageSize, mean: v.mean, std: v.std, resizeMode: v.resizeMode, interpolation: v.interpolation };
}

export function checkImage(img: RgbImage, what = 'image'): void {
  const { width, height, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new EngineError(ErrorCodes.EMPTY_IMAGE, `${what} has size ${width}x${height}; both sides must be positive integers`);
  }
  if (!data || data.length !== width * height * 3) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `${what} is ${width}x${height} RGB, so it needs ${width * height * 3} bytes, got ${data?.length}`);
  }
}

// PIL's filters (libImaging/Resample.c): bicubic with a = -0.5, bilinear = triangle.
const FILTERS = {
  bicubic: {
    support: 2,
    f(x: number): number {
      const a = -0.5;
      if (x < 0) x = -x;
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
  bilinear: {
    support: 1,
    f(x: number): number {
      if (x < 0) x = -x;
      return x < 1 ? 1 - x : 0;
    },
  },
} as const;

const PRECISION_BITS = 32 - 8 - 2;
const ROUND_HALF = 1 << (PRECISION_BITS - 1);

interface Coeffs {
  ksize: number;
  /** xmin, count per output pixel. */
  bounds: Int32Array;
  /** Fixed-point weights, ksize per output pixel. */
  kk: Int32Array;
}

const coeffCache = new Map<string, Coeffs>();

/** The coefficients of one axis, computed once per (input size, output size, filter): every tile of a scene shares them. */
function coefficients(inSize: number, outSize: number, interpolation: keyof typeof FILTERS): Coeffs {
  const key = `${inSize}:${outSize}:${interpolation}`;
  let c = coeffCache.get(key);
  if (!c) {
    if (coeffCache.size > 64) coeffCache.clear();
    c = computeCoefficients(inSize, outSize, FILTERS[interpolation]);
    coeffCache.set(key, c);
  }
  return c;
}

/** PIL's precompute_coeffs + normalize_coeffs_8bpc: antialiased when shrinking (support scaled by the factor). */
function computeCoefficients(inSize: number, outSize: number, filter: (typeof FILTERS)[keyof typeof FILTERS]): Coeffs {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const v = filter.f((x + xmin - center + 0.5) * ss);
      w[x] = v;
      ww += v;
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? w[x] / ww : w[x];
      kk[xx * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * (1 << PRECISION_BITS)) : Math.trunc(0.5 + v * (1 << PRECISION_BITS));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, kk };
}

/** The input rows the vertical pass reads, [first, first + rows): only those go through the horizontal pass, as in PIL. */
function rowSpan(cv: Coeffs, outH: number): { first: number; rows: number } {
  const first = cv.bounds[0];
  return { first, rows: cv.bounds[outH * 2 - 2] + cv.bounds[outH * 2 - 1] - first };
}

/** PIL's clip8 for one RGB pixel: the fixed-point sums shifted back, clamped to 0..255 and stored. */
function put3(out: Uint8Array, at: number, s0: number, s1: number, s2: number): void {
  s0 >>= PRECISION_BITS;
  s1 >>= PRECISION_BITS;
  s2 >>= PRECISION_BITS;
  out[at] = s0 < 0 ? 0 : s0 > 255 ? 255 : s0;
  out[at + 1] = s1 < 0 ? 0 : s1 > 255 ? 255 : s1;
  out[at + 2] = s2 < 0 ? 0 : s2 > 255 ? 255 : s2;
}

/**
 * Resizes like PIL's Image.resize (8-bit, horizontal pass first, intermediate rounded to uint8).
 * The sums are int32 as in PIL (8-bit values times 22-bit weights that add up to 1 stay within it), so they are kept
 * in int32 arithmetic (Math.imul, | 0): V8 then never checks them for overflow into doubles, about 20 % faster.
 * Images that need both passes go through the WebAssembly SIMD kernels of ../wasm/pixels.wat where they run (the same
 * arithmetic four lanes at a time, bit-identical); these loops are the reference and the fallback.
 */
export function resizeRgb(img: RgbImage, outW: number, outH: number, interpolation: 'bicubic' | 'bilinear'): RgbImage {
  checkImage(img);
  const { width: inW, height: inH, data } = img;
  if (inW !== outW && inH !== outH) {
    const cv = coefficients(inH, outH, interpolation);
    const { first, rows } = rowSpan(cv, outH);
    const out = resizeRgbWasm(data, inW, first, rows, outW, outH, coefficients(inW, outW, interpolation), cv);
    if (out) return { width: outW, height: outH, data: out };
  }
  return resizeRgbScalar(img, outW, outH, interpolation);
}

/** resizeRgb in JavaScript: the reference for the WebAssembly kernels, and what runs without them. */
export function resizeRgbScalar(img: RgbImage, outW: number, outH: number, interpolation: 'bicubic' | 'bilinear'): RgbImage {
  checkImage(img);
  const { width: inW, height: inH, data } = img;
  if (inW === outW && inH === outH) return { width: outW, height: outH, data: data.slice() };
  const needH = outW !== inW;
  const needV = outH !== inH;
  const cv = needV ? coefficients(inH, outH, interpolation) : null;
  const { first: yFirst, rows } = cv ? rowSpan(cv, outH) : { first: 0, rows: inH };

  let mid = data;
  let midW = inW;
  let midRow0 = 0;
  if (needH) {
    const ch = coefficients(inW, outW, interpolation);
    const { bounds, kk, ksize } = ch;
    mid = new Uint8Array(outW * rows * 3);
    for (let y = 0; y < rows; y++) {
      const src = (y + yFirst) * inW * 3;
      for (let xx = 0, dst = y * outW * 3; xx < outW; xx++, dst += 3) {
        const xmax = bounds[xx * 2 + 1];
        const k = xx * ksize;
        let s0 = ROUND_HALF;
        let s1 = ROUND_HALF;
        let s2 = ROUND_HALF;
        for (let x = 0, p = src + bounds[xx * 2] * 3; x < xmax; x++, p += 3) {
          const w = kk[k + x];
          s0 = (s0 + Math.imul(data[p], w)) | 0;
          s1 = (s1 + Math.imul(data[p + 1], w)) | 0;
          s2 = (s2 + Math.imul(data[p + 2], w)) | 0;
        }
        put3(mid, dst, s0, s1, s2);
      }
    }
    midW = outW;
    midRow0 = yFirst;
  }
  if (!cv) return { width: outW, height: outH, data: mid === data ? data.slice() : mid };

  const out = new Uint8Array(outW * outH * 3);
  const { bounds, kk, ksize } = cv;
  const rowStride = midW * 3;
  for (let yy = 0; yy < outH; yy++) {
    const ymax = bounds[yy * 2 + 1];
    const k = yy * ksize;
    const first = (bounds[yy * 2] - midRow0) * rowStride;
    for (let xx = 0, dst = yy * outW * 3; xx < outW; xx++, dst += 3) {
      let s0 = ROUND_HALF;
      let s1 = ROUND_HALF;
      let s2 = ROUND_HALF;
      for (let y = 0, p = first + xx * 3; y < ymax; y++, p += rowStride) {
        const w = kk[k + y];
        s0 = (s0 + Math.imul(mid[p], w)) | 0;
        s1 = (s1 + Math.imul(mid[p + 1], w)) | 0;
        s2 = (s2 + Math.imul(mid[p + 2], w)) | 0;
      }
      put3(out, dst, s0, s1, s2);
    }
  }
  return { width: outW, height: outH, data: out };
}

/** torchvision Resize(size) for an int size: shortest side -> size, the other truncated (int()) in proportion. */
export function shortestSideSize(width: number, height: number, size: number): { width: number; height: number } {
  if (width <= height) return { width: size, height: Math.trunc((size * height) / width) };
  return { width: Math.trunc((size * width) / height), height: size };
}

/** Python's round(): halves go to the even neighbour, which torchvision's CenterCrop inherits. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** torchvision CenterCrop for an image at least `size` on both sides. */
export function centerCrop(img: RgbImage, size: number): RgbImage {
  const top = roundHalfEven((img.height - size) / 2);
  const left = roundHalfEven((img.width - size) / 2);
  if (top === 0 && left === 0 && img.width === size && img.height === size) return img;
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    const src = ((y + top) * img.width + left) * 3;
    out.set(img.data.subarray(src, src + size * 3), y * size * 3);
  }
  return { width: size, height: size, data: out };
}

/** The 8-bit image the model sees, before ToTensor/Normalize. */
export function resizeForModel(img: RgbImage, spec: PreprocessSpec): RgbImage {
  checkImage(img);
  const s = spec.imageSize;
  if (spec.resizeMode === 'squash') return resizeRgb(img, s, s, spec.interpolation);
  const r = shortestSideSize(img.width, img.height, s);
  return centerCrop(resizeRgb(img, r.width, r.height, spec.interpolation), s);
}

/**
 * Writes one image as normalised CHW float32 into `out` at `offset` (3*size*size values),
 * rounding each step to float32 as torch does (ToTensor then Normalize).
 */
export function preprocessInto(img: RgbImage, spec: PreprocessSpec, out: Float32Array, offset = 0): void {
  checkImage(img);
  const s = spec.imageSize;
  const plane = s * s;
  if (out.length < offset + 3 * plane) throw new EngineError(ErrorCodes.INTERNAL, 'preprocess output buffer too small');
  const lut = normalizeTable(spec);
  // The common case (a square tile, or squash, to a new size on both axes): resize and normalise in one pass through
  // the WebAssembly kernels, no intermediate image.
  const { width: w, height: h } = img;
  if (w !== s && h !== s && (spec.resizeMode === 'squash' || w === h)) {
    const cv = coefficients(h, s, spec.interpolation);
    const { first, rows } = rowSpan(cv, s);
    if (resizeNormalizeWasm(img.data, w, first, rows, s, s, coefficients(w, s, spec.interpolation), cv, lut, out, offset)) return;
  }
  const r = resizeForModel(img, spec);
  const d = r.data;
  if (normalizeRgbWasm(d, lut, out, offset)) return;
  for (let c = 0; c < 3; c++) {
    const base = offset + c * plane;
    const t = c * 256;
    for (let i = 0, j = c; i < plane; i++, j += 3) out[base + i] = lut[t + d[j]];
  }
}

const normalizeTables = new WeakMap<PreprocessSpec, Float32Array>();

/** ToTensor then Normalize for each of the 256 values of each channel, rounded to float32 at each step as torch does. */
function normalizeTable(spec: PreprocessSpec): Float32Array {
  let lut = normalizeTables.get(spec);
  if (!lut) {
    const f = Math.fround;
    lut = new Float32Array(3 * 256);
    for (let c = 0; c < 3; c++) {
      const mean = f(spec.mean[c]);
      const std = f(spec.std[c]);
      for (let v = 0; v < 256; v++) lut[c * 256 + v] = f(f(f(v / 255) - mean) / std);
    }
    normalizeTables.set(spec, lut);
  }
  return lut;
}

/** Images -> one NCHW float32 tensor [n, 3, size, size]. */
export function preprocessBatch(images: readonly RgbImage[], spec: PreprocessSpec): Float32Array {
  const per = 3 * spec.imageSize * spec.imageSize;
  const out = new Float32Array(images.length * per);
  images.forEach((img, i) => preprocessInto(img, spec, out, i * per));
  return out;
}
