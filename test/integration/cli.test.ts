// The geosift command line end to end: output files, exit codes, messages, progress and Ctrl-C.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ringSignedArea } from '../../shared/geo/geojson.js';
import { cli, spawnCli } from '../helpers/cli.js';
import { generatedDir, scenePath, testModelDir } from '../helpers/paths.js';

const mosaic = join(generatedDir, 'mosaic', 'ucm-mosaic.tif');
const rasters = join(generatedDir, 'rasters');
const models = join(generatedDir, 'models');
const M = ['--model', 'test-clip'];

function workdir(): string {
  return mkdtempSync(join(tmpdir(), 'geosift-cli-'));
}

describe('geosift --help and info', () => {
  it('prints usage listing the commands', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['info', 'search', 'similar', 'models']) expect(r.stdout).toContain(c);
  });
  it('lists installed models with the default first', async () => {
    const r = await cli(['models', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { models } = JSON.parse(r.stdout);
    expect(models.map((m: { id: string }) => m.id)).toContain('test-clip');
    expect(models.find((m: { id: string }) => m.id === 'test-clip').dir).toBe(testModelDir);
  });

  it('describes a real scene as text and JSON', async () => {
    const t = await cli(['info', scenePath('rasterio_tests_data/RGB.byte.tif')]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/791 x 718 px, 3 band\(s\), uint8/);
    expect(t.stdout).toContain('EPSG:32618');
    const j = await cli(['info', '--json', scenePath('rasterio_tests_data/RGB.byte.tif')]);
    const info = JSON.parse(j.stdout);
    expect(info).toMatchObject({ width: 791, height: 718, bandCount: 3, dataType: 'uint8', nodata: 0 });
    expect(info.crs.epsg).toBe(32618);
  });
});

describe('geosift search', () => {
  it('writes RFC 7946 GeoJSON hits with provenance', async () => {
    const dir = workdir();
    const out = join(dir, 'hits.geojson');
    const r = await cli(['search', mosaic, 'green', ...M, '--tile', '256px', '--top', '5', '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/5 hit\(s\) for "green"/);
    const fc = JSON.parse(readFileSync(out, 'utf8'));
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features).toHaveLength(5);
    expect(fc.geosift).toMatchObject({ kind: 'search-hits', query: { text: 'green' }, model: { id: 'test-clip' } });
    expect(fc.geosift.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    fc.features.forEach((f: any, i: number) => {
      expect(f.properties).toMatchObject({ rank: i + 1, query: 'green', model: 'test-clip', scene: mosaic });
      expect(f.properties.window).toHaveLength(4);
      const ring = f.geometry.coordinates[0];
      expect(ring[0]).toEqual(ring[ring.length - 1]);
      expect(ring.length).toBe(33); // 8 points per edge + closing point
      expect(ringSignedArea(ring)).toBeGreaterThan(0); // counter-clockwise exterior
      for (const [lon, lat] of ring) {
        expect(lon).toBeGreaterThan(-117.1);
        expect(lon).toBeLessThan(-116.9);
        expect(lat).toBeGreaterThan(37);
        expect(lat).toBeLessThan(37.1);
      }
      if (i > 0) expect(f.properties.score).toBeLessThanOrEqual(fc.features[i - 1].properties.score);
    });
    expect(readdirSync(dir)).toEqual(['hits.geojson']);
  });

  it('writes native-CRS GeoJSON on request', async () => {
    const out = join(workdir(), 'native.geojson');
    const r = await cli(['search', mosaic, 'blue', ...M, '--tile', '256px', '--top', '2', '--crs', 'native', '-o', out]);
    expect(r.code).toBe(0);
    const fc = JSON.parse(readFileSync(out, 'utf8'));
    expect(fc.crs.properties.name).toBe('EPSG:32611');
    const [x, y] = fc.features[0].geometry.coordinates[0][0];
    expect(x).toBeGreaterThanOrEqual(500000);
    expect(y).toBeLessThanOrEqual(4100000);
  });

  it('prints JSON results and shows a progress bar with ETA on a terminal only', async () => {
    const j = await cli(['search', mosaic, 'red', ...M, '--tile', '128px', '--json']);
    expect(JSON.parse(j.stdout).hits).toHaveLength(10);
    expect(j.stderr).toBe('');
    // A fresh index so that the tiles are embedded again and progress shows.
    const tty = await cli(['search', mosaic, 'red', ...M, '--tile', '128px'], { tty: true, indexDir: workdir() });
    expect(tty.stderr).toMatch(/embed .*\d+\/144 tiles .*ETA/);
    const quiet = await cli(['search', mosaic, 'red', ...M, '--tile', '128px', '--quiet'], { tty: true, indexDir: workdir() });
    expect(quiet.stderr).toBe('');
  });

  it('searches a real Landsat scene with a nodata collar, skipping empty tiles', async () => {
    const r = await cli(['search', scenePath('rasterio_tests_data/RGB.byte.tif'), 'blue', ...M, '--tile', '64px', '--json']);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.tiling.tilesSkipped).toBeGreaterThan(0);
    expect(res.tiling.tilesEmbedded + res.tiling.tilesSkipped).toBe(res.tiling.tilesTotal);
  });

  it('queries by example tile', async () => {
    const r = await cli(['similar', mosaic, '--tile-index', '10', ...M, '--tile', '256px', '--json', '--top', '3']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).hits.map((h: any) => h.tileIndex)).not.toContain(10);
  });
});

