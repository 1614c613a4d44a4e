// ONNX Runtime settings for the vision tower, measured: intra-op threads x batch size x graph optimisation level,
// tiles/s on pre-processed input (model-only), so the engine's defaults are chosen from numbers.
//
// Usage: node --import jiti/register bench/ort-settings.ts [--model DIR] [--threads 1,2] [--batches 1,8,16,32] [--levels basic,all] [--tiles 32]
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createSession, type GraphOptimizationLevel } from '../main/engine/model/onnx-runtime.js';
import { arg, load1, machineLine, repoRoot } from './lib.js';

const dir = arg('model', join(repoRoot, 'test/fixtures/.generated/rs-m-clip-parity/package'));
const threads = arg('threads', '1,2').split(',').map(Number);
const batches = arg('batches', '1,8,16,32').split(',').map(Number);
const levels = arg('levels', 'basic,all').split(',') as GraphOptimizationLevel[];
const tiles = Number(arg('tiles', '32'));
const m = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
const size = m.vision.imageSize;

console.log(`# ort-settings | ${machineLine()}`);
console.log(`# ${m.id} vision tower (${size} px), ${tiles} tiles per setting after one warm-up batch`);
console.log('level     threads  batch  tiles/s  load1');
for (const level of levels) {
  for (const t of threads) {
    const s = await createSession(join(dir, m.vision.file), { intraOpThreads: t, graphOptimizationLevel: level, provider: 'cpu' });
    for (const b of batches) {
      const pixels = new Float32Array(b * 3 * size * size).map(() => Math.random() * 2 - 1);
      const feed = { [m.vision.input]: { type: 'float32' as const, data: pixels, dims: [b, 3, size, size] } };
      await s.run(feed);
      const runs = Math.max(1, Math.round(tiles / b));
      const t0 = performance.now();
      for (let r = 0; r < runs; r++) await s.run(feed);
      console.log(`${level.padEnd(10)}${String(t).padStart(7)}  ${String(b).padStart(5)}  ${((runs * b) / ((performance.now() - t0) / 1000)).toFixed(2).padStart(7)}  ${load1()}`);
    }
    await s.dispose();
  }
}
