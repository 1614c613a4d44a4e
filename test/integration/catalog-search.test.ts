// Catalog search across indexed scenes: the in-memory matrix, the disk-streaming path and the approximate (IVF) path
// agree, filters force exact scoring, and a changed catalog is read again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../main/engine/engine.js';
import type { CatalogSearchResult } from '../../shared/protocol/engine-api.js';
import { generatedDir, scenePath } from '../helpers/paths.js';

const ucm = join(generatedDir, 'mosaic', 'ucm-mosaic.tif');
const eurosat = join(generatedDir, 'mosaic', 'eurosat-mosaic.tif');
const rgb = scenePath('rasterio_tests_data/RGB.byte.tif');
const models = [join(generatedDir, 'models')];
const indexDir = mkdtempSync(join(tmpdir(), 'geosift-catalog-'));
const open: Engine[] = [];

function engine(o: Parameters<typeof createEngine>[0] = {}): Engine {
  const e = createEngine({ modelSearchPaths: models, defaultModel: 'test-clip', indexDir, ...o });
  open.push(e);
  return e;
}

const hitKeys = (r: CatalogSearchResult) => r.hits.map((h) => `${h.source}#${h.tileIndex}`);

beforeAll(async () => {
  const e = engine();
  for (const scene of [ucm, eurosat]) await e.index({ scene, tile: '128px' });
}, 120_000);

afterAll(async () => {
  await Promise.all(open.map((e) => e.dispose()));
  rmSync(indexDir, { recursive: true, force: true });
});

describe('catalog search', () => {
  it('the in-memory matrix and the scene-by-scene disk path give the same hits and counts', async () => {
    for (const query of ['blue', 'green', 'red']) {
      const mem = await engine().searchCatalog({ query, top: 12 });
      const disk = await engine({ catalogMemoryBytes: 0 }).searchCatalog({ query, top: 12 });
      expect(mem.method).toEqual({ kind: 'exact' });
      expect(mem.scenesSearched).toBe(2);
      expect(mem.tilesSearched).toBe(disk.tilesSearched);
      expect(hitKeys(mem)).toEqual(hitKeys(disk));
      mem.hits.forEach((h, i) => expect(h.score).toBeCloseTo(disk.hits[i].score, 5));
      expect(new Set(mem.hits.map((h) => h.source)).size).toBeGreaterThanOrEqual(1);
    }
  });

  it('large catalogs go approximate; with every cell opened the hits are the exact ones', async () => {
    const exact = await engine().searchCatalog({ query: 'green', top: 10 });
    const approx = await engine({ approximateFrom: 1, nprobe: 1024 }).searchCatalog({ query: 'green', top: 10 });
    expect(approx.method).toMatchObject({ kind: 'approximate', nprobe: 1024 });
    if (approx.method?.kind !== 'approximate') throw new Error('not approximate');
    expect(approx.method.scanned).toBe(exact.tilesSearched);
    expect(hitKeys(approx)).toEqual(hitKeys(exact));
    // One cell of several: fewer tiles scored, hits still real tiles of the catalog with their exact scores.
    const narrow = await engine({ approximateFrom: 1, nprobe: 1 }).searchCatalog({ query: 'green', top: 5 });
    if (narrow.method?.kind !== 'approximate') throw new Error('not approximate');
    expect(narrow.method.cells).toBeGreaterThan(1);
    expect(narrow.method.scanned).toBeLessThan(exact.tilesSearched);
    const all = await engine().searchCatalog({ query: 'green', top: 100_000 });
    const score = new Map(all.hits.map((h) => [`${h.source}#${h.tileIndex}`, h.score]));
    for (const h of narrow.hits) expect(h.score).toBeCloseTo(score.get(`${h.source}#${h.tileIndex}`)!, 5);
  });

  it('a scene or box filter keeps the search exact even on a large catalog', async () => {
    const e = engine({ approximateFrom: 1, nprobe: 1 });
    const scoped = await e.searchCatalog({ query: 'blue', top: 5, scenes: [eurosat] });
    expect(scoped.method).toEqual({ kind: 'exact' });
    expect(scoped.scenesSearched).toBe(1);
    expect(scoped.hits.every((h) => h.source === eurosat)).toBe(true);
    const exact = await engine({ catalogMemoryBytes: 0 }).searchCatalog({ query: 'blue', top: 5, scenes: [eurosat] });
    expect(hitKeys(scoped)).toEqual(hitKeys(exact));
    // After an unfiltered search built the IVF index (the engine then holds the matrix in the index's list order),
    // filtered searches of the same engine still score every row as its own tile.
    const wide = await e.searchCatalog({ query: 'blue', top: 5 });
    expect(wide.method?.kind).toBe('approximate');
    for (const query of ['blue', 'red']) {
      const again = await e.searchCatalog({ query, top: 8, scenes: [eurosat, ucm] });
      const disk = await engine({ catalogMemoryBytes: 0 }).searchCatalog({ query, top: 8, scenes: [eurosat, ucm] });
      expect(again.method).toEqual({ kind: 'exact' });
      expect(hitKeys(again)).toEqual(hitKeys(disk));
      again.hits.forEach((h, i) => expect(h.score).toBeCloseTo(disk.hits[i].score, 5));
    }
  });

  it('indexing another scene or removing one is seen by the next search of the same engine', async () => {
    const e = engine();
    const before = await e.searchCatalog({ query: 'red', top: 3 });
    expect(before.scenesSearched).toBe(2);
    await e.index({ scene: rgb, tile: '128px' });
    const more = await e.searchCatalog({ query: 'red', top: 3 });
    expect(more.scenesSearched).toBe(3);
    expect(more.tilesSearched).toBeGreaterThan(before.tilesSearched);
    await e.removeFromCatalog(rgb);
    const after = await e.searchCatalog({ query: 'red', top: 3 });
    expect(after.scenesSearched).toBe(2);
    expect(after.tilesSearched).toBe(before.tilesSearched);
    expect(hitKeys(after)).toEqual(hitKeys(before));
  });
});
