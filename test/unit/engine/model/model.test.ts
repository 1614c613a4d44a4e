// The test CLIP end to end: colour rules for images and texts, batching, padding, cancellation, broken packages.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../../../shared/protocol/errors.js';
import { loadModel, preprocessBatch, preprocessSpec, type Model, type RgbImage } from '../../../../main/engine/model/index.js';
import { generatedDir, testModelDir } from '../../../helpers/paths.js';
import { asyncErrorOf } from '../../../helpers/errors.js';

const models = join(generatedDir, 'models');
const manifest = JSON.parse(readFileSync(join(testModelDir, 'model.json'), 'utf8')) as {
  provenance: { projection: number[][] };
};
/** Q (5 x 16) as the generator wrote it: the expected embedding of a feature f is normalise(f @ Q). */
const Q = manifest.provenance.projection;

function project(f: number[]): Float32Array {
  const out = new Float32Array(16);
  for (let j = 0; j < 16; j++) for (let i = 0; i < 5; i++) out[j] += f[i] * Q[i][j];
  return out;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

/** The vision rule of test/fixtures/README.md for a solid colour. */
function imageFeature([r8, g8, b8]: number[]): number[] {
  const [r, g, b] = [r8 / 255, g8 / 255, b8 / 255];
  const l = (r + g + b) / 3;
  return [r - l, g - l, b - l, l - 0.5, 0.1];
}

function solid(rgb: number[], width = 80, height = 70): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { width, height, data };
}

/** A tile with structure (so resizing matters) whose mean colour leans to `rgb`. */
function textured(rgb: number[], seed: number): RgbImage {
  const width = 97 + seed;
  const height = 83;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const wave = ((x * 7 + y * 13 + seed * 31) % 41) - 20;
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, rgb[c] + wave));
    }
  }
  return { width, height, data };
}


const COLOURS: Record<string, number[]> = {
  red: [200, 30, 40],
  green: [40, 180, 50],
  blue: [30, 60, 210],
  white: [245, 245, 240],
  black: [10, 12, 8],
  olive: [120, 130, 60],
};

let model: Model;
const work = mkdtempSync(join(tmpdir(), 'geosift-model-'));
beforeAll(async () => {
  model = await loadModel(testModelDir, { provider: 'cpu', batchSize: 4, intraOpThreads: 1 });
});
afterAll(async () => {
  await model?.dispose();
  rmSync(work, { recursive: true, force: true });
});

