// FlatGeobuf header and columns read back by the flatgeobuf library and by GDAL; CSV quoting in plain strings.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deserialize } from 'flatgeobuf/lib/mjs/geojson.js';
import type { FeatureCollection } from '../../../../shared/geo/types.js';
import { featureCollectionToFlatGeobuf } from '../../../../main/engine/export/flatgeobuf.js';
import { csvField, parseCsv } from '../../../../main/engine/export/csv.js';

const dir = mkdtempSync(join(tmpdir(), 'fgb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const square = (x: number, y: number): [number, number][][] => [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]];

describe('featureCollectionToFlatGeobuf', () => {
  const fc: FeatureCollection = {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', geometry: { type: 'Polygon', coordinates: square(0, 0) }, properties: { name: null, n: 1, p: 0.5, ok: true, window: [1, 2, 3, 4] } },
      { type: 'Feature', geometry: { type: 'Polygon', coordinates: square(2, 0) }, properties: { name: 'água, "x"', n: 2, p: 1, ok: false, window: [5, 6, 7, 8] } },
    ],
  };
  const bytes = featureCollectionToFlatGeobuf(fc, { title: 'T', description: 'D', metadata: '{"a":1}' });

  it('keeps header title, description and metadata, and types columns from all features', async () => {
    let header: any;
    const feats: any[] = [];
    for await (const f of deserialize(bytes, { headerMetaFn: (h: unknown) => (header = h) } as never)) feats.push(f);
    expect(header).toMatchObject({ title: 'T', description: 'D', metadata: '{"a":1}', featuresCount: 2 });
    expect(header.crs.code).toBe(4326);
    expect(header.columns.map((c: any) => [c.name, c.type])).toEqual([['name', 11], ['n', 5], ['p', 10], ['ok', 2], ['window', 12]]);
    expect(feats.map((f) => f.properties.name)).toEqual([undefined, 'água, "x"']);
    expect(feats[1].geometry.coordinates).toEqual(square(2, 0));
  });

  it('is opened by GDAL', () => {
    const f = join(dir, 'a.fgb');
    writeFileSync(f, bytes);
    const gj = JSON.parse(execFileSync('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', f], { encoding: 'utf8' }));
    expect(gj.features.map((x: any) => [x.properties.n, x.properties.p, x.properties.ok])).toEqual([[1, 0.5, true], [2, 1, false]]);
  });

  it('refuses a collection without geometries', () => {
    expect(() => featureCollectionToFlatGeobuf({ type: 'FeatureCollection', features: [] })).toThrow(expect.objectContaining({ code: 'E_NOTHING_TO_DO' }));
  });
});

describe('CSV', () => {
  it('quotes what needs quoting and leaves empty cells for missing numbers', () => {
    expect([csvField('a,b'), csvField('say "hi"'), csvField('#1'), csvField(null), csvField(NaN), csvField(0.25), csvField(' x')]).toEqual(['"a,b"', '"say ""hi"""', '"#1"', '', '', '0.25', '" x"']);
    const text = '# model: m\n# query: a: b\nx,y\n"1,2","q ""z"""\n3,\n';
    expect(parseCsv(text)).toEqual({ provenance: { model: 'm', query: 'a: b' }, header: ['x', 'y'], rows: [['1,2', 'q "z"'], ['3', '']] });
  });
});
