// Indexing throughput: GeoTIFF -> embeddings in tiles/s, ours (createEngine().index, in-memory index) vs the reference an
// analyst would write (rasterio window reads + the same network in PyTorch), model-only (the network on prepared
// tensors, both sides) and end-to-end, one run.
//
// Usage: node --import jiti/register bench/index-throughput.ts [--scene PATH] [--threads 2] [--batch 16] [--reps 3] [--models vitb32,default]
//   Each side times --reps passes of model-only and end-to-end, alternated, and reports the medians (this VM's speed
//   moves by 20-30 % from one pass to the next).
//   vitb32:  test/fixtures/.generated/rs-m-clip-parity/package (RS-M-CLIP's architecture, seeded weights) vs the same
//            seeded open_clip model in PyTorch (geosift_models.seeded, seed 0: the weights the package was exported from)
//   vitb32-int8: the same package with an int8 vision graph added (geosift_models.variants add-int8, in a temp copy),
//            run with visionPrecision 'int8', against the same fp32 PyTorch reference
//   default: models/geosift-rs-mini vs its training checkpoint in PyTorch (models/training/runs/<provenance run>), when both exist
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../main/engine/engine.js';
import { loadModel } from '../main/engine/model/index.js';
import { openScene } from '../main/engine/raster/open-scene.js';
import { computeStretch, toRgb } from '../main/engine/raster/stretch.js';
import { planTiles } from '../main/engine/tiling/tile-plan.js';
import { preprocessBatch, preprocessSpec } from '../main/engine/model/preprocess.js';
import type { RgbImage, VisionPrecision } from '../main/engine/model/types.js';
import { arg, dataDir, load1, machineLine, percentile, ratio, repoRoot, runPython } from './lib.js';

const scenePath = arg('scene', join(dataDir, 'scenes/titiler_tests_fixtures/TCI.tif'));
const threads = Number(arg('threads', '2'));
const batch = Number(arg('batch', '16'));
const reps = Math.max(1, Number(arg('reps', '3')));
const median = (xs: number[]): number => percentile(xs, 50);
const passes = (xs: number[]): string => xs.map((x) => x.toFixed(1)).join(', ');
const which = arg('models', 'vitb32,vitb32-int8,default').split(',');

interface Target {
  name: string;
  dir: string;
  torch: string; // how index_ref.py builds the PyTorch model
  precision?: VisionPrecision;
}

