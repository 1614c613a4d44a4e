import { openScene } from '/work/main/main/engine/raster/open-scene.js';
const file = process.argv[2]; const passes = Number(process.argv[3] ?? 5);
for (let p = 0; p < passes; p++) {
  const scene = await openScene(file);
  const t0 = performance.now(); let px = 0;
  for (let y = 0; y < 2196; y += 512) for (let x = 0; x < 2196; x += 512) {
    const d = await scene.readWindow({ x, y, width: Math.min(512, 2196 - x), height: Math.min(512, 2196 - y) }, { bands: [0, 1, 2] });
    px += d.width * d.height;
  }
  console.log(file.split('/').pop(), (px / 1e6 / ((performance.now() - t0) / 1000)).toFixed(1), 'MPix/s');
  await scene.close();
}
process.exit(0);