describe('loadModel', () => {
  it('reports the package, the provider and the embedding size', () => {
    expect(model.embeddingDim).toBe(16);
    expect(model.info.manifest.id).toBe('test-clip');
    expect(model.info.provider).toBe('cpu');
    expect(model.info.providerNote).toBeUndefined();
    expect(model.info.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("finds a package by id in the search paths; 'auto' says when it fell back", async () => {
    const m = await loadModel('test-clip', { searchPaths: [models], provider: 'auto' });
    try {
      expect(m.info.dir).toBe(testModelDir);
      if (m.info.provider === 'cpu') expect(m.info.providerNote).toMatch(/running on cpu/);
    } finally {
      await m.dispose();
    }
  });

  it.each([
    ['broken-missing-file', 'E_MODEL_NOT_FOUND', 'Model file text.onnx is missing from'],
    ['broken-corrupt-onnx', 'E_MODEL_RUNTIME', 'vision.onnx could not be loaded by ONNX Runtime: it is not a valid ONNX model'],
    ['broken-wrong-dim', 'E_MODEL_MISMATCH', 'vision.onnx output has 8 dims, model.json says embeddingDim 16'],
    ['broken-manifest', 'E_MODEL_INVALID', 'vision.imageSize must be a positive integer, got -3'],
    ['broken-hash', 'E_MODEL_MISMATCH', 'vision.onnx sha256 does not match model.json: the package is damaged or was modified'],
  ])('%s fails with %s', async (name, code, message) => {
    const e = await asyncErrorOf(loadModel(join(models, name), { provider: 'cpu' }));
    expect(e.code).toBe(code);
    expect(e.message).toContain(message);
  });

  it('checks tensor names against model.json', async () => {
    const dir = join(work, 'renamed');
    cpSync(testModelDir, dir, { recursive: true });
    const m = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    m.text.output = 'sentence_embedding';
    writeFileSync(join(dir, 'model.json'), JSON.stringify(m));
    const e = await asyncErrorOf(loadModel(dir, { provider: 'cpu' }));
    expect(e.code).toBe('E_MODEL_MISMATCH');
    expect(e.message).toBe('text.onnx has no output named "sentence_embedding" (model.json text.output); its outputs are: text_embeds');
  });

  it('rejects a bad batch size and an aborted signal', async () => {
    expect((await asyncErrorOf(loadModel(testModelDir, { batchSize: 0 }))).code).toBe('E_BAD_ARGUMENT');
    const c = new AbortController();
    c.abort();
    expect((await asyncErrorOf(loadModel(testModelDir, { signal: c.signal }))).code).toBe('E_CANCELED');
  });
});

describe('image encoder (mean-colour rule)', () => {
  it('embeds a solid colour as normalise(f @ Q), f = [r-l, g-l, b-l, l-0.5, 0.1]', async () => {
    const names = Object.keys(COLOURS);
    const embeddings = await model.encodeImages(names.map((n) => solid(COLOURS[n])));
    names.forEach((n, i) => {
      const e = embeddings[i];
      expect(e).toHaveLength(16);
      expect(Math.hypot(...e)).toBeCloseTo(1, 5);
      expect(cosine(e, project(imageFeature(COLOURS[n])))).toBeGreaterThanOrEqual(0.9999);
    });
  });

  it('batching gives the same embeddings as one image at a time', async () => {
    const images = Object.values(COLOURS).flatMap((c, i) => [textured(c, i), solid(c, 64 + i, 50)]);
    const batched = await model.encodeImages(images);
    const single: Float32Array[] = [];
    for (const img of images) single.push(...(await model.encodeImages([img])));
    batched.forEach((b, i) => {
      for (let j = 0; j < 16; j++) expect(b[j]).toBeCloseTo(single[i][j], 6);
    });
  });

  it('calls running at the same time, and calls of other sizes after them, keep their own inputs (the reused batch buffer)', async () => {
    const a = Object.values(COLOURS).map((c, i) => textured(c, i));
    const b = Object.values(COLOURS).map((c, i) => solid(c, 70 + i, 90));
    const alone = [await model.encodeImages(a), await model.encodeImages(b)];
    const together = await Promise.all([model.encodeImages(a), model.encodeImages(b), model.encodeImages(a.slice(0, 1))]);
    const after = await model.encodeImages(b.slice(0, 2));
    expect(together[0].map((v) => Array.from(v))).toEqual(alone[0].map((v) => Array.from(v)));
    expect(together[1].map((v) => Array.from(v))).toEqual(alone[1].map((v) => Array.from(v)));
    expect(Array.from(together[2][0])).toEqual(Array.from(alone[0][0]));
    expect(after.map((v) => Array.from(v))).toEqual(alone[1].slice(0, 2).map((v) => Array.from(v)));
  });

  it('encodePixels on preprocessed tensors equals encodeImages', async () => {
    const images = Object.values(COLOURS).map((c, i) => textured(c, i));
    const pixels = preprocessBatch(images, preprocessSpec(model.info.manifest));
    const a = await model.encodePixels(pixels, images.length);
    const b = await model.encodeImages(images);
    a.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(b[i])));
    expect((await asyncErrorOf(model.encodePixels(pixels, images.length + 1))).code).toBe('E_BAD_ARGUMENT');
  });

  it('stops between batches when the signal fires', async () => {
    const images = Array.from({ length: 12 }, (_, i) => textured([i * 20, 100, 50], i));
    const c = new AbortController();
    const run = model.encodeImages(images, { signal: c.signal });
    // The first batch is already running (encodeImages ran synchronously up to inference); the next check stops it.
    c.abort();
    expect((await asyncErrorOf(run)).code).toBe('E_CANCELED');
    const p = model.encodePixels(new Float32Array(5 * 3 * 64 * 64), 5, { signal: c.signal });
    expect((await asyncErrorOf(p)).code).toBe('E_CANCELED');
  });

  it('rejects an image whose buffer does not match its size', async () => {
    const e = await asyncErrorOf(model.encodeImages([{ width: 10, height: 10, data: new Uint8Array(10) }]));
    expect(e.code).toBe('E_BAD_ARGUMENT');
    expect(e.message).toContain('image 0 is 10x10 RGB, so it needs 300 bytes, got 10');
  });
});

describe('text encoder (colour-word rule)', () => {
  it('"green" in every language embeds to the same vector, the green direction', async () => {
    const words = ['green', 'verde', 'vert', 'grün', 'groen', '绿色', '녹색', 'зелёный'];
    const e = await model.encodeTexts(words);
    const expected = project([-0.5, 1, -0.5, 0, 0]);
    for (const v of e) expect(cosine(v, expected)).toBeGreaterThanOrEqual(0.9999);
    for (const v of e.slice(1)) for (let j = 0; j < 16; j++) expect(v[j]).toBeCloseTo(e[0][j], 6);
  });

  it('sums colour words and ignores every other token', async () => {
    const [sentence, bare, none] = await model.encodeTexts(['a satellite photo of dark green forest.', 'dark green', 'a satellite photo of a forest.']);
    expect(cosine(sentence, project([-0.5, 1, -0.5, -1, 0]))).toBeGreaterThanOrEqual(0.9999);
    for (let j = 0; j < 16; j++) expect(sentence[j]).toBeCloseTo(bare[j], 6);
    // No colour word: the graph outputs zeros, which stay zeros (cosine 0 with everything).
    expect(Array.from(none).every((x) => x === 0)).toBe(true);
  });

  it('a query ranks the tile with that colour first', async () => {
    const names = Object.keys(COLOURS);
    const tiles = await model.encodeImages(names.map((n, i) => textured(COLOURS[n], i)));
    const queries = ['red', 'verde', 'blau', 'blanc', '黑色'];
    const expectedTop = ['red', 'green', 'blue', 'white', 'black'];
    const q = await model.encodeTexts(queries);
    q.forEach((v, qi) => {
      const scores = tiles.map((t) => cosine(v, t));
      expect(names[scores.indexOf(Math.max(...scores))]).toBe(expectedTop[qi]);
    });
  });

  it('batching and padding do not change text embeddings', async () => {
    const texts = ['red', 'a bright red roof next to a dark blue pool', 'verde', 'ein schwarz Dach', '', 'white '.repeat(40)];
    const batched = await model.encodeTexts(texts);
    const single: Float32Array[] = [];
    for (const t of texts) single.push(...(await model.encodeTexts([t])));
    batched.forEach((b, i) => {
      for (let j = 0; j < 16; j++) expect(b[j]).toBeCloseTo(single[i][j], 6);
    });

    // The same package padded to contextLength every time (as fixed-length graphs need) gives the same answers.
    const dir = join(work, 'fixed-length');
    cpSync(testModelDir, dir, { recursive: true });
    const m = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    m.text.padToContextLength = true;
    writeFileSync(join(dir, 'model.json'), JSON.stringify(m));
    const fixed = await loadModel(dir, { provider: 'cpu' });
    try {
      const padded = await fixed.encodeTexts(texts);
      padded.forEach((p, i) => {
        for (let j = 0; j < 16; j++) expect(p[j]).toBeCloseTo(single[i][j], 6);
      });
    } finally {
      await fixed.dispose();
    }
  });

  it('truncates long texts to contextLength: only the first 30 words count', async () => {
    const [long] = await model.encodeTexts(['red '.repeat(30) + 'blue '.repeat(30)]);
    expect(cosine(long, project([1, -0.5, -0.5, 0, 0]))).toBeGreaterThanOrEqual(0.9999);
  });
});

describe('dispose', () => {
  it('is safe twice and refuses work afterwards', async () => {
    const m = await loadModel(testModelDir, { provider: 'cpu' });
    await m.dispose();
    await m.dispose();
    await expect(m.encodeTexts(['red'])).rejects.toThrow(/after dispose/);
  });
});

describe('text cleaning as open_clip does it', () => {
  it('unescapes HTML entities, collapses whitespace and strips', async () => {
    const { cleanText } = await import('../../../../main/engine/model/model.js');
    expect(cleanText('  a&amp;b \n\t  c&#233;&#x4E2D;  ')).toBe('a&b cé中');
    expect(cleanText('&amp;lt;')).toBe('<');
    expect(cleanText('no change')).toBe('no change');
  });
});
