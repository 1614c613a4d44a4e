// Preprocessing parity with open_clip's PIL transform on real UC Merced images, plus the geometry rules.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { centerCrop, preprocessInto, resizeForModel, shortestSideSize, type PreprocessSpec } from '../../../../main/engine/model/preprocess.js';
import type { RgbImage } from '../../../../main/engine/model/types.js';
import { dataDir, repoRoot, requireData } from '../../../helpers/paths.js';

const MEAN: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
const STD: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];
// Odd sizes (the 44 UC Merced images that are not 256x256) exercise rounding of the short side and the crop.
const FILES = [
  'airplane/airplane55.jpg', // 253x256
  'baseballdiamond/baseballdiamond15.jpg', // 256x253
  'buildings/buildings96.jpg', // 247x247
  'golfcourse/golfcourse04.jpg', // 256x251
  'agricultural/agricultural00.jpg',
  'beach/beach10.jpg',
  'forest/forest42.jpg',
  'storagetanks/storagetanks07.jpg',
];
const CASES: Omit<PreprocessSpec, 'mean' | 'std'>[] = [
  { imageSize: 224, resizeMode: 'shortest-center-crop', interpolation: 'bicubic' },
  { imageSize: 64, resizeMode: 'shortest-center-crop', interpolation: 'bicubic' },
  { imageSize: 100, resizeMode: 'squash', interpolation: 'bilinear' },
  { imageSize: 300, resizeMode: 'shortest-center-crop', interpolation: 'bilinear' },
];

const work = mkdtempSync(join(tmpdir(), 'geosift-pre-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function decode(path: string): RgbImage {
  const d = jpeg.decode(readFileSync(path), { useTArray: true, formatAsRGBA: false });
  return { width: d.width, height: d.height, data: new Uint8Array(d.data) };
}

interface Job {
  raw?: string;
  jpeg?: string;
  width?: number;
  height?: number;
  size: number;
  mode: string;
  interpolation: string;
  out: string;
  decoded?: string;
  normalized?: string;
  mean?: number[];
  std?: number[];
}

function runPil(jobs: Job[]): void {
  const spec = join(work, `jobs-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(spec, JSON.stringify(jobs));
  execFileSync(process.env.PYTHON ?? 'python3', [join(repoRoot, 'test/unit/engine/model/pil_reference.py'), spec], { stdio: 'inherit' });
}

function maxAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe('resize geometry (torchvision rules)', () => {
  it('scales the shortest side and truncates the other', () => {
    expect(shortestSideSize(256, 242, 64)).toEqual({ width: 67, height: 64 });
    expect(shortestSideSize(253, 256, 224)).toEqual({ width: 224, height: 226 });
    expect(shortestSideSize(300, 300, 224)).toEqual({ width: 224, height: 224 });
  });

  it('centre-crops with round-half-to-even offsets like Python round()', () => {
    // 7 wide -> 4: offset round(1.5) = 2; 5 wide -> 4: offset round(0.5) = 0.
    const row = (w: number): RgbImage => ({ width: w, height: 4, data: Uint8Array.from({ length: w * 12 }, (_, i) => Math.floor(i / 3) % w) });
    expect(centerCrop(row(7), 4).data[0]).toBe(2);
    expect(centerCrop(row(5), 4).data[0]).toBe(0);
    expect(centerCrop(row(6), 4).data[0]).toBe(1);
  });
});

describe('parity with PIL (open_clip transform)', () => {
  const images = FILES.map((f) => ({ file: f, path: requireData(join(dataDir, 'ucmerced', 'images', f)) }));

  it('matches PIL exactly on the same decoded pixels, every size and mode', () => {
    const jobs: Job[] = [];
    const expected: { img: RgbImage; spec: PreprocessSpec; out: string; normalized: string }[] = [];
    images.forEach((im, i) => {
      const img = decode(im.path);
      const raw = join(work, `raw-${i}.bin`);
      writeFileSync(raw, img.data);
      CASES.forEach((c, j) => {
        const out = join(work, `out-${i}-${j}.bin`);
        const normalized = join(work, `norm-${i}-${j}.bin`);
        jobs.push({ raw, width: img.width, height: img.height, size: c.imageSize, mode: c.resizeMode, interpolation: c.interpolation, out, normalized, mean: MEAN, std: STD });
        expected.push({ img, spec: { ...c, mean: MEAN, std: STD }, out, normalized });
      });
    });
    runPil(jobs);
    let worstU8 = 0;
    let worstF = 0;
    for (const e of expected) {
      const ours = resizeForModel(e.img, e.spec);
      const pil = new Uint8Array(readFileSync(e.out));
      expect(ours.width * ours.height * 3).toBe(pil.length);
      worstU8 = Math.max(worstU8, maxAbsDiff(ours.data, pil));
      const n = 3 * e.spec.imageSize * e.spec.imageSize;
      const tensor = new Float32Array(n);
      preprocessInto(e.img, e.spec, tensor);
      const ref = new Float32Array(new Uint8Array(readFileSync(e.normalized)).buffer);
      for (let k = 0; k < n; k++) worstF = Math.max(worstF, Math.abs(tensor[k] - ref[k]));
    }
    console.log(`[preprocess] vs PIL on identical pixels: max |diff| ${worstU8}/255 (uint8), ${worstF} (normalised float32)`);
    expect(worstU8).toBe(0);
    expect(worstF).toBe(0);
  });

  it('reports how far a different JPEG decoder moves the result (decoding is not preprocessing)', () => {
    const spec: PreprocessSpec = { imageSize: 224, resizeMode: 'shortest-center-crop', interpolation: 'bicubic', mean: MEAN, std: STD };
    const jobs: Job[] = images.map((im, i) => ({
      jpeg: im.path, size: spec.imageSize, mode: spec.resizeMode, interpolation: spec.interpolation,
      out: join(work, `jpeg-out-${i}.bin`), decoded: join(work, `jpeg-dec-${i}.bin`),
    }));
    runPil(jobs);
    const stats = { decode: { max: 0, sum: 0, n: 0, over1: 0 }, resized: { max: 0, sum: 0, n: 0, over1: 0 } };
    const add = (s: typeof stats.decode, a: Uint8Array, b: Uint8Array): void => {
      for (let k = 0; k < a.length; k++) {
        const d = Math.abs(a[k] - b[k]);
        s.max = Math.max(s.max, d);
        s.sum += d;
        if (d > 1) s.over1++;
      }
      s.n += a.length;
    };
    images.forEach((im, i) => {
      const img = decode(im.path);
      add(stats.decode, img.data, new Uint8Array(readFileSync(jobs[i].decoded!)));
      add(stats.resized, resizeForModel(img, spec).data, new Uint8Array(readFileSync(jobs[i].out)));
    });
    const fmt = (s: typeof stats.decode): string =>
      `max ${s.max}/255, mean ${(s.sum / s.n).toFixed(3)}/255, ${((100 * s.over1) / s.n).toFixed(2)} % off by more than 1/255`;
    console.log(`[preprocess] jpeg-js vs PIL (libjpeg) decode: ${fmt(stats.decode)}; after resize+crop to 224: ${fmt(stats.resized)}`);
    // Resizing averages neighbours, so it must not make the decoders' disagreement worse on average.
    expect(stats.resized.sum / stats.resized.n).toBeLessThanOrEqual(stats.decode.sum / stats.decode.n);
  });
});
