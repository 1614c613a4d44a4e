// Peak RSS while indexing generated scenes of 10k, 20k and 40k px a side with the tiny test model (the model is not
// the bottleneck, the raster path and the store are). Memory must stay flat as the scene grows (goal <= 2 GB).
//
// Usage: node --import jiti/register bench/memory.ts [--sizes 10000,20000,40000] [--tile 256px] [--scenes-dir DIR]
// Scenes are made with gdal_translate -outsize from a real scene (tiled Deflate COG with overviews) in a temp folder
// and deleted afterwards, unless --scenes-dir names a folder to keep (and reuse) them in.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, benchDir, dataDir, load1, machineLine, repoRoot } from './lib.js';

const source = arg('scene', join(dataDir, 'scenes/titiler_tests_fixtures/TCI.tif'));
const sizes = arg('sizes', '10000,20000,40000').split(',').map(Number);
const tile = arg('tile', '512px');
const keep = arg('scenes-dir', '');
const model = join(repoRoot, 'test/fixtures/.generated/models/test-clip');

const tmp = mkdtempSync(join(tmpdir(), 'geosift-bench-memory-'));
const sceneDir = keep || join(tmp, 'scenes');
mkdirSync(sceneDir, { recursive: true });
try {
  console.log(`# memory | ${machineLine()}`);
  console.log(`# scenes: ${source} resampled (bilinear) to N x N, Deflate COG, 512 px blocks, overviews; model ${model}; tile ${tile}; on-disk index in a temp folder`);
  console.log('size px   file MB  tiles  level  seconds  RSS after model load MB  peak RSS MB  load1');
  for (const n of sizes) {
    const file = join(sceneDir, `scene-${n}.tif`);
    if (!existsSync(file)) {
      execFileSync('gdal_translate', ['-q', '-outsize', String(n), String(n), '-r', 'bilinear', '-of', 'COG', '-co', 'COMPRESS=DEFLATE', '-co', 'BLOCKSIZE=512', '-co', 'OVERVIEWS=AUTO', '-co', 'NUM_THREADS=2', source, file]);
    }
    // A fresh process per scene, so each peak RSS is that scene's alone.
    const r = spawnSync(process.execPath, ['--import', 'jiti/register', join(benchDir, 'memory-child.ts'), file, join(tmp, `index-${n}`), model, tile], { encoding: 'utf8', cwd: repoRoot });
    if (r.status !== 0) throw new Error(`indexing ${file} failed:\n${r.stderr}`);
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!);
    console.log(
      `${String(n).padEnd(10)}${(statSync(file).size / 1e6).toFixed(0).padStart(7)}  ${String(res.tiles).padStart(5)}  ${String(res.level).padStart(5)}  ${res.seconds.toFixed(1).padStart(7)}  ${res.rssAfterLoadMB.toFixed(0).padStart(23)}  ${res.peakRssMB.toFixed(0).padStart(11)}  ${load1()}`,
    );
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
