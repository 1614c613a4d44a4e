// The analyst's data is never touched: every file under scenes/ and ucmerced/ hashes the same after the whole CLI ran against them, and no sidecar appears beside any.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { dataDir, testModelDir, tiffsUnder } from '../helpers/paths.js';

const roots = [join(dataDir, 'scenes'), join(dataDir, 'ucmerced')];

/** sha256 of every file below the data roots, keyed by path relative to the data folder. */
function hashTree(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.set(relative(dataDir, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  for (const r of roots) walk(r);
  return out;
}

describe('source data stays byte-identical', () => {
  it('info, index, search, similar, label and exports over the real scenes change no byte and add no sidecar', async () => {
    const before = hashTree();
    expect(before.size).toBeGreaterThan(2000);
    const indexDir = mkdtempSync(join(tmpdir(), 'geosift-integrity-idx-'));
    const outDir = mkdtempSync(join(tmpdir(), 'geosift-integrity-out-'));
    const scenes = tiffsUnder(join(dataDir, 'scenes'));
    const codes: Record<string, number> = {};
    for (const s of scenes) {
      const r = await cli(['info', s, '--json'], { indexDir });
      codes[relative(dataDir, s)] = r.code;
    }
    // Every scene the suite knows opens (the one with an external .ovr included, which must only be read).
    expect(Object.values(codes).every((c) => c === 0), JSON.stringify(codes)).toBe(true);
    const model = ['--model', testModelDir];
    const rgb = join(dataDir, 'scenes', 'rasterio_tests_data', 'RGB.byte.tif');
    const withOvr = join(dataDir, 'scenes', 'rio-tiler_tests_fixtures', 'my-bucket', 'hro_sources', 'colorado', '201404_13SED190110_201404_0x1500m_CL_1.tif');
    const cog = join(dataDir, 'scenes', 'rio-tiler_tests_fixtures', 'cog_rgb.tif');
    const ucm = join(dataDir, 'ucmerced', 'images', 'airplane', 'airplane00.jpg');
    const runs: string[][] = [
      ['index', rgb, withOvr, cog, ...model, '--tile', '128px', '--quiet'],
      ['search', rgb, 'green', ...model, '--tile', '128px', '-o', join(outDir, 'hits.geojson'), '--quiet'],
      ['search', '--catalog', 'blue', ...model, '--json'],
      ['similar', withOvr, '--tile-index', '0', ...model, '--tile', '128px', '--json'],
      ['label', cog, '-c', 'forest,river,buildings', ...model, '--tile', '128px', '-o', join(outDir, 'labels.csv'), '--quiet'],
      ['similar', rgb, '--image', ucm, ...model, '--tile', '128px', '--json'],
      ['catalog', 'remove', rgb],
    ];
    for (const args of runs) {
      const r = await cli(args, { indexDir });
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    }
    const after = hashTree();
    // Same set of files (no .aux.xml, .ovr, .msk or lock appeared) and the same bytes in each.
    expect([...after.keys()].filter((k) => !before.has(k))).toEqual([]);
    expect([...before.keys()].filter((k) => after.get(k) !== before.get(k))).toEqual([]);
  }, 300_000);
});
