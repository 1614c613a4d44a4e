// Every file of the hostile corpus opens and reads correctly or fails with its stable EngineError code: no crash, no hang, bounded memory.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../main/engine/index.js';
import { openScene } from '../../main/engine/raster/index.js';
import { isEngineError } from '../../shared/protocol/errors.js';
import { testEngineOptions } from '../helpers/cli.js';
import { testModelDir } from '../helpers/paths.js';
import { hostileCorpus, outcomeOf, probeRaster, type CorpusEntry } from './corpus.js';

const { dir, files } = hostileCorpus();
const byName = new Map(files.map((f) => [f.file, f]));

describe('hostile raster corpus', () => {
  it('has the cases issue 8 asks for', () => {
    for (const name of [
      'truncated-mid-ifd.tif',
      'ifd-circular.tif',
      'ifd-back-to-earlier.tif',
      'ifd-next-past-end.tif',
      'dims-2e53-strips.tif',
      'dims-2e32-tiled.tif',
      'tile-width-0.tif',
      'tile-2e31.tif',
      'strip-offsets-short.tif',
      'compression-6-ojpeg.tif',
      'compression-34887-lerc-fake.tif',
      'compression-50001-webp.tif',
      'compression-unknown-4242.tif',
      'bigtiff-self-loop.tif',
      'ycbcr-jpeg.tif',
      'nodata-nan.tif',
      'nodata-text.tif',
      'no-geotransform.tif',
      'crs-epsg-65000.tif',
      'crs-user-nonsense.tif',
    ]) {
      expect(byName.has(name), name).toBe(true);
    }
    expect(files.length).toBeGreaterThan(60);
  });

  it('every file gives its expected outcome, never a crash, within a fixed memory budget', async () => {
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const wrong: string[] = [];
    for (const f of files) {
      const p = await probeRaster(join(dir, f.file));
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      const line = `${f.file} (${f.what}): open ${p.open}, read ${p.read}`;
      if (p.open.startsWith('CRASH') || p.read.startsWith('CRASH')) wrong.push(`crash: ${line}`);
      else if (f.expect !== 'any' && p.open !== f.expect) wrong.push(`expected ${f.expect}: ${line}`);
      else if (p.open === 'ok' && f.read && f.read !== 'any' && p.read !== f.read) wrong.push(`expected read ${f.read}: ${line}`);
      else if (f.warning && !p.warnings.some((w) => new RegExp(f.warning!, 'i').test(w))) wrong.push(`expected a warning /${f.warning}/: ${line} [${p.warnings.join('; ')}]`);
    }
    expect(wrong).toEqual([]);
    // Declared sizes are checked before allocating: 2^32-pixel and 2^40-entry declarations cost nothing.
    expect(rssPeak - rssBefore).toBeLessThan(768 * 1024 * 1024);
  });

  it('errors name the file and the field at fault', async () => {
    const cases: [string, RegExp][] = [
      ['ifd-circular.tif', /IFD chain loops back to byte offset \d+/],
      ['tile-offsets-count-2e30.tif', /tag 324 declaring 1073741823 values .* past the end of the file/],
      ['dims-2e53-strips.tif', /4294967295x3-pixel blocks of \d+ MB each, over the [\d.]+ MB limit/],
      ['compression-50001-webp-one-band.tif', /WebP blocks of 1 band of 8 bits; WebP is decoded for 8-bit RGB or RGBA/],
      ['compression-6-ojpeg.tif', /OJPEG \(TIFF code 6\)/],
      ['bigtiff-entry-count-2e40.tif', /declares 1099511627776 tag entries/],
    ];
    for (const [name, re] of cases) {
      const err = await openScene(join(dir, name)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isEngineError(err), name).toBe(true);
      expect((err as Error).message).toContain(name);
      expect((err as Error).message).toMatch(re);
    }
  });

  it('a read whose signal has fired is refused with E_CANCELED before any block is fetched', async () => {
    const scene = await openScene(join(dir, 'bigtiff-tiled-deflate.tif'));
    try {
      const ac = new AbortController();
      ac.abort();
      const err = await scene.readWindow({ x: 0, y: 0, width: scene.info.width, height: scene.info.height }, { bands: [0, 1, 2], signal: ac.signal }).catch((e) => e);
      expect(outcomeOf(err)).toBe('E_CANCELED');
    } finally {
      await scene.close();
    }
  });
});

describe('hostile rasters through the engine', () => {
  let engine: Engine;
  beforeAll(() => {
    engine = createEngine(testEngineOptions(false as never));
  });
  afterAll(() => engine.dispose());

  const readable = (f: CorpusEntry) => f.expect === 'ok' && f.read === 'ok';

  it('searches every readable file with the test model; GeoJSON export refuses files without WGS84 coordinates', async () => {
    const searched: string[] = [];
    for (const f of files.filter(readable)) {
      const scene = join(dir, f.file);
      const r = await engine.search({ scene, query: 'green', model: testModelDir, tile: '128px', top: 3 });
      expect(r.hits.length, f.file).toBeGreaterThan(0);
      searched.push(f.file);
      const exported = await engine.hitsToGeoJSON(r).then(
        (fc) => ({ ok: true as const, fc }),
        (e: unknown) => ({ ok: false as const, code: outcomeOf(e) }),
      );
      if (f.georeferenced === false) expect(exported, f.file).toEqual({ ok: false, code: 'E_NOT_GEOREFERENCED' });
      else if (f.georeferenced === 'no-wgs84') expect(exported.ok ? 'ok' : exported.code, f.file).toMatch(/E_UNSUPPORTED_CRS|E_NOT_GEOREFERENCED/);
      else expect(exported.ok, f.file).toBe(true);
    }
    expect(searched).toEqual(expect.arrayContaining(['no-geotransform.tif', 'ycbcr-jpeg.tif', 'bigtiff-strips.tif', 'nodata-nan.tif', 'lerc.tif']));
  });

  it('a scene without georeferencing opens in pixel coordinates and says so', async () => {
    const info = await engine.info(join(dir, 'no-geotransform.tif'));
    expect(info.geoTransform).toBeNull();
    expect(info.footprintWgs84).toBeNull();
    expect(info.warnings.join('\n')).toMatch(/no georeferencing: the scene opens in pixel coordinates only/);
  });
});
