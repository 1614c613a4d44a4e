// The WebAssembly kernels of pixels.wat and the memory they work in: PIL's 8-bit two-pass resampling (SIMD) and the
// normalisation for model/preprocess.ts, the 8-bit display stretch for raster/stretch.ts, each bit-identical to the
// JavaScript loops beside its caller. Where WebAssembly SIMD is missing, or GEOSIFT_WASM=0, nothing here runs
// (`wasmPixelsAvailable()` is false and each function returns null or false) and the callers keep their loops.
import { WASM_BASE64 } from './pixels-wasm.generated.js';
import { align16 as align, instantiate, reserve, wasmEnabled, type WasmMemory } from './load.js';

interface Exports {
  memory: WasmMemory;
  hpass(src: number, srcStride: number, rows: number, outW: number, bounds: number, kk: number, ksize: number, dst: number): void;
  vpass(src: number, stride: number, outH: number, bounds: number, kk: number, ksize: number, first: number, dst: number): void;
  normalize(src: number, n: number, lut: number, dst: number): void;
  stretch3(b0: number, b1: number, b2: number, valid: number, n: number, lut: number, out: number): number;
}

/** One axis's coefficients as preprocess.ts computes them: (first, count) per output pixel, then ksize weights each. */
export interface AxisCoeffs {
  ksize: number;
  bounds: Int32Array;
  kk: Int32Array;
}

let kernels: Exports | null | undefined;

/** True when the kernels run in this process. */
export function wasmPixelsAvailable(): boolean {
  if (!wasmEnabled()) return false;
  if (kernels === undefined) kernels = instantiate<Exports>(WASM_BASE64);
  return kernels !== null;
}

/**
 * Images needing more of the kernels' memory than this go through the JavaScript loops: WebAssembly memory never
 * shrinks, and tiles need well under 1 MB (a 4000 px photo given as a query example would keep 100 MB).
 */
const MAX_MEMORY = 32 * 1024 * 1024;

/** Runs both resize passes; returns where the output image lies in the kernels' memory and its end, or null past the cap. */
function runResize(k: Exports, data: Uint8Array, inW: number, first: number, rows: number, outW: number, outH: number, h: AxisCoeffs, v: AxisCoeffs, extra: number): { outOff: number; end: number } | null {
  const inBytes = rows * inW * 3;
  const midBytes = rows * outW * 3;
  const outBytes = outH * outW * 3;
  // Layout: input rows, the four coefficient arrays, the intermediate rows, the output; each 16-byte aligned with
  // room for the kernels' reads and writes past their ends; `extra` bytes after it for the caller.
  const inOff = 0;
  const hbOff = align(inOff + inBytes + 16);
  const hkOff = align(hbOff + h.bounds.byteLength);
  const vbOff = align(hkOff + h.kk.byteLength);
  const vkOff = align(vbOff + v.bounds.byteLength);
  const midOff = align(vkOff + v.kk.byteLength);
  const outOff = align(midOff + midBytes + 16);
  const end = align(outOff + outBytes + 16);
  if (end + extra > MAX_MEMORY) return null;
  const buf = reserve(k.memory, end + extra);
  new Uint8Array(buf, inOff, inBytes).set(data.subarray(first * inW * 3, first * inW * 3 + inBytes));
  new Int32Array(buf, hbOff, h.bounds.length).set(h.bounds);
  new Int32Array(buf, hkOff, h.kk.length).set(h.kk);
  new Int32Array(buf, vbOff, v.bounds.length).set(v.bounds);
  new Int32Array(buf, vkOff, v.kk.length).set(v.kk);
  k.hpass(inOff, inW * 3, rows, outW, hbOff, hkOff, h.ksize, midOff);
  k.vpass(midOff, outW * 3, outH, vbOff, vkOff, v.ksize, first, outOff);
  return { outOff, end };
}

/**
 * Both passes of PIL's resize for an RGB image (rows `first` .. `first + rows` of `data` through the horizontal pass,
 * then the vertical pass), or null where the kernels are unavailable.
 */
