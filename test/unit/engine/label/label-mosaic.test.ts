// Labels a UC Merced mosaic with colour classes through the test model and checks every tile against the model's documented rule,
// then every export (COG, GeoJSON, FlatGeobuf, CSV) against GDAL.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelEmbeddings, type LabelResult } from '../../../../main/engine/label/label-scene.js';
import { getScheme, schemeFromClassList } from '../../../../main/engine/label/schemes.js';
import { exportAs } from '../../../../main/engine/export/registry.js';
import { parseCsv } from '../../../../main/engine/export/csv.js';
import { loadModel } from '../../../../main/engine/model/index.js';
import type { Model } from '../../../../main/engine/model/types.js';
import { resolveBands } from '../../../../main/engine/raster/bands.js';
import { openScene } from '../../../../main/engine/raster/open-scene.js';
import { computeStretch } from '../../../../main/engine/raster/stretch.js';
import type { Scene } from '../../../../main/engine/raster/types.js';
import { embedScene, type SceneEmbeddings } from '../../../../main/engine/tasks/embed-scene.js';
import { planTiles } from '../../../../main/engine/tiling/tile-plan.js';
import { createEngine } from '../../../../main/engine/index.js';
import { gdalCellMeans, gdalinfoJson } from '../../../helpers/gdal.js';
import { generatedDir, testModelDir } from '../../../helpers/paths.js';
import { cosine, imageFeature, WORD_VECTORS } from '../../../helpers/test-model-rule.js';

const mosaic = join(generatedDir, 'mosaic', 'ucm-mosaic.tif');
const COLOURS = ['green', 'blue', 'red', 'dark', 'bright'];
/** Resampling to the model's 64 px input moves a tile's mean colour a little (see engine-search.test.ts). */
const TOL = 0.005;
const out = process.env.KEEP_DIR ?? mkdtempSync(join(tmpdir(), 'label-'));

let model: Model;
let scene: Scene;
let emb: SceneEmbeddings;
let expectedCos: number[][]; // cell -> cosine with each colour word, by the documented rule

async function embed(tile: string, overlap?: string): Promise<SceneEmbeddings> {
  const plan = planTiles(scene.info, { tile, overlap, modelInputSize: model.info.manifest.vision.imageSize });
  const bands = resolveBands(scene.info, 'rgb');
  const stretch = await computeStretch(scene, bands);
  return embedScene(scene, model, { plan, bands, stretch, minValid: 0.5, batchSize: 16 });
}

beforeAll(async () => {
  model = await loadModel(testModelDir, { provider: 'cpu', intraOpThreads: 1 });
  scene = await openScene(mosaic);
  emb = await embed('256px');
  expectedCos = gdalCellMeans(mosaic, 6).map(([r, g, b]) => {
    const f = imageFeature(r / 255, g / 255, b / 255);
    return COLOURS.map((w) => cosine(f, WORD_VECTORS[w]));
  });
});

afterAll(async () => {
  await model?.dispose();
  await scene?.close();
  if (!process.env.KEEP_DIR) rmSync(out, { recursive: true, force: true });
});

const softmax = (v: number[], s: number): number[] => {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(s * (x - m)));
  const t = e.reduce((a, b) => a + b);
  return e.map((x) => x / t);
};

