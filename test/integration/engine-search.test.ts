// End-to-end engine search on a GeoTIFF mosaic of real UC Merced test images with the generated test model.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../main/engine/index.js';
import { dataDir, generatedDir, testModelDir } from '../helpers/paths.js';
import { gdalCellMeans, gdalPixelToWgs84 } from '../helpers/gdal.js';
import { cosine, imageFeature, WORD_VECTORS } from '../helpers/test-model-rule.js';

const mosaicDir = join(generatedDir, 'mosaic');
const mosaic = join(mosaicDir, 'ucm-mosaic.tif');
const layout = () => JSON.parse(readFileSync(join(mosaicDir, 'ucm-mosaic.json'), 'utf8')) as { grid: number; cell: number; cells: { index: number; label: string; file: string }[] };

/** Resampling to the model's 64 px input moves a tile's mean colour a little; scores may differ by this much from the rule on cell means. */
const TOL = 0.005;

let engine: Engine;
let expected: Record<string, number[]>;

beforeAll(() => {
  engine = createEngine({ modelSearchPaths: [join(generatedDir, 'models')], indexDir: mkdtempSync(join(tmpdir(), 'geosift-index-')) });
  const means = gdalCellMeans(mosaic, layout().grid).map(([r, g, b]) => imageFeature(r / 255, g / 255, b / 255));
  expected = Object.fromEntries(Object.entries(WORD_VECTORS).map(([w, v]) => [w, means.map((f) => cosine(f, v))]));
});

afterAll(async () => {
  await engine.dispose();
});

function expectRankingFollowsRule(hits: { tileIndex: number; score: number }[], exp: number[]): void {
  for (const h of hits) expect(Math.abs(h.score - exp[h.tileIndex])).toBeLessThan(TOL);
  for (let i = 0; i + 1 < hits.length; i++) expect(exp[hits[i].tileIndex]).toBeGreaterThan(exp[hits[i + 1].tileIndex] - 2 * TOL);
  // Wherever the rule separates the top k from the rest by a clear margin, the engine returns exactly those cells.
  const order = exp.map((s, i) => [s, i]).sort((a, b) => b[0] - a[0]);
  for (let k = 1; k <= hits.length; k++) {
    if (k < order.length && order[k - 1][0] - order[k][0] > 2 * TOL) {
      expect(new Set(hits.slice(0, k).map((h) => h.tileIndex))).toEqual(new Set(order.slice(0, k).map((o) => o[1])));
    }
  }
}