describe('bad input: clear message, stable code, exit 1, no stack trace, no partial output', () => {
  const bad: [string, string[], string][] = [
    ['not a TIFF', ['search', join(rasters, 'not-a-tiff.tif'), 'x', ...M], 'E_NOT_TIFF'],
    ['truncated file', ['search', join(rasters, 'truncated.tif'), 'x', ...M], 'E_CORRUPT_TIFF'],
    ['zero-size image', ['search', join(rasters, 'zero-size.tif'), 'x', ...M], 'E_EMPTY_IMAGE'],
    ['unsupported compression', ['search', join(rasters, 'unsupported-compression.tif'), 'x', ...M], 'E_UNSUPPORTED_TIFF'],
    ['missing file', ['search', join(rasters, 'nope.tif'), 'x', ...M], 'E_FILE_NOT_FOUND'],
    ['missing model', ['search', mosaic, 'x', '--model', 'no-such-model'], 'E_MODEL_NOT_FOUND'],
    ['model with a missing file', ['search', mosaic, 'x', '--model', join(models, 'broken-missing-file')], 'E_MODEL_NOT_FOUND'],
    ['corrupt model file', ['search', mosaic, 'x', '--model', join(models, 'broken-corrupt-onnx')], 'E_MODEL_'],
    ['model tensors of the wrong shape', ['search', mosaic, 'x', '--model', join(models, 'broken-wrong-dim')], 'E_MODEL_MISMATCH'],
    ['invalid manifest', ['search', mosaic, 'x', '--model', join(models, 'broken-manifest')], 'E_MODEL_INVALID'],
    ['unknown band', ['search', mosaic, 'x', ...M, '--bands', '4,3,2'], 'E_BAD_BANDS'],
    ['unknown band preset', ['search', mosaic, 'x', ...M, '--bands', 'hyperspectral'], 'E_BAD_BANDS'],
    ['absurd tile size', ['search', mosaic, 'x', ...M, '--tile', '10000000px'], 'E_BAD_ARGUMENT'],
    ['zero tile size', ['search', mosaic, 'x', ...M, '--tile', '0px'], 'E_BAD_ARGUMENT'],
    ['tile size in parsecs', ['search', mosaic, 'x', ...M, '--tile', '3pc'], 'E_BAD_ARGUMENT'],
    ['overlap as big as the tile', ['search', mosaic, 'x', ...M, '--overlap', '100%'], 'E_BAD_ARGUMENT'],
    ['negative top', ['search', mosaic, 'x', ...M, '--top', '-3'], 'E_BAD_ARGUMENT'],
  ];
  for (const [what, args, code] of bad) {
    it(what, async () => {
      const dir = workdir();
      const out = join(dir, 'hits.geojson');
      const r = await cli([...args, '-o', out]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(code);
      expect(r.stderr).toMatch(/^geosift: E_[A-Z_]+: .{10,}/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  it('an output folder that does not exist', async () => {
    const r = await cli(['search', mosaic, 'green', ...M, '--tile', '256px', '-o', join(workdir(), 'missing', 'hits.geojson')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E_OUTPUT: Cannot write .*folder does not exist/);
  });

  it('an unknown option is a usage error (exit 2)', async () => {
    const r = await cli(['search', mosaic, 'green', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--frobnicate'");
  });

  it('the scene is left byte-identical', async () => {
    const before = readFileSync(mosaic);
    await cli(['search', mosaic, 'green', ...M, '--tile', '256px']);
    expect(readFileSync(mosaic).equals(before)).toBe(true);
    expect(readdirSync(join(generatedDir, 'mosaic')).sort()).toEqual(['.stamp', 'eurosat-mosaic.json', 'eurosat-mosaic.tif', 'ucm-mosaic.json', 'ucm-mosaic.tif']);
  });
});

describe('the installed command (child process)', () => {
  it('runs --version', async () => {
    const p = spawnCli(['--version']);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    const code = await new Promise((r) => p.on('close', r));
    expect(code).toBe(0);
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('stops cleanly on Ctrl-C (SIGINT): exit 130, no output file', async () => {
    const dir = workdir();
    const home = workdir();
    const out = join(dir, 'hits.geojson');
    // 16 px tiles with 50 % overlap: ~36k tiles, far longer than the test waits.
    const p = spawnCli(['search', mosaic, 'green', '--model', testModelDir, '--tile', '16px', '--overlap', '50%', '-o', out], { GEOSIFT_HOME: home });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    // Interrupt once tiles are being embedded: the index entry's lock file exists from then on.
    const entries = join(home, 'index', 'entries');
    for (let i = 0; i < 600 && !(existsSync(entries) && readdirSync(entries).some((e) => existsSync(join(entries, e, 'lock')))); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    p.kill('SIGINT');
    const code = await new Promise((r) => p.on('close', r));
    expect(code).toBe(130);
    expect(err).toContain('canceled');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

});
