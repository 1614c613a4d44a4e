// `geosift label` end to end: classes or schemes, every output format, checked with GDAL/OGR and against the test model's rule.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { gdalCellMeans } from '../helpers/gdal.js';
import { generatedDir } from '../helpers/paths.js';
import { cosine, imageFeature, WORD_VECTORS } from '../helpers/test-model-rule.js';

const mosaic = join(generatedDir, 'mosaic', 'ucm-mosaic.tif');
const CLASSES = ['green', 'blue', 'red', 'dark', 'bright'];

describe('geosift label', () => {
  it('labels every tile as the rule predicts and writes GeoJSON, FlatGeobuf, CSV and a styled COG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'geosift-label-'));
    const outs = ['labels.geojson', 'labels.fgb', 'summary.csv', 'classes.tif'].map((f) => join(dir, f));
    const r = await cli(['label', mosaic, '--model', 'test-clip', '--classes', CLASSES.join(','), '--tile', '256px', '--json', ...outs.flatMap((o) => ['-o', o])]);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.tiles).toHaveLength(36);
    const means = gdalCellMeans(mosaic, 6);
    for (const t of res.tiles) {
      const f = imageFeature(means[t.tileIndex][0] / 255, means[t.tileIndex][1] / 255, means[t.tileIndex][2] / 255);
      const scores = CLASSES.map((c) => cosine(f, WORD_VECTORS[c]));
      expect(t.classId).toBe(CLASSES[scores.indexOf(Math.max(...scores))]);
      expect(t.probability).toBeGreaterThan(t.runnerUpProbability);
    }
    // Areas: 36 cells of 76.8 m on UTM 11N (scale factor ~0.9996 near the central meridian -> slightly larger on the ground).
    const total = res.areas.reduce((s: number, a: any) => s + a.areaHa, 0);
    expect(total).toBeGreaterThan((460.8 * 460.8) / 10_000);
    expect(total).toBeLessThan((460.8 * 460.8) / 10_000 / 0.999 ** 2);
    expect(readdirSync(dir).sort()).toEqual(['classes.tif', 'labels.fgb', 'labels.geojson', 'summary.csv']);
    const fc = JSON.parse(readFileSync(outs[0], 'utf8'));
    expect(fc.features).toHaveLength(36);
    const info = JSON.parse(execFileSync('gdalinfo', ['-json', outs[3]], { encoding: 'utf8' }));
    expect(info.size).toEqual([6, 6]);
    expect(info.bands[0].colorTable.count).toBe(256);
    expect(info.coordinateSystem.wkt).toContain('UTM zone 11N');
    const ogr = execFileSync('ogrinfo', ['-so', '-al', outs[1]], { encoding: 'utf8' });
    expect(ogr).toMatch(/Feature Count: 36/);
    expect(readFileSync(outs[2], 'utf8')).toMatch(/^# model: test-clip$/m);
  });

  it('accepts class names in another language and a built-in scheme', async () => {
    const pt = await cli(['label', mosaic, '--model', 'test-clip', '--classes', 'verde,azul,vermelho', '--lang', 'pt', '--tile', '256px', '--json']);
    expect(pt.code, pt.stderr).toBe(0);
    const scheme = await cli(['label', mosaic, '--model', 'test-clip', '--scheme', 'eurosat', '--tile', '256px', '--json']);
    expect(scheme.code, scheme.stderr).toBe(0);
    const res = JSON.parse(scheme.stdout);
    expect(res.scheme.classes).toHaveLength(10);
    // The test model knows only colour words: every EuroSAT class is equally likely, so every tile is unknown.
    expect(res.tiles.every((t: any) => t.classId === 'unknown')).toBe(true);
  });

  it('refuses no classes, both, an unknown scheme, and an output it cannot write', async () => {
    expect((await cli(['label', mosaic, '--model', 'test-clip'])).stderr).toMatch(/E_BAD_ARGUMENT: Give either classes/);
    expect((await cli(['label', mosaic, '--model', 'test-clip', '--classes', 'a,b', '--scheme', 'eurosat'])).code).toBe(1);
    expect((await cli(['label', mosaic, '--model', 'test-clip', '--scheme', 'no-such-scheme'])).stderr).toMatch(/E_BAD_ARGUMENT/);
    const bad = await cli(['label', mosaic, '--model', 'test-clip', '--classes', 'a,b', '-o', join(tmpdir(), 'x.docx')]);
    expect(bad.stderr).toMatch(/Cannot tell the format of .*x\.docx/);
  });
});