describe('labeling a UC Merced mosaic with colour classes (test model)', () => {
  let result: LabelResult;
  beforeAll(async () => {
    result = await labelEmbeddings(scene, model, emb, { scheme: schemeFromClassList(COLOURS.join(','), 'en'), language: 'en' });
  });

  it('labels every tile with the colour the documented rule ranks first for its cell', () => {
    expect(result.tiles).toHaveLength(36);
    let clear = 0;
    for (const t of result.tiles) {
      const cos = expectedCos[t.tileIndex];
      const order = cos.map((c, i) => [c, i]).sort((a, b) => b[0] - a[0]);
      const p = softmax(cos, model.info.manifest.logitScale);
      expect(Math.abs(t.cosine - order[0][0]), `tile ${t.tileIndex}`).toBeLessThan(TOL);
      if (order[0][0] - order[1][0] > 2 * TOL) {
        clear++;
        expect(COLOURS[t.bestIndex], `tile ${t.tileIndex}`).toBe(COLOURS[order[0][1]]);
        expect(COLOURS[t.runnerUpIndex], `tile ${t.tileIndex}`).toBe(COLOURS[order[1][1]]);
        // Unknown exactly where the rule's probability is below the 0.3 threshold (away from it by the tolerance).
        const pmax = Math.max(...p);
        if (pmax > 0.3 + 0.1) expect(t.classId).toBe(COLOURS[order[0][1]]);
        if (pmax < 0.3 - 0.1) expect(t.classId).toBe('unknown');
      } else {
        expect([order[0][1], order[1][1]]).toContain(t.bestIndex);
      }
      expect(t.margin).toBeCloseTo(t.probability - t.runnerUpProbability, 9);
    }
    // The rule separates most cells clearly; the test must not pass vacuously.
    expect(clear).toBeGreaterThan(25);
    console.log(`labels: ${COLOURS.map((c) => `${c} ${result.tiles.filter((t) => t.classId === c).length}`).join(', ')}, unknown ${result.tiles.filter((t) => t.classId === 'unknown').length}; ${clear}/36 cells clear of ties`);
  });

  it('answers the same with the colour names in Portuguese and Chinese', async () => {
    for (const [lang, list] of [['pt', 'verde, azul, vermelho, escuro, claro'], ['zh', '绿色,蓝色,红色,暗,明亮']]) {
      const r = await labelEmbeddings(scene, model, emb, { scheme: schemeFromClassList(list, lang), language: lang });
      expect(r.tiles.map((t) => t.bestIndex), lang).toEqual(result.tiles.map((t) => t.bestIndex));
      r.tiles.forEach((t, i) => expect(t.probability).toBeCloseTo(result.tiles[i].probability, 4));
    }
  });

  it('says unknown everywhere when no class means anything to the model (EuroSAT names are no colour words)', async () => {
    const r = await labelEmbeddings(scene, model, emb, { scheme: getScheme('eurosat'), language: 'de' });
    expect(r.tiles.every((t) => t.classId === 'unknown' && Math.abs(t.probability - 0.1) < 1e-6)).toBe(true);
    expect(r.areas.find((a) => a.id === 'unknown')!.cells).toBe(36);
  });

  it('measures areas on the ellipsoid: the whole 460.8 m mosaic is 460.8^2 / 0.9996^2 m2 at the UTM central meridian', () => {
    const total = result.areas.reduce((s, a) => s + (a.value === 255 ? 0 : a.areaM2), 0);
    expect(result.areaMethod).toBe('ellipsoid');
    expect(total / (460.8 ** 2 / 0.9996 ** 2)).toBeCloseTo(1, 5);
    for (const a of result.areas.filter((x) => x.value !== 255)) {
      expect(a.cells).toBe(result.tiles.filter((t) => t.classId === a.id).length);
      expect(a.areaHa).toBeCloseTo(a.areaM2 / 1e4, 9);
      expect(a.areaKm2).toBeCloseTo(a.areaM2 / 1e6, 12);
    }
    expect(result.areas.reduce((s, a) => s + a.fraction, 0)).toBeCloseTo(1, 9);
  });

  it('writes the class raster as a COG that GDAL reads with the right grid, CRS, colours and cells', () => {
    const f = join(out, 'labels.tif');
    writeFileSync(f, exportAs('cog', { kind: 'labels', scene, result }));
    const info = gdalinfoJson(f);
    expect(info.size).toEqual([6, 6]);
    expect(info.geoTransform).toEqual([500000, 76.8, 0, 4100000, 0, -76.8]);
    expect(info.coordinateSystem.wkt).toContain('ID["EPSG",32611]');
    const b = info.bands[0];
    expect(b.noDataValue).toBe(255);
    // Class 1 is "green": a colour word keeps its own colour (#2ca02c).
    expect(b.colorTable.entries[1]).toEqual([0x2c, 0xa0, 0x2c, 255]);
    expect(b.colorTable.entries[0]).toEqual([200, 200, 200, 255]);
    expect(info.metadata.IMAGE_STRUCTURE.LAYOUT).toBe('COG');
    expect(info.metadata['']).toMatchObject({ CLASS_1: 'green|green|#2ca02c', GEOSIFT_MODEL: 'test-clip', GEOSIFT_SCHEME: 'custom', GEOSIFT_LANGUAGE: 'en' });
    const raw = join(out, 'labels.raw');
    execFileSync('gdal_translate', ['-q', '-of', 'ENVI', f, raw]);
    const cells = Array.from(readFileSync(raw));
    expect(cells).toEqual(result.tiles.map((t) => (t.classIndex < 0 ? 0 : t.classIndex + 1)));
  });

  it('aligns raster cells on tile cores when tiles overlap, and still counts the area once', async () => {
    const e2 = await embed('256px', '50%');
    const r = await labelEmbeddings(scene, model, e2, { scheme: schemeFromClassList(COLOURS.join(','), 'en') });
    const f = join(out, 'labels-overlap.tif');
    writeFileSync(f, exportAs('cog', { kind: 'labels', scene, result: r }));
    const info = gdalinfoJson(f);
    // Stride 128 px, cells start 64 px before the image: 13 cells of 38.4 m from 499980.8 m.
    expect(info.size).toEqual([13, 13]);
    expect(info.geoTransform.map((v: number) => Number(v.toFixed(6)))).toEqual([499980.8, 38.4, 0, 4100019.2, 0, -38.4]);
    const total = r.areas.reduce((s, a) => s + (a.value === 255 ? 0 : a.areaM2), 0);
    expect(total / (460.8 ** 2 / 0.9996 ** 2)).toBeCloseTo(1, 5);
  });

  it('exports GeoJSON per tile and dissolved per class, with areas GDAL agrees with', () => {
    const tiles = JSON.parse(exportAs('geojson', { kind: 'labels', scene, result }) as string);
    expect(tiles.features).toHaveLength(36);
    expect(tiles.geosift).toMatchObject({ kind: 'labels', model: { id: 'test-clip' }, scheme: { id: 'custom', language: 'en' }, thresholds: { minProbability: 0.3 } });
    expect(tiles.features[7].properties).toMatchObject({ tile_index: 7, class: result.tiles[7].classId });
    const f = join(out, 'dissolved.geojson');
    writeFileSync(f, exportAs('geojson', { kind: 'labels', scene, result }, { dissolve: true }));
    const fc = JSON.parse(readFileSync(f, 'utf8'));
    const present = result.areas.filter((a) => a.value !== 255 && a.cells > 0);
    expect(fc.features.map((x: any) => x.properties.class).sort()).toEqual(present.map((a) => a.id).sort());
    for (const feat of fc.features) {
      expect(feat.geometry.type).toBe('MultiPolygon');
      // Cells of a class are 76.8 m squares; GDAL's area of the reprojected geometry matches ours.
      const utm = execFileSync('ogr2ogr', ['-f', 'GeoJSON', '-t_srs', 'EPSG:32611', '/vsistdout/', f, '-where', `class = '${feat.properties.class}'`], { encoding: 'utf8' });
      const geom = JSON.parse(utm).features[0].geometry;
      let planar = 0;
      for (const poly of geom.coordinates) poly.forEach((ring: number[][], i: number) => {
        let s = 0;
        for (let k = 0; k + 1 < ring.length; k++) s += ring[k][0] * ring[k + 1][1] - ring[k + 1][0] * ring[k][1];
        planar += (i === 0 ? 1 : -1) * Math.abs(s / 2);
      });
      // Coordinates are rounded to 1e-8 degree (about 1 mm), hence 1e-4 and not better.
      expect(planar / (feat.properties.cells * 76.8 ** 2)).toBeCloseTo(1, 4);
      expect(feat.properties.area_km2).toBeCloseTo(present.find((a) => a.id === feat.properties.class)!.areaKm2, 4);
    }
  });

  it('exports FlatGeobuf that GDAL opens: feature count, CRS, fields and values, provenance in the header', () => {
    const f = join(out, 'labels.fgb');
    writeFileSync(f, exportAs('fgb', { kind: 'labels', scene, result }));
    const summary = execFileSync('ogrinfo', ['-ro', '-al', '-so', f], { encoding: 'utf8' });
    expect(summary).toMatch(/Feature Count: 36/);
    expect(summary).toMatch(/Geometry: Polygon/);
    expect(summary).toMatch(/ID\["EPSG",4326\]/);
    expect(summary).toMatch(/class: String/);
    expect(summary).toMatch(/probability: Real/);
    expect(summary).toMatch(/tile_index: Integer/);
    const gj = JSON.parse(execFileSync('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', f], { encoding: 'utf8' }));
    expect(gj.features.map((x: any) => x.properties.class)).toEqual(result.tiles.map((t) => t.classId));
    const bytes = readFileSync(f);
    expect(bytes.includes(Buffer.from('"model":{"id":"test-clip"'))).toBe(true);
    const d = join(out, 'dissolved.fgb');
    writeFileSync(d, exportAs('fgb', { kind: 'labels', scene, result }, { dissolve: true }));
    expect(execFileSync('ogrinfo', ['-ro', '-al', '-so', d], { encoding: 'utf8' })).toMatch(/Geometry: Multi Polygon/);
  });

  it('exports the per-class summary and per-tile CSV with provenance lines', () => {
    const summary = parseCsv(exportAs('csv', { kind: 'labels', scene, result }) as string);
    expect(summary.header).toEqual(['value', 'class', 'name', 'color', 'tiles', 'cells', 'area_ha', 'area_km2', 'fraction', 'mean_probability']);
    expect(summary.rows.map((r) => r[1])).toEqual([...COLOURS, 'unknown', 'nodata']);
    expect(summary.provenance).toMatchObject({ model: 'test-clip', scheme: 'custom', language: 'en', minProbability: '0.3', scene: mosaic });
    expect(summary.provenance.model_sha256).toMatch(/^[0-9a-f]{64}$/);
    const ha = summary.rows.slice(0, 6).reduce((s, r) => s + Number(r[6]), 0);
    expect(ha).toBeCloseTo(460.8 ** 2 / 0.9996 ** 2 / 1e4, 2);
    const perTile = parseCsv(exportAs('csv', { kind: 'labels', scene, result }, { csvTable: 'tiles' }) as string);
    expect(perTile.rows).toHaveLength(36);
    expect(perTile.rows.map((r) => r[7])).toEqual(result.tiles.map((t) => t.classId));
  });
});

