// TIFF horizontal differencing (Predictor 2) undone in place: one loop for the block reader and for geotiff.js's
// decoders (fast-decode.ts), the common 8-bit RGB case with the running sums kept in locals.
import type { SampleArray } from './types.js';

/** Undoes horizontal differencing in place on `rows` rows of `cols` pixels (of `stride` samples), row length `rowLen` elements. */
export function undoPredictor(a: SampleArray, rows: number, cols: number, rowLen: number, stride: number): void {
  if (a instanceof Uint8Array && stride === 3) {
    for (let r = 0; r < rows; r++) {
      const row = r * rowLen;
      const end = row + cols * 3;
      let p = a[row];
      let q = a[row + 1];
      let s = a[row + 2];
      for (let i = row + 3; i < end; i += 3) {
        p = (p + a[i]) & 255;
        q = (q + a[i + 1]) & 255;
        s = (s + a[i + 2]) & 255;
        a[i] = p;
        a[i + 1] = q;
        a[i + 2] = s;
      }
    }
    return;
  }
  // Typed-array stores wrap integers to the sample's width, as the TIFF predictor does.
  for (let r = 0; r < rows; r++) {
    const row = r * rowLen;
    const end = row + cols * stride;
    for (let i = row + stride; i < end; i++) a[i] = a[i] + a[i - stride];
  }
}
