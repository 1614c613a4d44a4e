// The guard's rules for the catalog, label handles and scheme files, on a real engine with a real index.
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../../main/engine/index.js';
import { createPathPolicy, guardEngine } from '../../../../main/host/engine-guard.js';
import { generatedDir } from '../../../helpers/paths.js';

const mosaic = realpathSync(join(generatedDir, 'mosaic', 'ucm-mosaic.tif'));
const other = realpathSync(join(generatedDir, 'rasters', 'no-georef.tif'));
let engine: Engine;

beforeAll(async () => {
  engine = createEngine({ modelSearchPaths: [join(generatedDir, 'models')], indexDir: mkdtempSync(join(tmpdir(), 'geosift-guard-')) });
  await engine.index({ scene: mosaic, model: 'test-clip', tile: '256px' });
});
afterAll(async () => {
  await engine.dispose();
});

describe('engine guard', () => {
  it('shows a peer only the catalog entries of scenes it may open', async () => {
    const none = guardEngine(engine, await createPathPolicy({ files: [other] }));
    const some = guardEngine(engine, await createPathPolicy({ dirs: [dirname(mosaic)] }));
    expect(await none.catalog()).toEqual([]);
    expect((await some.catalog()).map((e) => e.source)).toEqual([mosaic]);
  });

  it('searches across only permitted scenes, and refuses naming others', async () => {
    const none = guardEngine(engine, await createPathPolicy({ files: [other] }));
    expect(await none.searchCatalog({ query: 'green', model: 'test-clip' })).toMatchObject({ scenesSearched: 0, hits: [] });
    await expect(none.searchCatalog({ query: 'green', model: 'test-clip', scenes: [mosaic] })).rejects.toMatchObject({ details: { refused: 'not-allowed' } });
    const some = guardEngine(engine, await createPathPolicy({ files: [mosaic] }));
    expect((await some.searchCatalog({ query: 'green', model: 'test-clip' })).scenesSearched).toBe(1);
  });

  it('removes index entries only of permitted scenes', async () => {
    const [entry] = await engine.catalog();
    const none = guardEngine(engine, await createPathPolicy({ files: [other] }));
    await expect(none.removeFromCatalog(entry.id)).rejects.toMatchObject({ details: { refused: 'not-allowed' } });
    await expect(none.removeFromCatalog(mosaic)).rejects.toMatchObject({ details: { refused: 'not-allowed' } });
    expect(await engine.catalog()).toHaveLength(1);
  });

  it('exports only label runs this peer started, and takes scheme files only from allowed places', async () => {
    const g = guardEngine(engine, await createPathPolicy({ files: [mosaic] }));
    await expect(g.exportLabels('label-1', { format: 'geojson' })).rejects.toMatchObject({ details: { refused: 'not-allowed' } });
    await expect(g.label({ scene: mosaic, scheme: '/etc/passwd', model: 'test-clip' })).rejects.toMatchObject({ details: { refused: 'not-allowed' } });
    await expect(g.label({ scene: mosaic, scheme: '../schemes/x.json', model: 'test-clip' })).rejects.toMatchObject({ details: { refused: 'relative' } });
  });

  it('refuses parameters that are not objects, before the engine sees them', async () => {
    const g = guardEngine(engine, await createPathPolicy({ files: [mosaic] }));
    await expect(g.search(null as never)).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT', message: 'search takes an object of parameters' });
    await expect(g.info(42 as never)).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT', message: 'No scene given' });
  });
});