describe('hit exports', () => {
  it('writes hits as CSV, GeoJSON and FlatGeobuf with the query, model and scene fingerprint', async () => {
    const engine = createEngine({ modelSearchPaths: [join(generatedDir, 'models')], indexDir: false });
    try {
      const r = await engine.search({ scene: mosaic, query: 'verde', model: 'test-clip', tile: '256px', top: 5 });
      const subject = { kind: 'hits' as const, scene, result: r, provenance: { fingerprint: 'sha256:abc', language: 'pt', suppressIoU: 0.2 } };
      const csv = parseCsv(exportAs('csv', subject) as string);
      expect(csv.header).toEqual(['rank', 'score', 'tile', 'row', 'col', 'x', 'y', 'width', 'height', 'lon', 'lat']);
      expect(csv.rows.map((x) => Number(x[2]))).toEqual(r.hits.map((h) => h.tileIndex));
      expect(csv.provenance).toMatchObject({ query: 'verde', language: 'pt', scene_fingerprint: 'sha256:abc', model: 'test-clip', suppressIoU: '0.2' });
      // The centre lon/lat is where GDAL puts the tile centre.
      const h = r.hits[0];
      const [lon, lat] = execFileSync('gdaltransform', ['-t_srs', 'EPSG:4326', mosaic], { input: `${h.window.x + 128} ${h.window.y + 128}\n`, encoding: 'utf8' }).trim().split(/\s+/).map(Number);
      expect(Number(csv.rows[0][9])).toBeCloseTo(lon, 7);
      expect(Number(csv.rows[0][10])).toBeCloseTo(lat, 7);
      const gj = JSON.parse(exportAs('geojson', subject) as string);
      expect(gj.geosift.provenance).toMatchObject({ kind: 'search-hits', query: { text: 'verde', language: 'pt' }, scene: { fingerprint: 'sha256:abc' } });
      const f = join(out, 'hits.fgb');
      writeFileSync(f, exportAs('fgb', subject));
      expect(execFileSync('ogrinfo', ['-ro', '-al', '-so', f], { encoding: 'utf8' })).toMatch(/Feature Count: 5/);
      expect(() => exportAs('cog', subject)).toThrow(/cannot hold hits/);
      expect(() => exportAs('shp', subject)).toThrow(/Unknown export format "shp": use one of geojson, fgb, csv, cog/);
    } finally {
      await engine.dispose();
    }
  });
});
