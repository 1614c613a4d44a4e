// Child of bench/memory.ts: indexes one scene into an on-disk index and prints its peak RSS as JSON.
import { createEngine } from '../main/engine/engine.js';
import { openScene } from '../main/engine/raster/open-scene.js';
import { planTiles } from '../main/engine/tiling/tile-plan.js';

const [scene, indexDir, model, tile] = process.argv.slice(2);
const engine = createEngine({ indexDir, threads: 1, modelSearchPaths: [] });
const m = await engine.model(model);
const rssAfterLoadMB = process.memoryUsage().rss / 2 ** 20;
const s = await openScene(scene);
const plan = planTiles(s.info, { tile, modelInputSize: m.info.manifest.vision.imageSize });
await s.close();
const t0 = performance.now();
const res = await engine.index({ scene, model, tile });
const seconds = (performance.now() - t0) / 1000;
// resourceUsage().maxRSS is the process's peak resident set, in KiB.
console.log(JSON.stringify({ tiles: res.tilesTotal, level: plan.level, seconds, rssAfterLoadMB, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
await engine.dispose();
