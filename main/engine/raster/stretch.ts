// Contrast stretch: per-band 2nd/98th percentiles from a coarse read, and window data -> 8-bit RGB for the model.

import { EngineError, ErrorCodes, throwIfAborted } from '../../../shared/protocol/errors.js';
import type { RgbImage } from '../model/types.js';
import type { SampleArray, SampleType, Scene, WindowData } from './types.js';
import { stretch3x8Wasm } from '../wasm/pixels.js';

/** Linear map of one band: min -> 0, max -> 255, clamped. */
export interface BandStretch {
  min: number;
  max: number;
  /** For a palette band: 256 x [r, g, b] bytes; toRgb looks each value up instead of stretching it. */
  palette?: Uint8Array;
}

export interface ComputeStretchOptions {
  signal?: AbortSignal;
  /** Percentiles of valid pixels that map to 0 and 255 (default 2 and 98). */
  lowPercentile?: number;
  highPercentile?: number;
  /** Longest side of the coarse read (default 1024). */
  maxSide?: number;
}

export interface RgbResult {
  image: RgbImage;
  /** 1 where the pixel holds data in every displayed band: the window's own mask, not a copy. */
  valid: Uint8Array;
  validFraction: number;
}

const IDENTITY: BandStretch = { min: 0, max: 255 };
const SAMPLE_GRID = 4;
const SAMPLE_WINDOW = 256;

/** Percentiles of the valid samples; histogram for 8/16-bit integers, sort otherwise. */
function percentiles(values: SampleArray, valid: Uint8Array, type: SampleType, lo: number, hi: number): BandStretch | null {
  let count = 0;
  for (let i = 0; i < valid.length; i++) count += valid[i];
  if (count === 0) return null;
  const rank = (p: number): number => Math.min(count - 1, Math.max(0, Math.floor((p / 100) * (count - 1) + 0.5)));
  const rLo = rank(lo);
  const rHi = rank(hi);
  if (type === 'uint8' || type === 'int8' || type === 'uint16' || type === 'int16') {
    const offset = type === 'int8' ? 128 : type === 'int16' ? 32768 : 0;
    const hist = new Uint32Array(type === 'uint8' || type === 'int8' ? 256 : 65536);
    for (let i = 0; i < valid.length; i++) if (valid[i]) hist[values[i] + offset]++;
    let acc = 0;
    let min = NaN;
    let max = NaN;
    for (let v = 0; v < hist.length; v++) {
      acc += hist[v];
      if (Number.isNaN(min) && acc > rLo) min = v - offset;
      if (acc > rHi) {
        max = v - offset;
        break;
      }
    }
    return { min, max };
  }
  const sample = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < valid.length; i++) if (valid[i]) sample[k++] = values[i];
  sample.sort();
  return { min: sample[rLo], max: sample[rHi] };
}

/**
 * Per-band stretch for `bands` (0-based, duplicates allowed). uint8 is shown as is; other types map
 * their 2nd..98th percentile of valid pixels to 0..255. The statistics come from the finest overview
 * no longer than maxSide, or from a grid of small windows, so memory stays bounded on any scene size.
 */
