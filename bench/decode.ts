// Decoding benchmark: MPix/s of our raster path (openScene + readWindow) vs GDAL through rasterio, same COGs, same windows, one run.
//
// Usage: node --import jiti/register bench/decode.ts [--scene PATH] [--outsize 2196] [--window 512] [--reps 5] [--codecs DEFLATE,ZSTD,JPEG,LZW,WEBP] [--levels 0,1]
// Makes tiled COGs (256 px blocks, overviews) from a real scene with gdal_translate in a temp folder and deletes them
// afterwards. Reports wall-clock and CPU-time rates: on a shared machine the CPU-time ratio is the steadier one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePool, disposeDecodePool } from '../main/engine/raster/decode-pool.js';
import { openScene } from '../main/engine/raster/open-scene.js';
import { arg, dataDir, load1, machineLine, percentile, ratio, runPython } from './lib.js';

const scenePath = arg('scene', join(dataDir, 'scenes/titiler_tests_fixtures/TCI.tif'));
const outsize = Number(arg('outsize', '2196'));
const win = Number(arg('window', '512'));
const reps = Number(arg('reps', '5'));
const codecs = arg('codecs', 'DEFLATE,ZSTD,JPEG,LZW,WEBP').split(',');
const levels = arg('levels', '0,1').split(',').map(Number);

type Window = [number, number, number, number];

/** Windows of `win` px covering a level's own pixel grid, as [x, y, w, h]. */
function windowsOf(w: number, h: number): Window[] {
  const out: Window[] = [];
  for (let y = 0; y < h; y += win) for (let x = 0; x < w; x += win) out.push([x, y, Math.min(win, w - x), Math.min(win, h - y)]);
  return out;
}

/** One pass over all windows of a level, on a freshly opened scene (no block cache carried over, like the GDAL side). */
async function oursOnce(file: string, level: number): Promise<{ wall: number; cpu: number }> {
  const scene = await openScene(file);
  try {
    const lv = scene.info.overviews[level];
    let pixels = 0;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (const [x, y, w, h] of windowsOf(lv.width, lv.height)) {
      const d = await scene.readWindow({ x: x * lv.scaleX, y: y * lv.scaleY, width: w * lv.scaleX, height: h * lv.scaleY }, { bands: [0, 1, 2], level });
      pixels += d.width * d.height;
    }
    const c = process.cpuUsage(c0);
    return { wall: pixels / 1e6 / ((performance.now() - t0) / 1000), cpu: pixels / 1e6 / ((c.user + c.system) / 1e6) };
  } finally {
    await scene.close();
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'geosift-bench-decode-'));
try {
  console.log(`# decode | ${machineLine()}`);
  console.log(`# source ${scenePath} resampled to ${outsize}x${outsize} (cubic); COGs with 256 px blocks; windows ${win}x${win} (3 bands uint8); medians of ${reps} passes, ours and GDAL alternated; GDAL on one thread, ours with libuv's pool and the decode workers below`);
  const base = join(tmp, 'base.tif');
  execFileSync('gdal_translate', ['-q', '-outsize', String(outsize), String(outsize), '-r', 'cubic', '-co', 'TILED=YES', scenePath, base]);
  const files: Record<string, string> = {};
  for (const c of codecs) {
    files[c] = join(tmp, `${c}.tif`);
    // Lossy codecs take no predictor; WebP at GDAL's default quality (75).
    const extra = c === 'JPEG' || c === 'WEBP' ? [] : ['-co', 'PREDICTOR=2'];
    execFileSync('gdal_translate', ['-q', '-of', 'COG', '-co', `COMPRESS=${c}`, '-co', 'BLOCKSIZE=256', '-co', 'OVERVIEWS=AUTO', ...extra, base, files[c]]);
  }
  // The decode pool's workers (LZW by default) start before the timed passes, as they would in a long-running app.
  await decodePool().start();
  console.log(`# decode pool: ${decodePool().size} workers (GEOSIFT_DECODE_THREADS=0: inline), codecs ${process.env.GEOSIFT_DECODE_POOL_CODECS ?? 'lzw,webp (default)'}`);
  const spec = join(tmp, 'job.json');
  let header = false;
  for (const codec of codecs) {
    const s = await openScene(files[codec]);
    const sizes = s.info.overviews.map((o) => [o.width, o.height]);
    await s.close();
    for (const level of levels) {
      if (!sizes[level]) continue;
      // Ours and GDAL alternate pass by pass (each GDAL pass in its own process, after a warm-up pass there), so that
      // both sides of a pair see the same moment of this VM, whose speed drifts by 2x over minutes.
      await oursOnce(files[codec], level); // warm-up: page cache, JIT
      writeFileSync(spec, JSON.stringify({ reps: 1, jobs: [{ codec, level, file: files[codec], windows: windowsOf(sizes[level][0], sizes[level][1]) }] }));
      const runs: { wall: number; cpu: number }[] = [];
      const refRuns: { mpix_s: number; mpix_cpu_s: number }[] = [];
      let ref!: { results: { mpix_s: number; mpix_cpu_s: number }[]; gdal: string; rasterio: string };
      for (let r = 0; r < reps; r++) {
        runs.push(await oursOnce(files[codec], level));
        ref = runPython<typeof ref>('decode_ref.py', [spec]);
        refRuns.push(ref.results[0]);
      }
      if (!header) {
        console.log(`# baseline: rasterio ${ref.rasterio} (GDAL ${ref.gdal}), GDAL_NUM_THREADS=1`);
        console.log('codec   level | wall MPix/s: ours   GDAL  ratio | CPU-time MPix/s: ours   GDAL  ratio | load1');
        header = true;
      }
      const ours = percentile(runs.map((r) => r.wall), 50);
      const oursCpu = percentile(runs.map((r) => r.cpu), 50);
      const g = { mpix_s: percentile(refRuns.map((r) => r.mpix_s), 50), mpix_cpu_s: percentile(refRuns.map((r) => r.mpix_cpu_s), 50) };
      console.log(
        `${codec.padEnd(8)}${String(level).padEnd(6)}|${ours.toFixed(1).padStart(19)}  ${g.mpix_s.toFixed(1).padStart(5)}  ${ratio(ours, g.mpix_s).padStart(5)} |${oursCpu.toFixed(1).padStart(23)}  ${g.mpix_cpu_s.toFixed(1).padStart(5)}  ${ratio(oursCpu, g.mpix_cpu_s).padStart(5)} | ${load1()}`,
      );
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
  await disposeDecodePool();
}
