// A rotated scene (ModelTransformation): the class raster keeps the rotation, cells land where GDAL puts the tiles, areas stay metric.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelEmbeddings, type LabelResult } from '../../../../main/engine/label/label-scene.js';
import { schemeFromClassList } from '../../../../main/engine/label/schemes.js';
import { cellAreasM2 } from '../../../../main/engine/label/area.js';
import { exportAs } from '../../../../main/engine/export/registry.js';
import { loadModel } from '../../../../main/engine/model/index.js';
import type { Model } from '../../../../main/engine/model/types.js';
import { resolveBands } from '../../../../main/engine/raster/bands.js';
import { openScene } from '../../../../main/engine/raster/open-scene.js';
import { computeStretch } from '../../../../main/engine/raster/stretch.js';
import type { Scene } from '../../../../main/engine/raster/types.js';
import { embedScene } from '../../../../main/engine/tasks/embed-scene.js';
import { planTiles } from '../../../../main/engine/tiling/tile-plan.js';
import { gdalinfoJson } from '../../../helpers/gdal.js';
import { generatedDir, testModelDir } from '../../../helpers/paths.js';

const source = join(generatedDir, 'rasters', 'rotated.tif');
const dir = mkdtempSync(join(tmpdir(), 'label-rot-'));
let model: Model;
let scene: Scene;
let result: LabelResult;

beforeAll(async () => {
  model = await loadModel(testModelDir, { provider: 'cpu', intraOpThreads: 1 });
  scene = await openScene(source);
  const plan = planTiles(scene.info, { tile: '128px', modelInputSize: model.info.manifest.vision.imageSize });
  const bands = resolveBands(scene.info, 'rgb');
  const emb = await embedScene(scene, model, { plan, bands, stretch: await computeStretch(scene, bands), minValid: 0.5, batchSize: 16 });
  result = await labelEmbeddings(scene, model, emb, { scheme: schemeFromClassList('green, blue, red, dark, bright', 'en') });
});

afterAll(async () => {
  await model?.dispose();
  await scene?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('labels of a rotated scene', () => {
  it('writes the rotated cell grid, and a cell centre is where GDAL puts the tile centre', () => {
    const f = join(dir, 'rot.tif');
    writeFileSync(f, exportAs('cog', { kind: 'labels', scene, result }));
    const src = gdalinfoJson(source), out = gdalinfoJson(f);
    const g = src.geoTransform as number[];
    expect(out.geoTransform.map((v: number) => Number(v.toPrecision(10)))).toEqual([g[0], g[1] * 128, g[2] * 128, g[3], g[4] * 128, g[5] * 128].map((v) => Number(v.toPrecision(10))));
    expect(out.coordinateSystem.wkt).toContain('ID["EPSG",32618]');
    expect(out.size).toEqual([7, 6]);
    // Cell (2, 3) centre in the class raster vs the centre of tile (row 2, col 3) in the scene.
    const a = execFileSync('gdaltransform', [f], { input: '3.5 2.5\n', encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    const b = execFileSync('gdaltransform', [source], { input: `${3 * 128 + 64} ${2 * 128 + 64}\n`, encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    expect(Math.hypot(a[0] - b[0], a[1] - b[1])).toBeLessThan(1e-6);
  });

  it('marks skipped collar tiles nodata and measures a cell as its UTM area divided by the point scale factor squared', () => {
    const nodata = result.areas.find((a) => a.id === 'nodata')!;
    expect(nodata.cells).toBe(42 - result.tiles.length);
    expect(nodata.cells).toBeGreaterThan(0);
    const areas = cellAreasM2(result.raster, (c, r) => scene.pixelToWgs84(c, r));
    const g = scene.info.geoTransform!;
    const utmCell = 128 * 128 * Math.abs(g[1] * g[5] - g[2] * g[4]);
    for (const [row, col] of [[0, 0], [2, 3], [4, 5]]) {
      const [x] = scene.pixelToCrs(col * 128 + 64, row * 128 + 64);
      const e = (x - 500000) / 6_381_000; // Transverse Mercator point scale: k = 0.9996 (1 + E^2 / 2R^2), to 1e-5 here
      const k = 0.9996 * (1 + (e * e) / 2);
      expect(areas[row * 7 + col] / (utmCell / (k * k))).toBeCloseTo(1, 4);
    }
  });
});
