// The int8 vision variant of a package: chosen on request, its embeddings close to fp32, indexed apart from them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../main/engine/engine.js';
import { loadModel } from '../../main/engine/model/index.js';
import { openScene } from '../../main/engine/raster/open-scene.js';
import { computeStretch, toRgb } from '../../main/engine/raster/stretch.js';
import { asyncErrorOf } from '../helpers/errors.js';
import { cli } from '../helpers/cli.js';
import { generatedDir, repoRoot, testModelDir } from '../helpers/paths.js';

const mosaic = join(generatedDir, 'mosaic', 'ucm-mosaic.tif');
const indexDir = mkdtempSync(join(tmpdir(), 'geosift-precision-'));
const engines: Engine[] = [];
const engine = (o: Parameters<typeof createEngine>[0]) => {
  const e = createEngine({ modelSearchPaths: [join(generatedDir, 'models')], defaultModel: 'test-clip', indexDir, ...o });
  engines.push(e);
  return e;
};

afterAll(async () => {
  await Promise.all(engines.map((e) => e.dispose()));
  rmSync(indexDir, { recursive: true, force: true });
});

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

describe('vision precision', () => {
  it('int8 runs the variant graph; its embeddings of real tiles stay close to fp32 ones', async () => {
    const fp32 = await loadModel(testModelDir, { provider: 'cpu' });
    const int8 = await loadModel(testModelDir, { provider: 'cpu', visionPrecision: 'int8' });
    try {
      expect(fp32.info).toMatchObject({ visionFile: 'vision.onnx', visionPrecision: 'fp32', embeddingKey: fp32.info.manifestSha256 });
      expect(int8.info).toMatchObject({ visionFile: 'vision.int8.onnx', visionPrecision: 'int8', manifestSha256: fp32.info.manifestSha256 });
      expect(int8.info.embeddingKey).not.toBe(fp32.info.embeddingKey);
      const scene = await openScene(mosaic);
      const stretch = await computeStretch(scene, [0, 1, 2]);
      const images = [];
      for (let i = 0; i < 6; i++) images.push(toRgb(await scene.readWindow({ x: i * 256, y: i * 256, width: 256, height: 256 }, { bands: [0, 1, 2] }), stretch).image);
      await scene.close();
      const a = await fp32.encodeImages(images);
      const b = await int8.encodeImages(images);
      let differs = false;
      for (let i = 0; i < a.length; i++) {
        expect(cos(a[i], b[i])).toBeGreaterThan(0.99);
        differs ||= a[i].some((v, k) => v !== b[i][k]);
      }
      expect(differs).toBe(true); // really another graph
    } finally {
      await fp32.dispose();
      await int8.dispose();
    }
  });

  it('int8 and fp32 embeddings of one scene are separate index entries; catalog search sees only its own', async () => {
    const f = await engine({}).index({ scene: mosaic });
    const q = await engine({ visionPrecision: 'int8' }).index({ scene: mosaic });
    expect(f.alreadyIndexed).toBe(false);
    expect(q.alreadyIndexed).toBe(false); // not served from the fp32 entry
    expect(q.entryId).not.toBe(f.entryId);
    expect(await engine({}).catalog()).toHaveLength(2);
    const r = await engine({ visionPrecision: 'int8' }).searchCatalog({ query: 'green', top: 3 });
    expect(r.scenesSearched).toBe(1);
    expect(r.hits.every((h) => h.entryId === q.entryId)).toBe(true);
    expect(r.model.visionPrecision).toBe('int8');
    const s = await engine({}).search({ scene: mosaic, query: 'green', top: 3 });
    expect(s.model.visionPrecision).toBeUndefined();
  });

  it('a package without an int8 graph says so and how to make one; the CLI takes --precision', async () => {
    const e = await asyncErrorOf(loadModel(join(repoRoot, 'models', 'geosift-rs-mini'), { visionPrecision: 'int8' }));
    expect(e.code).toBe('E_BAD_ARGUMENT');
    expect(e.message).toMatch(/has no int8 vision graph.*--int8/);
    const r = await cli(['search', mosaic, 'green', '--model', 'test-clip', '--precision', 'int8', '--top', '2', '--json'], { indexDir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).model.visionPrecision).toBe('int8');
    const bad = await cli(['search', mosaic, 'green', '--model', 'test-clip', '--precision', 'int4'], { indexDir });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/int4/);
  });
});