export function resizeRgbWasm(data: Uint8Array, inW: number, first: number, rows: number, outW: number, outH: number, h: AxisCoeffs, v: AxisCoeffs): Uint8Array | null {
  if (!wasmPixelsAvailable()) return null;
  const k = kernels!;
  const at = runResize(k, data, inW, first, rows, outW, outH, h, v, 0);
  return at && new Uint8Array(k.memory.buffer, at.outOff, outH * outW * 3).slice();
}

/**
 * resizeRgbWasm then normalizeRgbWasm without leaving the kernels' memory: the resized image goes straight through
 * `lut` into `out` at `offset` (CHW float32). False where the kernels are unavailable.
 */
export function resizeNormalizeWasm(data: Uint8Array, inW: number, first: number, rows: number, outW: number, outH: number, h: AxisCoeffs, v: AxisCoeffs, lut: Float32Array, out: Float32Array, offset: number): boolean {
  if (!wasmPixelsAvailable()) return false;
  const k = kernels!;
  const n = outW * outH;
  const at = runResize(k, data, inW, first, rows, outW, outH, h, v, lut.byteLength + 16 + n * 12);
  if (!at) return false;
  const { outOff, end } = at;
  const lutOff = end;
  const dstOff = align(lutOff + lut.byteLength);
  const buf = k.memory.buffer;
  new Float32Array(buf, lutOff, lut.length).set(lut);
  k.normalize(outOff, n, lutOff, dstOff);
  out.set(new Float32Array(buf, dstOff, n * 3), offset);
  return true;
}

/**
 * HWC RGB bytes -> CHW float32 written into `out` at `offset`, each value through `lut` (3 x 256 float32), or false
 * where the kernels are unavailable.
 */
export function normalizeRgbWasm(rgb: Uint8Array, lut: Float32Array, out: Float32Array, offset: number): boolean {
  if (!wasmPixelsAvailable()) return false;
  const k = kernels!;
  const n = rgb.length / 3;
  const lutOff = align(rgb.length);
  const dstOff = align(lutOff + lut.byteLength);
  if (dstOff + n * 12 > MAX_MEMORY) return false;
  const buf = reserve(k.memory, dstOff + n * 12);
  new Uint8Array(buf, 0, rgb.length).set(rgb);
  new Float32Array(buf, lutOff, lut.length).set(lut);
  k.normalize(0, n, lutOff, dstOff);
  out.set(new Float32Array(buf, dstOff, n * 3), offset);
  return true;
}

/**
 * Three 8-bit bands through their stretch tables into `out` (RGB; invalid pixels 0); returns the count of valid
 * pixels, or -1 where the kernels are unavailable.
 */
export function stretch3x8Wasm(out: Uint8Array, b0: Uint8Array, b1: Uint8Array, b2: Uint8Array, t0: Uint8Array, t1: Uint8Array, t2: Uint8Array, valid: Uint8Array): number {
  if (!wasmPixelsAvailable()) return -1;
  const k = kernels!;
  const n = valid.length;
  const o1 = align(n);
  const o2 = o1 + align(n);
  const ov = o2 + align(n);
  const ol = ov + align(n);
  const oo = ol + 768;
  if (oo + n * 3 > MAX_MEMORY) return -1;
  const buf = reserve(k.memory, oo + n * 3);
  const mem = new Uint8Array(buf);
  mem.set(b0.subarray(0, n), 0);
  mem.set(b1.subarray(0, n), o1);
  mem.set(b2.subarray(0, n), o2);
  mem.set(valid, ov);
  mem.set(t0, ol);
  mem.set(t1, ol + 256);
  mem.set(t2, ol + 512);
  mem.fill(0, oo, oo + n * 3);
  const count = k.stretch3(0, o1, o2, ov, n, ol, oo);
  out.set(mem.subarray(oo, oo + n * 3));
  return count;
}
