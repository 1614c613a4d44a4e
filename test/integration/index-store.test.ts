// The on-disk index: no-op re-index, resume after kill -9 at many points, fallback when the newest commit is damaged.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IndexStore, PIXEL_PIPELINE, type EntryKey } from '../../main/engine/index/store.js';
import { cli, spawnCli } from '../helpers/cli.js';
import { generatedDir, testModelDir } from '../helpers/paths.js';

const mosaic = join(generatedDir, 'mosaic', 'ucm-mosaic.tif');

function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

async function onlyEntry(indexDir: string) {
  const store = await IndexStore.open(indexDir);
  const list = await store.list();
  expect(list).toHaveLength(1);
  const e = list[0];
  const key: EntryKey = { scene: e.scene, model: e.model, tiling: e.tiling };
  return { store, entry: e, reader: (await store.reader(key))! };
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out[p] = `${st.size}:${st.mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}

describe('geosift index', () => {
  it('indexes once; the second run of an unchanged scene does nothing; search then reads the index', async () => {
    const indexDir = tmp('geosift-idx-');
    const first = await cli(['index', mosaic, '--model', 'test-clip', '--tile', '128px', '--json'], { indexDir });
    expect(first.code, first.stderr).toBe(0);
    const [r1] = JSON.parse(first.stdout);
    expect(r1).toMatchObject({ tilesTotal: 144, tilesEmbedded: 144, alreadyIndexed: false, resumedFrom: 0 });
    const before = snapshot(indexDir);
    const second = await cli(['index', mosaic, '--model', 'test-clip', '--tile', '128px'], { indexDir });
    expect(second.stdout).toContain('already indexed, nothing to do');
    expect(snapshot(indexDir)).toEqual(before);
    // Searching the indexed scene shows no embedding progress: only the query is encoded.
    const s = await cli(['search', mosaic, 'green', '--model', 'test-clip', '--tile', '128px'], { indexDir, tty: true });
    expect(s.code).toBe(0);
    expect(s.stderr).not.toContain('embed');
    const cat = await cli(['catalog', '--json'], { indexDir });
    expect(JSON.parse(cat.stdout)).toEqual([expect.objectContaining({ source: mosaic, complete: true, tilesIndexed: 144, tilesTotal: 144 })]);
  });

  it('an entry made by an earlier pixel pipeline is listed as stale and indexed again, not reused', async () => {
    const indexDir = tmp('geosift-idx-');
    const first = await cli(['index', mosaic, '--model', 'test-clip', '--tile', '128px', '--json'], { indexDir });
    expect(first.code, first.stderr).toBe(0);
    const { entry, reader } = await onlyEntry(indexDir);
    expect(reader.meta.pixelPipeline).toBe(PIXEL_PIPELINE);
    expect(entry.stale).toBe(false);
    const fresh = await reader.load();
    // What an entry written before the pipeline version existed looks like: no pixelPipeline in its meta.
    const metaPath = join(reader.dir, 'meta.json');
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    delete meta.pixelPipeline;
    writeFileSync(metaPath, JSON.stringify(meta));
    const listed = await cli(['catalog'], { indexDir });
    expect(listed.stdout).toContain('(stale)');
    expect(JSON.parse((await cli(['catalog', '--json'], { indexDir })).stdout)[0]).toMatchObject({ stale: true, complete: true });
    const again = await cli(['index', mosaic, '--model', 'test-clip', '--tile', '128px', '--json'], { indexDir });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)[0]).toMatchObject({ alreadyIndexed: false, resumedFrom: 0, tilesEmbedded: 144 });
    const after = await onlyEntry(indexDir);
    expect(after.entry.stale).toBe(false);
    expect(after.reader.meta.pixelPipeline).toBe(PIXEL_PIPELINE);
    expect(after.reader.commit.complete).toBe(true);
    const re = await after.reader.load();
    expect(Array.from(re.vectors)).toEqual(Array.from(fresh.vectors));
    const third = await cli(['index', mosaic, '--model', 'test-clip', '--tile', '128px'], { indexDir });
    expect(third.stdout).toContain('already indexed, nothing to do');
  });

  it('searches across the catalog, filters by scene and bbox, and removes a scene without touching the file', async () => {
    const indexDir = tmp('geosift-idx-');
    const rgb = join(generatedDir, 'mosaic', 'ucm-mosaic.tif');
    await cli(['index', rgb, '--model', 'test-clip', '--tile', '256px'], { indexDir });
    await cli(['index', rgb, '--model', 'test-clip', '--tile', '128px'], { indexDir });
    const r = await cli(['search', '--catalog', 'blue', '--model', 'test-clip', '--top', '5', '--json'], { indexDir });
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.scenesSearched).toBe(2);
    expect(res.tilesSearched).toBe(36 + 144);
    expect(res.hits).toHaveLength(5);
    const single = await cli(['search', mosaic, 'blue', '--model', 'test-clip', '--tile', '256px', '--top', '1', '--suppress', '1', '--json'], { indexDir });
    const best256 = JSON.parse(single.stdout).hits[0];
    expect(res.hits.some((h: any) => h.tileIndex === best256.tileIndex && Math.abs(h.score - best256.score) < 1e-6)).toBe(true);
    // A box around the mosaic's top-left cell (UTM 11N, 500000..500076.8 E) keeps only tiles touching it.
    const box = await cli(['search', '--catalog', 'blue', '--model', 'test-clip', '--top', '50', '--bbox', '-117.0000,37.0440,-116.99915,37.0458', '--json'], { indexDir });
    const boxed = JSON.parse(box.stdout);
    expect(boxed.tilesSearched).toBeGreaterThan(0);
    expect(boxed.tilesSearched).toBeLessThan(20);
    const before = readFileSync(mosaic);
    const rm = await cli(['catalog', 'remove', mosaic], { indexDir });
    expect(rm.stdout).toMatch(/Removed 2 entries/);
    expect(JSON.parse((await cli(['catalog', '--json'], { indexDir })).stdout)).toEqual([]);
    expect(readFileSync(mosaic).equals(before)).toBe(true);
  });

  it('re-ranks from feedback and re-runs a saved query on the same embeddings', async () => {
    const indexDir = tmp('geosift-idx-');
    const dir = tmp('geosift-q-');
    const base = JSON.parse((await cli(['search', mosaic, 'green', '--model', 'test-clip', '--tile', '256px', '--json', '--top', '36', '--suppress', '1'], { indexDir })).stdout);
    const worst = base.hits[base.hits.length - 1].tileIndex;
    const refined = await cli(['search', mosaic, 'green', '--model', 'test-clip', '--tile', '256px', '--json', '--top', '36', '--suppress', '1', '--relevant', String(worst), '--save-query', join(dir, 'q.json')], { indexDir });
    const rr = JSON.parse(refined.stdout);
    const rankOf = (res: any, t: number) => res.hits.findIndex((h: any) => h.tileIndex === t);
    expect(rankOf(rr, worst)).toBeLessThan(rankOf(base, worst));
    const saved = JSON.parse(readFileSync(join(dir, 'q.json'), 'utf8'));
    expect(saved).toMatchObject({ format: 'geosift-query', text: 'green', relevant: [worst], model: { id: 'test-clip' } });
    const rerun = JSON.parse((await cli(['search', mosaic, '--query-file', join(dir, 'q.json'), '--model', 'test-clip', '--tile', '256px', '--json', '--top', '36', '--suppress', '1'], { indexDir })).stdout);
    expect(rerun.hits.map((h: any) => h.tileIndex)).toEqual(rr.hits.map((h: any) => h.tileIndex));
  });

  it('says when nothing matches confidently', async () => {
    const r = JSON.parse((await cli(['search', mosaic, 'purple elephants', '--model', 'test-clip', '--tile', '256px', '--json'])).stdout);
    // No colour word: every tile scores 0, so nothing stands out.
    expect(r.calibration.verdict).toBe('no-match');
  });
});

describe('crash safety', () => {
  it('survives kill -9 at 20 random moments: reopens at its last commit, resumes, and ends equal to an uninterrupted run', async () => {
    const args = (home: string) => ['index', mosaic, '--model', testModelDir, '--tile', '48px', '--batch', '8', '--quiet'];
    const run = (home: string, killAfterMs?: number) =>
      new Promise<number | null>((resolve) => {
        const p = spawnCli(args(home), { GEOSIFT_HOME: home });
        let timer: NodeJS.Timeout | undefined;
        if (killAfterMs !== undefined) timer = setTimeout(() => p.kill('SIGKILL'), killAfterMs);
        p.on('close', (code) => {
          if (timer) clearTimeout(timer);
          resolve(code);
        });
      });
    const reference = tmp('geosift-ref-');
    expect(await run(reference)).toBe(0);
    const home = tmp('geosift-kill-');
    let lastPositions = 0;
    let kills = 0;
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 20; i++) {
      await run(home, 700 + Math.floor(rand() * 1300));
      kills++;
      const store = await IndexStore.open(join(home, 'index'));
      const list = await store.list();
      if (list.length === 0) continue; // killed before the entry was created
      expect(list).toHaveLength(1);
      expect(list[0].positions).toBeGreaterThanOrEqual(lastPositions);
      lastPositions = list[0].positions;
      const reader = await store.reader({ scene: list[0].scene, model: list[0].model, tiling: list[0].tiling });
      const { tiles } = await reader!.load(); // readable at its last commit
      expect(tiles.map((t) => t.index)).toEqual([...Array(tiles.length).keys()]);
      if (list[0].complete) break;
    }
    expect(kills).toBeGreaterThan(0);
    expect(await run(home)).toBe(0);
    const a = await onlyEntry(join(home, 'index'));
    const b = await onlyEntry(join(reference, 'index'));
    expect(a.reader.commit.complete).toBe(true);
    const va = await a.reader.load();
    const vb = await b.reader.load();
    expect(va.tiles.map((t) => [t.index, t.row])).toEqual(vb.tiles.map((t) => [t.index, t.row]));
    let maxDiff = 0;
    for (let i = 0; i < va.vectors.length; i++) maxDiff = Math.max(maxDiff, Math.abs(va.vectors[i] - vb.vectors[i]));
    expect(maxDiff).toBeLessThan(1e-6);
  }, 300_000);

  it('falls back to the previous commit when the newest is damaged, and ignores bytes past the commit', async () => {
    const indexDir = tmp('geosift-idx-');
    await cli(['index', mosaic, '--model', 'test-clip', '--tile', '128px', '--batch', '16'], { indexDir });
    const { entry, reader } = await onlyEntry(indexDir);
    const dir = reader.dir;
    const prev = JSON.parse(readFileSync(join(dir, 'commit.prev.json'), 'utf8'));
    // A torn write of the newest commit record, plus garbage appended to the data files.
    writeFileSync(join(dir, 'commit.json'), '{"positions": 14');
    writeFileSync(join(dir, 'vectors.f32'), Buffer.concat([readFileSync(join(dir, 'vectors.f32')), Buffer.alloc(1000, 7)]));
    const { reader: again } = await onlyEntry(indexDir);
    expect(again.commit.positions).toBe(prev.positions);
    expect(again.commit.complete).toBe(prev.complete);
    const { tiles } = await again.load();
    expect(tiles).toHaveLength(prev.positions);
    // Re-indexing completes the entry from there.
    const r = JSON.parse((await cli(['index', mosaic, '--model', 'test-clip', '--tile', '128px', '--json'], { indexDir })).stdout)[0];
    expect(r.tilesEmbedded + r.tilesSkipped).toBe(entry.tilesTotal);
    // A stale lock from a dead process does not block.
    writeFileSync(join(dir, 'lock'), '999999');
    rmSync(join(dir, 'commit.json'));
    rmSync(join(dir, 'commit.prev.json'));
    const r2 = JSON.parse((await cli(['index', mosaic, '--model', 'test-clip', '--tile', '128px', '--json'], { indexDir })).stdout)[0];
    expect(r2.resumedFrom).toBe(0);
    expect(r2.tilesTotal).toBe(144);
  });

  it('a read-only index folder gives a clear error', async () => {
    if (process.getuid?.() === 0) {
      // root ignores permission bits: use a path under a file instead, which no user can create.
      const file = join(tmp('geosift-ro-'), 'not-a-folder');
      writeFileSync(file, 'x');
      const r = await cli(['index', mosaic, '--model', 'test-clip', '--tile', '256px'], { indexDir: join(file, 'index') });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/E_OUTPUT: Cannot create the index folder .*is a file, not a folder/);
    } else {
      const ro = tmp('geosift-ro-');
      execFileSync('chmod', ['0555', ro]);
      const r = await cli(['index', mosaic, '--model', 'test-clip', '--tile', '256px'], { indexDir: join(ro, 'index') });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/E_OUTPUT: Cannot create the index folder .*permission denied/);
    }
  });
});
