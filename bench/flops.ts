// FLOPs per tile of each vision tower (from the ONNX graph), this CPU's measured peak (a large MatMul in onnxruntime),
// our measured model-only throughput, and so the fraction of the machine the indexer uses.
//
// Usage: node --import jiti/register bench/flops.ts [--threads 2] [--batch 16] [--batches 3]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../main/engine/model/index.js';
import { arg, load1, machineLine, repoRoot, runPython } from './lib.js';

const threads = Number(arg('threads', '2'));
const batch = Number(arg('batch', '16'));
const batches = Number(arg('batches', '4'));
const packages: [string, string][] = [
  ['ViT-B/32 (seeded RS-M-CLIP package)', join(repoRoot, 'test/fixtures/.generated/rs-m-clip-parity/package')],
  ['geosift-rs-mini (default)', join(repoRoot, 'models/geosift-rs-mini')],
  ['test-clip (generated test model)', join(repoRoot, 'test/fixtures/.generated/models/test-clip')],
].filter(([, d]) => existsSync(join(d, 'model.json'))) as [string, string][];

console.log(`# flops | ${machineLine()}`);
const ref = runPython<{ models: Record<string, { flops: number; unresolved_nodes: number }>; peak: Record<string, number>; onnxruntime: string }>('flops_ref.py', [
  JSON.stringify({ models: packages.map(([, d]) => join(d, 'vision.onnx')), threads: [...new Set([1, threads])] }),
]);
const peak = ref.peak[String(threads)];
console.log(`# peak: best float32 square MatMul (1024/2048/3072) in onnxruntime ${ref.onnxruntime}: ${(ref.peak['1'] / 1e9).toFixed(1)} GFLOP/s on 1 thread, ${(peak / 1e9).toFixed(1)} GFLOP/s on ${threads} | load ${load1()}`);
console.log('model                                   GFLOP/tile  tiles/s (ours, model-only, batch ' + batch + ')  achieved GFLOP/s  fraction of peak  load1');
for (const [name, dir] of packages) {
  const f = ref.models[join(dir, 'vision.onnx')];
  const model = await loadModel(dir, { intraOpThreads: threads, batchSize: batch, verifyHashes: false, provider: 'cpu' });
  const size = model.info.manifest.vision.imageSize;
  const pixels = new Float32Array(batch * 3 * size * size).map(() => Math.random() * 2 - 1);
  await model.encodePixels(pixels, batch); // warm-up
  const t0 = performance.now();
  for (let b = 0; b < batches; b++) await model.encodePixels(pixels, batch);
  const tps = (batch * batches) / ((performance.now() - t0) / 1000);
  await model.dispose();
  const achieved = tps * f.flops;
  console.log(
    `${name.padEnd(40)}${(f.flops / 1e9).toFixed(3).padStart(10)}${f.unresolved_nodes ? '*' : ' '}  ${tps.toFixed(2).padStart(41)}  ${(achieved / 1e9).toFixed(1).padStart(16)}  ${((100 * achieved) / peak).toFixed(0).padStart(15)} %  ${load1()}`,
  );
}