describe('search on a UC Merced mosaic (test model)', () => {
  it('ranks the cells the documented rule ranks first, for each colour word', async () => {
    for (const word of ['green', 'blue', 'red', 'bright', 'dark']) {
      const r = await engine.search({ scene: mosaic, query: word, model: 'test-clip', tile: '256px', top: 8, suppressIoU: 1 });
      expect(r.tiling).toMatchObject({ tileSizePx: 256, tilesTotal: 36, tilesEmbedded: 36, tilesSkipped: 0 });
      expect(r.hits).toHaveLength(8);
      expect(r.hits.map((h) => h.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expectRankingFollowsRule(r.hits, expected[word]);
    }
  });

  it('answers the same in every language the model knows', async () => {
    const base = await engine.search({ scene: mosaic, query: 'green', model: 'test-clip', tile: '256px', top: 5 });
    for (const q of ['verde', 'vert', 'grün', 'groen', '绿色', '녹색', 'зелёный']) {
      const r = await engine.search({ scene: mosaic, query: q, model: 'test-clip', tile: '256px', top: 5 });
      expect(r.hits.map((h) => h.tileIndex), q).toEqual(base.hits.map((h) => h.tileIndex));
      r.hits.forEach((h, i) => expect(h.score).toBeCloseTo(base.hits[i].score, 5));
    }
  });

  it('finds the cell an example image came from, and excludes the example tile itself', async () => {
    const cells = layout().cells;
    const target = cells.find((c) => c.label === 'harbor')!;
    const byImage = await engine.similar({ scene: mosaic, image: join(dataDir, 'ucmerced', 'images', target.file), model: 'test-clip', tile: '256px', top: 3 });
    expect(byImage.hits[0].tileIndex).toBe(target.index);
    expect(byImage.hits[0].score).toBeGreaterThan(0.99);
    const byTile = await engine.similar({ scene: mosaic, tileIndex: target.index, model: 'test-clip', tile: '256px', top: 35, suppressIoU: 1 });
    expect(byTile.hits.map((h) => h.tileIndex)).not.toContain(target.index);
    expect(byTile.hits).toHaveLength(35);
  });

  it('places hit outlines where GDAL puts the same pixels', async () => {
    const r = await engine.search({ scene: mosaic, query: 'blue', model: 'test-clip', tile: '256px', top: 3 });
    for (const h of r.hits) {
      const ring = h.polygon!.coordinates[0];
      const { x, y, width, height } = h.window;
      const corners = gdalPixelToWgs84(mosaic, [[x, y], [x + width, y], [x + width, y + height], [x, y + height]]);
      for (const c of corners) {
        const near = Math.min(...ring.map((p) => Math.hypot((p[0] - c[0]) * Math.cos((c[1] * Math.PI) / 180), p[1] - c[1])));
        expect(near * 111_320).toBeLessThan(0.01); // metres: 1/30 of a 0.3 m pixel
      }
    }
  });

  it('suppresses overlapping hits when tiles overlap', async () => {
    const all = await engine.search({ scene: mosaic, query: 'green', model: 'test-clip', tile: '256px', overlap: '50%', top: 20, suppressIoU: 1 });
    const nms = await engine.search({ scene: mosaic, query: 'green', model: 'test-clip', tile: '256px', overlap: '50%', top: 20, suppressIoU: 0.1 });
    expect(all.tiling.tilesTotal).toBe(121);
    expect(nms.hits[0].tileIndex).toBe(all.hits[0].tileIndex);
    for (let i = 0; i < nms.hits.length; i++) {
      for (let j = i + 1; j < nms.hits.length; j++) {
        const a = nms.hits[i].window, b = nms.hits[j].window;
        const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
        const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
        expect((ix * iy) / (2 * a.width * a.height - ix * iy)).toBeLessThanOrEqual(0.1);
      }
    }
  });

  it('reads tiles given in metres from an overview', async () => {
    const r = await engine.search({ scene: mosaic, query: 'green', model: 'test-clip', tile: '153.6m', top: 3 });
    // 153.6 m at 0.3 m = 512 px; the 2x overview still gives 256 >= 64 px, so would the 4x (128 px) and 8x (64 px).
    expect(r.tiling.tileSizePx).toBe(512);
    expect(r.tiling.level).toBe(3);
    expect(r.tiling.tilesTotal).toBe(9);
  });
});

describe('engine errors', () => {
  it('names a missing model and an empty query', async () => {
    await expect(engine.search({ scene: mosaic, query: 'x', model: 'no-such-model' })).rejects.toMatchObject({ code: 'E_MODEL_NOT_FOUND' });
    await expect(engine.search({ scene: mosaic, query: '  ', model: 'test-clip' })).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT' });
    await expect(engine.search({ scene: mosaic, query: 'x', model: 'test-clip', top: 0 })).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT' });
    await expect(engine.search({ scene: mosaic, query: 'x', model: 'test-clip', bands: '9,8,7' })).rejects.toMatchObject({ code: 'E_BAD_BANDS' });
  });
  it('indexes with dozens of windows in flight on one live signal without a listener-leak warning; a cancel mid-run stops it', async () => {
    const fresh = createEngine({ modelSearchPaths: [join(generatedDir, 'models')], indexDir: false });
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      // 64 px tiles over the 6x6-cell mosaic: hundreds of tiles, the read-ahead keeping two batches of windows in flight.
      const live = new AbortController();
      const r = await fresh.search({ scene: mosaic, query: 'green', model: 'test-clip', tile: '64px', top: 3 }, { signal: live.signal });
      expect(r.hits.length).toBe(3);
      const c = new AbortController();
      let batches = 0;
      const run = fresh.search({ scene: mosaic, query: 'red', model: 'test-clip', tile: '48px', top: 3 }, {
        signal: c.signal,
        onProgress: (p) => {
          if (p.stage === 'embed' && ++batches === 3) c.abort();
        },
      });
      await expect(run).rejects.toMatchObject({ code: 'E_CANCELED' });
      await new Promise((resolve) => setTimeout(resolve, 50)); // warnings are emitted on a later tick
      expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await fresh.dispose();
    }
  });

  it('stops on an aborted signal with the canceled code', async () => {
    const c = new AbortController();
    c.abort();
    await expect(engine.search({ scene: mosaic, query: 'green', model: 'test-clip', tile: '100px' }, { signal: c.signal })).rejects.toMatchObject({ code: 'E_CANCELED' });
  });
});