export async function computeStretch(scene: Scene, bands: number[], options: ComputeStretchOptions = {}): Promise<BandStretch[]> {
  const { info } = scene;
  if (info.palette && bands.every((b) => info.bands[b]?.colorInterp === 'palette')) {
    const lut = Uint8Array.from(info.palette.flat());
    return bands.map(() => ({ ...IDENTITY, palette: lut }));
  }
  if (info.dataType === 'uint8') return bands.map(() => ({ ...IDENTITY }));
  const unique = [...new Set(bands)];
  const lo = options.lowPercentile ?? 2;
  const hi = options.highPercentile ?? 98;
  if (!(lo >= 0 && hi <= 100 && lo < hi)) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Stretch percentiles ${lo}..${hi} must satisfy 0 <= low < high <= 100`);
  const maxSide = options.maxSide ?? 1024;
  const levels = info.overviews;
  const fit = levels.find((l) => Math.max(l.width, l.height) <= maxSide);
  const reads: WindowData[] = [];
  if (fit) {
    reads.push(await scene.readWindow({ x: 0, y: 0, width: info.width, height: info.height }, { bands: unique, level: fit.level, signal: options.signal }));
  } else {
    // No overview is small enough: sample a grid of windows from the coarsest level.
    const l = levels[levels.length - 1];
    const side = Math.min(SAMPLE_WINDOW, l.width, l.height);
    for (let gy = 0; gy < SAMPLE_GRID; gy++) {
      for (let gx = 0; gx < SAMPLE_GRID; gx++) {
        throwIfAborted(options.signal);
        const cx = ((gx + 0.5) / SAMPLE_GRID) * l.width - side / 2;
        const cy = ((gy + 0.5) / SAMPLE_GRID) * l.height - side / 2;
        const x = Math.max(0, Math.min(l.width - side, Math.round(cx)));
        const y = Math.max(0, Math.min(l.height - side, Math.round(cy)));
        reads.push(
          await scene.readWindow(
            { x: x * l.scaleX, y: y * l.scaleY, width: side * l.scaleX, height: side * l.scaleY },
            { bands: unique, level: l.level, signal: options.signal },
          ),
        );
      }
    }
  }
  throwIfAborted(options.signal);
  const byBand = new Map<number, BandStretch>();
  unique.forEach((b, i) => {
    const total = reads.reduce((n, r) => n + r.valid.length, 0);
    const values = newLike(reads[0].bands[i], total);
    const valid = new Uint8Array(total);
    let at = 0;
    for (const r of reads) {
      (values as Float64Array).set(r.bands[i] as unknown as Float64Array, at);
      valid.set(r.valid, at);
      at += r.valid.length;
    }
    let s = percentiles(values, valid, info.dataType, lo, hi);
    if (!s || !Number.isFinite(s.min) || !Number.isFinite(s.max)) s = { min: 0, max: 1 };
    if (s.max <= s.min) s = { min: s.min, max: s.min + 1 };
    byBand.set(b, s);
  });
  return bands.map((b) => ({ ...byBand.get(b)! }));
}

function stretchValue(v: number, min: number, max: number, k: number): number {
  return v <= min ? 0 : v >= max ? 255 : Number.isNaN(v) ? 0 : Math.round((v - min) * k);
}

const tables = new Map<string, Uint8Array>();

/** stretchValue for every integer 0..size-1, kept for the next tile of the same stretch. */
function stretchTable(size: number, min: number, max: number): Uint8Array {
  const key = `${size}:${min}:${max}`;
  let t = tables.get(key);
  if (!t) {
    if (tables.size >= 32) tables.clear();
    t = new Uint8Array(size);
    const k = 255 / (max - min);
    for (let v = 0; v < size; v++) t[v] = stretchValue(v, min, max, k);
    tables.set(key, t);
  }
  return t;
}

function newLike(a: SampleArray, n: number): SampleArray {
  const C = a.constructor as new (n: number) => SampleArray;
  return new C(n);
}

/**
 * Window data (1 or 3 bands) + per-band stretch -> 8-bit RGB (HWC). Invalid pixels come out black.
 */
export function toRgb(data: WindowData, stretch: BandStretch[]): RgbResult {
  const nb = data.bands.length;
  if (nb !== 1 && nb !== 3) throw new EngineError(ErrorCodes.BAD_BANDS, `toRgb needs 1 or 3 bands, got ${nb}`);
  if (stretch.length !== nb) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `toRgb got ${stretch.length} stretches for ${nb} bands`);
  const n = data.width * data.height;
  const out = new Uint8Array(n * 3);
  const src = nb === 1 ? [data.bands[0], data.bands[0], data.bands[0]] : data.bands;
  const st = nb === 1 ? [stretch[0], stretch[0], stretch[0]] : stretch;
  if (!st[0].palette && !st[1].palette && !st[2].palette) {
    const [b0, b1, b2] = src;
    if (b0 instanceof Uint8Array && b1 instanceof Uint8Array && b2 instanceof Uint8Array) {
      const t = st.map((s) => stretchTable(256, s.min, s.max));
      const count = stretch3x8Wasm(out, b0, b1, b2, t[0], t[1], t[2], data.valid);
      return rgbResult(data, out, count >= 0 ? count : lut3x8(out, b0, b1, b2, t[0], t[1], t[2], data.valid));
    }
    if (n >= 4096 && b0 instanceof Uint16Array && b1 instanceof Uint16Array && b2 instanceof Uint16Array) {
      const t = st.map((s) => stretchTable(65536, s.min, s.max));
      return rgbResult(data, out, lut3x16(out, b0, b1, b2, t[0], t[1], t[2], data.valid));
    }
  }
  let validCount = 0;
  for (let c = 0; c < 3; c++) {
    const band = src[c];
    const { min, max, palette } = st[c];
    if (palette) {
      // Colour-mapped: each value is an index into the table (values past its end show black).
      for (let i = 0; i < n; i++) if (data.valid[i]) out[i * 3 + c] = palette[band[i] * 3 + c] ?? 0;
      continue;
    }
    const k = 255 / (max - min);
    const valid = data.valid;
    if (band instanceof Uint8Array || (band instanceof Uint16Array && n >= 4096)) {
      // Integer samples of 8 or 16 bits: the stretch as a table of every value, then one lookup per pixel.
      const lut = stretchTable(band instanceof Uint8Array ? 256 : 65536, min, max);
      for (let i = 0, j = c; i < n; i++, j += 3) if (valid[i]) out[j] = lut[band[i]];
      continue;
    }
    for (let i = 0; i < n; i++) {
      if (!valid[i]) continue;
      const v = band[i];
      out[i * 3 + c] = stretchValue(v, min, max, k);
    }
  }
  for (let i = 0; i < n; i++) validCount += data.valid[i];
  return rgbResult(data, out, validCount);
}

function rgbResult(data: WindowData, out: Uint8Array, validCount: number): RgbResult {
  const n = data.width * data.height;
  return {
    image: { width: data.width, height: data.height, data: out },
    valid: data.valid,
    validFraction: n === 0 ? 0 : validCount / n,
  };
}

// Three bands through their tables in one pass, one function per sample type so that each loop sees one array kind
// (a loop reading both Uint8Array and Uint16Array bands runs several times slower). Returns the valid pixel count.
function lut3x8(out: Uint8Array, b0: Uint8Array, b1: Uint8Array, b2: Uint8Array, t0: Uint8Array, t1: Uint8Array, t2: Uint8Array, valid: Uint8Array): number {
  let count = 0;
  for (let i = 0, j = 0; i < valid.length; i++, j += 3) {
    if (valid[i] === 0) continue;
    out[j] = t0[b0[i]];
    out[j + 1] = t1[b1[i]];
    out[j + 2] = t2[b2[i]];
    count++;
  }
  return count;
}

function lut3x16(out: Uint8Array, b0: Uint16Array, b1: Uint16Array, b2: Uint16Array, t0: Uint8Array, t1: Uint8Array, t2: Uint8Array, valid: Uint8Array): number {
  let count = 0;
  for (let i = 0, j = 0; i < valid.length; i++, j += 3) {
    if (valid[i] === 0) continue;
    out[j] = t0[b0[i]];
    out[j + 1] = t1[b1[i]];
    out[j + 2] = t2[b2[i]];
    count++;
  }
  return count;
}