/** A copy of a package (files hard-linked, model.json copied) with an int8 vision graph added by the export tooling. */
function int8Copy(src: string, into: string): string {
  const dst = join(into, 'int8-package');
  mkdirSync(dst);
  for (const f of readdirSync(src)) {
    if (f === 'model.json') copyFileSync(join(src, f), join(dst, f));
    else linkSync(join(src, f), join(dst, f));
  }
  const r = spawnSync('python3', ['-m', 'geosift_models.variants', 'add-int8', dst], { cwd: join(repoRoot, 'models'), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`geosift_models.variants add-int8 failed:\n${r.stderr}`);
  console.log(`# int8 vision graph: ${r.stdout.trim()}`);
  return dst;
}

function targets(): Target[] {
  const out: Target[] = [];
  if (which.includes('vitb32')) {
    out.push({ name: 'ViT-B/32 (RS-M-CLIP arch, seeded)', dir: join(repoRoot, 'test/fixtures/.generated/rs-m-clip-parity/package'), torch: 'seeded:xlm-roberta-base-ViT-B-32:0' });
  }
  if (which.includes('vitb32-int8')) {
    const dir = int8Copy(join(repoRoot, 'test/fixtures/.generated/rs-m-clip-parity/package'), tmp);
    out.push({ name: 'ViT-B/32 int8 vision graph (ours) vs fp32 PyTorch', dir, torch: 'seeded:xlm-roberta-base-ViT-B-32:0', precision: 'int8' });
  }
  const def = join(repoRoot, 'models/geosift-rs-mini');
  if (which.includes('default')) {
    if (!existsSync(join(def, 'model.json'))) console.log('# default model models/geosift-rs-mini not present: skipped');
    else {
      const m = JSON.parse(readFileSync(join(def, 'model.json'), 'utf8'));
      const t = m.provenance?.training ?? {};
      const ckpt = join(repoRoot, 'models/training/runs', t.args?.run ?? 'main', t.checkpoint ?? 'last.pt');
      // Without the checkpoint the reference runs the same architecture with seeded weights: the same speed, no cosine check.
      out.push({ name: 'geosift-rs-mini (default)', dir: def, torch: existsSync(ckpt) ? `mini:${ckpt}` : `mini-arch:${join(def, 'model.json')}` });
    }
  }
  return out;
}

interface RefResult {
  model_only_tiles_s: number;
  e2e_tiles_s: number;
  model_only_runs: number[];
  e2e_runs: number[];
  tiles: number;
  first: number[];
  torch: string;
  threads: number;
}

console.log(`# index-throughput | ${machineLine()}`);
console.log(`# scene ${scenePath}; batch ${batch}; ${threads} threads each side (ORT intra-op / torch.set_num_threads)`);
const tmp = mkdtempSync(join(tmpdir(), 'geosift-bench-index-'));
try {
  for (const t of targets()) {
    // The tiles: our plan (the model's input size at the level it picks), also handed to the reference.
    const scene = await openScene(scenePath);
    const model = await loadModel(t.dir, { intraOpThreads: threads, batchSize: batch, verifyHashes: false, provider: 'cpu', visionPrecision: t.precision });
    const size = model.info.manifest.vision.imageSize;
    const plan = planTiles(scene.info, { modelInputSize: size });
    const bands = [0, 1, 2];
    const stretch = await computeStretch(scene, bands);
    const tiles = plan.grid.tiles;
    const images: RgbImage[] = [];
    for (const tile of tiles) images.push(toRgb(await scene.readWindow(tile.window, { bands, level: plan.level }), stretch).image);
    await scene.close();

    // Model-only: decoded tiles in memory -> embeddings. End-to-end: createEngine().index on the scene, embeddings
    // kept in memory (indexDir: false), a fresh engine each pass (an engine keeps what it indexed) with its model
    // loaded and warmed up beforehand. Passes alternate so that both see the same moments of this VM.
    // Model-only is the network alone on prepared input, as on the reference side (its tensor is normalised and resized
    // before the clock starts): the PIL-exact resize and normalisation are timed on their own, and belong to end-to-end.
    const prep = preprocessSpec(model.info.manifest);
    const per = 3 * prep.imageSize * prep.imageSize;
    let t0 = performance.now();
    const pixels = preprocessBatch(images, prep);
    const prepMs = (performance.now() - t0) / images.length;
    await model.encodePixels(pixels.subarray(0, Math.min(batch, images.length) * per), Math.min(batch, images.length)); // warm-up
    const modelRuns: number[] = [];
    const e2eRuns: number[] = [];
    let vectors: Float32Array[] = [];
    let embedded = 0;
    for (let r = 0; r < reps; r++) {
      t0 = performance.now();
      vectors = await model.encodePixels(pixels, images.length);
      modelRuns.push(images.length / ((performance.now() - t0) / 1000));
      const engine = createEngine({ indexDir: false, threads, batchSize: batch, provider: 'cpu', modelSearchPaths: [], visionPrecision: t.precision });
      const m2 = await engine.model(t.dir);
      await m2.encodeImages(images.slice(0, batch)); // warm-up
      t0 = performance.now();
      const res = await engine.index({ scene: scenePath, model: t.dir });
      e2eRuns.push(res.tilesEmbedded / ((performance.now() - t0) / 1000));
      embedded = res.tilesEmbedded;
      await engine.dispose?.();
    }
    await model.dispose();
    const oursModel = median(modelRuns);
    const oursE2e = median(e2eRuns);
    const loadOurs = load1();

    if (!t.torch) {
      console.log(`${t.name}: ours model-only ${oursModel.toFixed(2)} tiles/s, end-to-end ${oursE2e.toFixed(2)} tiles/s (${embedded} tiles, medians of ${reps}); no PyTorch checkpoint found for the reference | load ${loadOurs}`);
      console.log(`ours end-to-end / ours model-only = ${((100 * oursE2e) / oursModel).toFixed(0)} %; preprocessing alone ${prepMs.toFixed(3)} ms a tile; passes: model-only ${passes(modelRuns)}; end-to-end ${passes(e2eRuns)}`);
      continue;
    }
    const spec = join(tmp, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        scene: scenePath,
        level: plan.level,
        windows: tiles.map((g) => [g.window.x, g.window.y, g.window.width, g.window.height]),
        readSize: plan.readSizePx,
        stretch,
        imageSize: size,
        mean: model.info.manifest.vision.mean,
        std: model.info.manifest.vision.std,
        batch,
        threads,
        torch: t.torch,
        minValid: 0.5,
        reps,
      }),
    );
    const ref = runPython<RefResult>('index_ref.py', [spec], { PYTHONPATH: join(repoRoot, 'models') });
    let dot = 0;
    for (let k = 0; k < ref.first.length; k++) dot += ref.first[k] * vectors[0][k];
    const check = t.torch.startsWith('mini-arch:') ? 'reference weights seeded (no training checkpoint here): no cosine check' : `cosine(ours, reference) on tile 0 = ${dot.toFixed(6)}`;
    console.log(`## ${t.name}: ${images.length} tiles of ${plan.tileSizePx} px at level ${plan.level}; reference ${ref.torch}; ${check}`);
    console.log('             ours tiles/s  reference tiles/s  ratio  load1');
    console.log(`model-only   ${oursModel.toFixed(2).padStart(12)}  ${ref.model_only_tiles_s.toFixed(2).padStart(17)}  ${ratio(oursModel, ref.model_only_tiles_s).padStart(5)}  ${loadOurs}/${load1()}`);
    console.log(`end-to-end   ${oursE2e.toFixed(2).padStart(12)}  ${ref.e2e_tiles_s.toFixed(2).padStart(17)}  ${ratio(oursE2e, ref.e2e_tiles_s).padStart(5)}  ${loadOurs}/${load1()}`);
    console.log(`ours end-to-end / ours model-only = ${((100 * oursE2e) / oursModel).toFixed(0)} %; reference: ${((100 * ref.e2e_tiles_s) / ref.model_only_tiles_s).toFixed(0)} %`);
    console.log(`# ours, preprocessing alone (PIL-exact resize ${plan.readSizePx} -> ${prep.imageSize} px, normalisation): ${prepMs.toFixed(3)} ms a tile, one thread`);
    console.log(`# medians of ${reps} passes; ours model-only ${passes(modelRuns)}, end-to-end ${passes(e2eRuns)}; reference model-only ${passes(ref.model_only_runs)}, end-to-end ${passes(ref.e2e_runs)}`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
