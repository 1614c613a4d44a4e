// Turns RGB images into the model's NCHW float input exactly as open_clip does (PIL resize, centre crop, normalise).
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import type { ModelManifest, RgbImage } from './types.js';

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

/** PIL's precompute_coeffs + normalize_coeffs_8bpc: antialiased when shrinking (support scaled by the factor). */
function coefficients(inSize: number, outSize: number, filter: (typeof FILTERS)[keyof typeof FILTERS]): Coeffs {
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

function clip8(v: number): number {
  const s = v >> PRECISION_BITS;
  return s < 0 ? 0 : s > 255 ? 255 : s;
}

/** Resizes like PIL's Image.resize (8-bit, horizontal pass first, intermediate rounded to uint8). */
export function resizeRgb(img: RgbImage, outW: number, outH: number, interpolation: 'bicubic' | 'bilinear'): RgbImage {
  checkImage(img);
  const { width: inW, height: inH, data } = img;
  if (inW === outW && inH === outH) return { width: outW, height: outH, data: data.slice() };
  const filter = FILTERS[interpolation];
  const needH = outW !== inW;
  const needV = outH !== inH;
  const cv = needV ? coefficients(inH, outH, filter) : null;
  // Only the rows the vertical pass reads go through the horizontal pass, as in PIL.
  const yFirst = cv ? cv.bounds[0] : 0;
  const yLast = cv ? cv.bounds[outH * 2 - 2] + cv.bounds[outH * 2 - 1] : inH;

  let mid = data;
  let midW = inW;
  let midRow0 = 0;
  if (needH) {
    const ch = coefficients(inW, outW, filter);
    const rows = yLast - yFirst;
    mid = new Uint8Array(outW * rows * 3);
    for (let y = 0; y < rows; y++) {
      const src = (y + yFirst) * inW * 3;
      const dst = y * outW * 3;
      for (let xx = 0; xx < outW; xx++) {
        const xmin = ch.bounds[xx * 2];
        const xmax = ch.bounds[xx * 2 + 1];
        const k = xx * ch.ksize;
        let s0 = ROUND_HALF;
        let s1 = ROUND_HALF;
        let s2 = ROUND_HALF;
        for (let x = 0; x < xmax; x++) {
          const p = src + (x + xmin) * 3;
          const w = ch.kk[k + x];
          s0 += data[p] * w;
          s1 += data[p + 1] * w;
          s2 += data[p + 2] * w;
        }
        mid[dst + xx * 3] = clip8(s0);
        mid[dst + xx * 3 + 1] = clip8(s1);
        mid[dst + xx * 3 + 2] = clip8(s2);
      }
    }
    midW = outW;
    midRow0 = yFirst;
  }
  if (!cv) return { width: outW, height: outH, data: mid === data ? data.slice() : mid };

  const out = new Uint8Array(outW * outH * 3);
  for (let yy = 0; yy < outH; yy++) {
    const ymin = cv.bounds[yy * 2] - midRow0;
    const ymax = cv.bounds[yy * 2 + 1];
    const k = yy * cv.ksize;
    const dst = yy * outW * 3;
    for (let xx = 0; xx < outW; xx++) {
      let s0 = ROUND_HALF;
      let s1 = ROUND_HALF;
      let s2 = ROUND_HALF;
      for (let y = 0; y < ymax; y++) {
        const p = ((y + ymin) * midW + xx) * 3;
        const w = cv.kk[k + y];
        s0 += mid[p] * w;
        s1 += mid[p + 1] * w;
        s2 += mid[p + 2] * w;
      }
      out[dst + xx * 3] = clip8(s0);
      out[dst + xx * 3 + 1] = clip8(s1);
      out[dst + xx * 3 + 2] = clip8(s2);
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
  const r = resizeForModel(img, spec);
  const plane = spec.imageSize * spec.imageSize;
  if (out.length < offset + 3 * plane) throw new EngineError(ErrorCodes.INTERNAL, 'preprocess output buffer too small');
  const f = Math.fround;
  for (let c = 0; c < 3; c++) {
    const mean = f(spec.mean[c]);
    const std = f(spec.std[c]);
    const base = offset + c * plane;
    for (let i = 0; i < plane; i++) out[base + i] = f(f(f(r.data[i * 3 + c] / 255) - mean) / std);
  }
}

/** Images -> one NCHW float32 tensor [n, 3, size, size]. */
export function preprocessBatch(images: readonly RgbImage[], spec: PreprocessSpec): Float32Array {
  const per = 3 * spec.imageSize * spec.imageSize;
  const out = new Float32Array(images.length * per);
  images.forEach((img, i) => preprocessInto(img, spec, out, i * per));
  return out;
}
