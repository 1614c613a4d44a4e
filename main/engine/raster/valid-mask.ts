// Clears the valid flag of window pixels that hold no data (alpha 0, mask 0, nodata in every band, NaN), in tight per-array passes.
//
// One pass per source array keeps each loop monomorphic in V8: the former single per-pixel loop touching every band's
// array (of any of eight typed-array types) through an iterator cost as much as decoding (bench/decode.ts).
import type { SampleArray } from './types.js';

export interface ValidMaskInput {
  /** Output flags (outW wide); the source region starts at (ox, oy) in it and is rw x rh. */
  valid: Uint8Array;
  outW: number;
  ox: number;
  oy: number;
  rw: number;
  rh: number;
  alpha: ArrayLike<number> | null;
  mask: ArrayLike<number> | null;
  /** Requested bands, rw x rh each. */
  bands: SampleArray[];
  /** Nodata to match in every band (NaN matches NaN), or null for none. */
  nodata: number | null;
  isFloat: boolean;
}

function clearWhereZero(src: ArrayLike<number>, o: ValidMaskInput): void {
  const { valid, outW, ox, oy, rw, rh } = o;
  for (let r = 0; r < rh; r++) {
    const s = r * rw;
    const d = (oy + r) * outW + ox;
    for (let c = 0; c < rw; c++) if (src[s + c] === 0) valid[d + c] = 0;
  }
}

/** flags[i] &= (band[i] matches nodata) */
function andMatches(band: ArrayLike<number>, nodata: number, flags: Uint8Array): void {
  const n = flags.length;
  if (Number.isNaN(nodata)) {
    for (let i = 0; i < n; i++) if (flags[i] && !Number.isNaN(band[i])) flags[i] = 0;
  } else {
    for (let i = 0; i < n; i++) if (flags[i] && band[i] !== nodata) flags[i] = 0;
  }
}

function clearWhereNaN(band: ArrayLike<number>, o: ValidMaskInput): void {
  const { valid, outW, ox, oy, rw, rh } = o;
  for (let r = 0; r < rh; r++) {
    const s = r * rw;
    const d = (oy + r) * outW + ox;
    for (let c = 0; c < rw; c++) {
      const v = band[s + c];
      if (v !== v) valid[d + c] = 0;
    }
  }
}

/** One pass for up to four bands: a pixel is nodata when every band equals `nd` (usually decided by the first band). */
function clearWhereAllEqual(o: ValidMaskInput, nd: number): void {
  const { valid, outW, ox, oy, rw, rh, bands } = o;
  const b0 = bands[0];
  const b1 = bands[1] ?? b0;
  const b2 = bands[2] ?? b0;
  const b3 = bands[3] ?? b0;
  for (let r = 0; r < rh; r++) {
    const s = r * rw;
    const d = (oy + r) * outW + ox;
    for (let c = 0; c < rw; c++) {
      const i = s + c;
      if (b0[i] === nd && b1[i] === nd && b2[i] === nd && b3[i] === nd) valid[d + c] = 0;
    }
  }
}

export function clearInvalid(o: ValidMaskInput): void {
  if (o.alpha) clearWhereZero(o.alpha, o);
  if (o.mask) clearWhereZero(o.mask, o);
  if (o.nodata !== null && o.bands.length > 0) {
    if (!Number.isNaN(o.nodata) && o.bands.length <= 4) clearWhereAllEqual(o, o.nodata);
    else {
      const all = new Uint8Array(o.rw * o.rh).fill(1);
      for (const b of o.bands) andMatches(b, o.nodata, all);
      // `all` is 1 where every band holds nodata: those pixels are invalid.
      const { valid, outW, ox, oy, rw, rh } = o;
      for (let r = 0; r < rh; r++) {
        const s = r * rw;
        const d = (oy + r) * outW + ox;
        for (let c = 0; c < rw; c++) if (all[s + c]) valid[d + c] = 0;
      }
    }
  }
  // NaN never holds data, whatever the declared nodata.
  if (o.isFloat) for (const b of o.bands) clearWhereNaN(b, o);
}
