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

const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * clearWhereAllEqual for 8-bit bands: four pixels per step through 32-bit words, skipping groups where no pixel holds
 * nodata in every band (the common case) and checking the others pixel by pixel. Returns false when the arrays
 * cannot be viewed as words (the caller then takes the byte loop).
 */
function clearWhereAllEqual8(o: ValidMaskInput, nd: number): boolean {
  const { valid, outW, ox, oy, rw, rh, bands } = o;
  if (!hostLittleEndian || rw % 4 !== 0 || !bands.every((b) => b instanceof Uint8Array && b.byteOffset % 4 === 0)) return false;
  const words = bands.map((b) => new Uint32Array(b.buffer, b.byteOffset, b.length >>> 2));
  const w0 = words[0];
  const w1 = words[1] ?? w0;
  const w2 = words[2] ?? w0;
  const w3 = words[3] ?? w0;
  const b0 = bands[0];
  const b1 = bands[1] ?? b0;
  const b2 = bands[2] ?? b0;
  const b3 = bands[3] ?? b0;
  const V = (nd * 0x01010101) >>> 0;
  const perRow = rw >>> 2;
  for (let r = 0; r < rh; r++) {
    const sw = r * perRow;
    const d = (oy + r) * outW + ox;
    for (let k = 0; k < perRow; k++) {
      // A zero byte in x marks a pixel equal to nodata in every band.
      const x = (w0[sw + k] ^ V) | (w1[sw + k] ^ V) | (w2[sw + k] ^ V) | (w3[sw + k] ^ V);
      if (((x - 0x01010101) & ~x & 0x80808080) === 0) continue;
      const j = d + (k << 2);
      if (x === 0) {
        // All four pixels are nodata (a collar).
        valid[j] = 0;
        valid[j + 1] = 0;
        valid[j + 2] = 0;
        valid[j + 3] = 0;
        continue;
      }
      const i = (sw + k) << 2;
      for (let q = 0; q < 4; q++) if (b0[i + q] === nd && b1[i + q] === nd && b2[i + q] === nd && b3[i + q] === nd) valid[j + q] = 0;
    }
  }
  return true;
}

/** One pass for up to four bands: a pixel is nodata when every band equals `nd` (usually decided by the first band). */
function clearWhereAllEqual(o: ValidMaskInput, nd: number): void {
  if (Number.isInteger(nd) && nd >= 0 && nd <= 255 && clearWhereAllEqual8(o, nd)) return;
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
