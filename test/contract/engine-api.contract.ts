// The one EngineApi suite every transport must pass: in process, over the host's MessagePort protocol, over serve's WebSocket.
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineApi } from '../../shared/protocol/engine-api.js';
import { EngineError } from '../../shared/protocol/errors.js';
import type { ProgressEvent } from '../../shared/protocol/progress.js';
import { generatedDir } from '../helpers/paths.js';

export const mosaic = realpathSync(join(generatedDir, 'mosaic', 'ucm-mosaic.tif'));
export const notTiff = realpathSync(join(generatedDir, 'rasters', 'not-a-tiff.tif'));
export const engineOptions = () => ({ modelSearchPaths: [join(generatedDir, 'models')], indexDir: mkdtempSync(join(tmpdir(), 'geosift-contract-')) });

export interface Transport {
  engine: EngineApi;
  close(): Promise<void>;
}

/** Runs the contract against the engine `open` returns; `open` may grant exactly the mosaic and not-a-tiff.tif. */
export function engineContract(name: string, open: () => Promise<Transport>): void {
  describe(`EngineApi contract: ${name}`, () => {
    let t: Transport;
    beforeAll(async () => {
      t = await open();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('listModels offers the installed packages with their languages, the damaged ones left out', async () => {
      const models = await t.engine.listModels();
      const clip = models.find((m) => m.id === 'test-clip');
      expect(clip).toMatchObject({ languages: expect.arrayContaining(['en', 'pt', 'zh']), embeddingDim: 16, imageSize: 64 });
      // broken-manifest has an invalid field: it is not offered (loading it by name says what is wrong).
      expect(models.some((m) => m.name.includes('broken') && m.id === 'broken-manifest')).toBe(false);
      // Across a process boundary a peer learns ids, never this machine's folders.
      if (name !== 'in process') expect(models.every((m) => m.dir === undefined)).toBe(true);
    });

    it('info describes the mosaic', async () => {
      const info = await t.engine.info(mosaic);
      expect(info).toMatchObject({ source: mosaic, width: 1536, height: 1536, bandCount: 3 });
      expect(info.crs?.epsg).toBe(32611);
    });

    it('previewTile returns a decodable RGBA PNG of the requested size', async () => {
      const tile = await t.engine.previewTile({ scene: mosaic, level: 0, x: 1, y: 2, tileSize: 128 });
      const png = PNG.sync.read(Buffer.from(tile.pngBase64, 'base64'));
      expect([tile.width, tile.height, png.width, png.height]).toEqual([128, 128, 128, 128]);
      let opaque = 0;
      for (let i = 3; i < png.data.length; i += 4) if (png.data[i] === 255) opaque++;
      expect(opaque).toBe(128 * 128);
    });

    let result: Awaited<ReturnType<EngineApi['search']>>;
    it('search streams progress events, then returns ranked hits', async () => {
      const events: ProgressEvent[] = [];
      result = await t.engine.search({ scene: mosaic, query: 'green', model: 'test-clip', tile: '256px', top: 5 }, { onProgress: (e) => events.push(e) });
      expect(events.some((e) => e.stage === 'embed' && e.total === 36)).toBe(true);
      const embed = events.filter((e) => e.stage === 'embed').map((e) => e.done);
      expect(embed).toEqual([...embed].sort((a, b) => a - b));
      expect(result.scene.source).toBe(mosaic);
      expect(result.tiling).toMatchObject({ tileSizePx: 256, tilesTotal: 36, tilesEmbedded: 36 });
      expect(result.hits.map((h) => h.rank)).toEqual([1, 2, 3, 4, 5]);
      for (let i = 1; i < result.hits.length; i++) expect(result.hits[i - 1].score).toBeGreaterThanOrEqual(result.hits[i].score);
    });

    it('hitsToGeoJSON turns the hits into RFC 7946 features', async () => {
      const fc = await t.engine.hitsToGeoJSON(result);
      expect(fc.type).toBe('FeatureCollection');
      expect(fc.features).toHaveLength(5);
      expect(fc.features.map((f) => f.geometry?.type)).toEqual(Array(5).fill('Polygon'));
    });

    it('cancel mid-index rejects with E_CANCELED, and the engine serves the next call', async () => {
      const c = new AbortController();
      let seen = 0;
      const run = t.engine.index({ scene: mosaic, model: 'test-clip', tile: '32px' }, {
        signal: c.signal,
        onProgress: (e) => {
          if (e.stage === 'embed' && ++seen === 1) c.abort();
        },
      });
      const err = await run.then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect(err).toMatchObject({ code: 'E_CANCELED' });
      expect(seen).toBeGreaterThan(0);
      const again = await t.engine.index({ scene: mosaic, model: 'test-clip', tile: '256px' });
      expect(again).toMatchObject({ source: mosaic, tilesTotal: 36, tilesEmbedded: 36 });
      const entries = await t.engine.catalog();
      expect(entries.some((e) => e.source === mosaic && e.complete && e.tilesTotal === 36)).toBe(true);
    });

    it('errors arrive rebuilt as EngineError with the engine code', async () => {
      const err = await t.engine.info(notTiff).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect(err).toMatchObject({ code: 'E_NOT_TIFF' });
      expect((err as Error).message).toContain('not-a-tiff.tif');
      await expect(t.engine.search({ scene: mosaic, query: '   ', model: 'test-clip', tile: '256px' })).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT' });
    });
  });
}
