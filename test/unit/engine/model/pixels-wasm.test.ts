// The WebAssembly SIMD resize (main/engine/wasm/pixels.wat) against the JavaScript loops it replaces, which the
// PIL parity tests (preprocess.test.ts) hold to Pillow's output: bit-identical on every size pair and pixel pattern.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { preprocessInto, resizeRgb, resizeRgbScalar } from '../../../../main/engine/model/preprocess.js';
import { stretch3x8Wasm, wasmPixelsAvailable } from '../../../../main/engine/wasm/pixels.js';
import { setWasmKernels } from '../../../../main/engine/wasm/load.js';
import { toRgb } from '../../../../main/engine/raster/stretch.js';
import type { RgbImage } from '../../../../main/engine/model/types.js';
import { mulberry32 } from '../../../../main/engine/random.js';

const repo = join(import.meta.dirname, '../../../..');

function image(w: number, h: number, fill: (i: number) => number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = fill(i);
  return { width: w, height: h, data };
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('WebAssembly pixel kernels', () => {
  it('runs here (Node 20 and Electron have WebAssembly SIMD)', () => {
    expect(wasmPixelsAvailable()).toBe(true);
  });

  it('equals the JavaScript resize on 300 random size pairs, shrinking and enlarging, bicubic and bilinear', () => {
    const r = mulberry32(7);
    for (let n = 0; n < 300; n++) {
      const inW = 2 + Math.floor(r() * 260);
      const inH = 2 + Math.floor(r() * 260);
      const outW = Math.max(1, inW + Math.floor((r() - 0.6) * inW * 1.5));
      const outH = Math.max(1, inH + Math.floor((r() - 0.6) * inH * 1.5));
      const interp = r() < 0.5 ? 'bicubic' : 'bilinear';
      const img = image(inW, inH, () => Math.floor(r() * 256));
      const a = resizeRgb(img, outW, outH, interp).data;
      const b = resizeRgbScalar(img, outW, outH, interp).data;
      expect(firstDifference(a, b), `case ${n}: ${inW}x${inH} -> ${outW}x${outH} ${interp}`).toBe(-1);
    }
  });

  it('clips like PIL where the bicubic lobes overshoot (0/255 edges, flat images, the indexer 112 -> 96 px)', () => {
    const patterns: [string, (i: number, w: number) => number][] = [
      ['black', () => 0],
      ['white', () => 255],
      ['checkerboard', (i, w) => ((Math.floor(i / 3) % w) + Math.floor(i / 3 / w)) % 2 ? 255 : 0],
      ['stripes', (i) => (Math.floor(i / 3) % 3 === 0 ? 255 : 0)],
    ];
    for (const [name, f] of patterns) {
      for (const [inW, inH, outW, outH] of [
        [112, 112, 96, 96],
        [224, 224, 224, 96],
        [33, 17, 100, 61],
        [7, 300, 5, 11],
      ]) {
        const img = image(inW, inH, (i) => f(i, inW));
        for (const interp of ['bicubic', 'bilinear'] as const) {
          const a = resizeRgb(img, outW, outH, interp).data;
          const b = resizeRgbScalar(img, outW, outH, interp).data;
          expect(firstDifference(a, b), `${name} ${inW}x${inH} -> ${outW}x${outH} ${interp}`).toBe(-1);
        }
      }
    }
  });

  it('leaves images too large for its memory cap to the JavaScript loops, with the same result', () => {
    const r = mulberry32(13);
    const big = image(3000, 3000, () => Math.floor(r() * 256)); // 27 MB in: with the passes, over the 32 MB cap
    const a = resizeRgb(big, 1500, 1500, 'bicubic').data;
    expect(firstDifference(a, resizeRgbScalar(big, 1500, 1500, 'bicubic').data)).toBe(-1);
  });

  it('reuses its memory across calls of different sizes without mixing them up', () => {
    const r = mulberry32(11);
    const big = image(400, 300, () => Math.floor(r() * 256));
    const small = image(50, 40, () => Math.floor(r() * 256));
    const first = resizeRgb(small, 31, 29, 'bicubic').data;
    resizeRgb(big, 123, 321, 'bicubic');
    expect(firstDifference(resizeRgb(small, 31, 29, 'bicubic').data, first)).toBe(-1);
    expect(firstDifference(first, resizeRgbScalar(small, 31, 29, 'bicubic').data)).toBe(-1);
  });

  it('normalises into CHW float32 exactly as ToTensor + Normalize rounded to float32 at each step', () => {
    const r = mulberry32(5);
    const f = Math.fround;
    const spec = { imageSize: 40, mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711], resizeMode: 'squash', interpolation: 'bicubic' } as const;
    const img = image(40, 40, () => Math.floor(r() * 256));
    const out = new Float32Array(7 + 3 * 40 * 40).fill(-99);
    preprocessInto(img, spec, out, 7);
    expect(out.subarray(0, 7).every((v) => v === -99)).toBe(true);
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < 40 * 40; i++) {
        const want = f(f(f(img.data[i * 3 + c] / 255) - f(spec.mean[c])) / f(spec.std[c]));
        if (out[7 + c * 1600 + i] !== want) expect(`channel ${c} pixel ${i}: ${out[7 + c * 1600 + i]}`).toBe(`${want}`);
      }
    }
  });

  it('stretches three 8-bit bands through their tables, invalid pixels black, counting the valid ones', () => {
    const r = mulberry32(3);
    for (const n of [1, 7, 12544, 65536]) {
      const band = () => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
      const table = () => Uint8Array.from({ length: 256 }, () => Math.floor(r() * 256));
      const [b0, b1, b2, t0, t1, t2] = [band(), band(), band(), table(), table(), table()];
      const valid = Uint8Array.from({ length: n }, () => (r() < 0.8 ? 1 : 0));
      const out = new Uint8Array(n * 3).fill(77);
      const count = stretch3x8Wasm(out, b0, b1, b2, t0, t1, t2, valid);
      let want = 0;
      for (let i = 0; i < n; i++) {
        want += valid[i];
        const px = valid[i] ? [t0[b0[i]], t1[b1[i]], t2[b2[i]]] : [0, 0, 0];
        if (out[i * 3] !== px[0] || out[i * 3 + 1] !== px[1] || out[i * 3 + 2] !== px[2]) expect(`pixel ${i} of ${n}: ${out.subarray(i * 3, i * 3 + 3).join(',')}`).toBe(px.join(','));
      }
      expect(count).toBe(want);
    }
  });

  it('toRgb and preprocessInto give the same bytes and floats with the kernels off (GEOSIFT_WASM=0)', () => {
    const r = mulberry32(9);
    const n = 112 * 112;
    const band = () => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
    const data = { width: 112, height: 112, bands: [band(), band(), band()], valid: Uint8Array.from({ length: n }, () => (r() < 0.9 ? 1 : 0)) };
    const stretch = [{ min: 10, max: 200 }, { min: 3.5, max: 250 }, { min: 0, max: 99 }];
    const spec = { imageSize: 96, mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3], resizeMode: 'shortest-center-crop', interpolation: 'bicubic' } as const;
    const run = () => {
      const rgb = toRgb(data, stretch);
      const t = new Float32Array(3 * 96 * 96);
      preprocessInto(rgb.image, spec, t);
      return { rgb: rgb.image.data, fraction: rgb.validFraction, t };
    };
    const on = run();
    const before = setWasmKernels(false);
    let off: ReturnType<typeof run>;
    try {
      expect(wasmPixelsAvailable()).toBe(false);
      off = run();
    } finally {
      setWasmKernels(before);
    }
    expect(firstDifference(on.rgb, off.rgb)).toBe(-1);
    expect(on.fraction).toBe(off.fraction);
    expect(Buffer.from(on.t.buffer).equals(Buffer.from(off.t.buffer))).toBe(true);
  });

  it('the committed module is what pixels.wat assembles to', () => {
    // Exits 1 naming the file when they differ.
    execFileSync(process.execPath, [join(repo, 'scripts/build-wasm.mjs'), '--check'], { stdio: 'pipe' });
  });
});
