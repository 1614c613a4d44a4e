// Shared by the reliability tests: builds the hostile corpus once per run, and probes one raster the way the app does (open, info, windows).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openScene } from '../../main/engine/raster/index.js';
import { isEngineError } from '../../shared/protocol/errors.js';
import { generatedDir, repoRoot } from '../helpers/paths.js';

export interface CorpusEntry {
  file: string;
  source: string;
  what: string;
  expect: string;
  read?: string;
  warning?: string;
  georeferenced?: false | 'no-wgs84';
}

/** The corpus folder: the one scripts/make-fixtures.mjs built, else built here into .generated/hostile. */
export function hostileCorpus(): { dir: string; files: CorpusEntry[] } {
  const dir = join(generatedDir, 'hostile');
  if (!existsSync(join(dir, 'manifest.json'))) {
    // Two test files may get here at once: each builds its own copy and the first rename wins.
    const tmp = `${dir}.tmp-${process.pid}`;
    mkdirSync(generatedDir, { recursive: true });
    execFileSync(process.execPath, [join(repoRoot, 'test', 'fixtures', 'make-hostile.mjs'), '--out', tmp], { stdio: ['ignore', 'ignore', 'inherit'] });
    try {
      // Only ever renamed into place whole, so a folder that exists is complete.
      renameSync(tmp, dir);
    } catch {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  return { dir, files: manifest.files };
}

/** 'ok', an EngineError code, or 'CRASH: ...' for anything that is not an EngineError (a bug). */
export type Outcome = string;

export function outcomeOf(e: unknown): Outcome {
  if (isEngineError(e)) return e.code === 'E_INTERNAL' ? `CRASH: E_INTERNAL ${e.message}` : e.code;
  return `CRASH: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
}

export interface Probe {
  open: Outcome;
  read: Outcome;
  warnings: string[];
  windowsRead: number;
}

/** Opens a raster and reads a few windows (corners and centre) at every level, as the viewer and tiler would. */
export async function probeRaster(path: string): Promise<Probe> {
  let scene;
  try {
    scene = await openScene(path);
  } catch (e) {
    return { open: outcomeOf(e), read: 'not read', warnings: [], windowsRead: 0 };
  }
  const info = scene.info;
  let windowsRead = 0;
  let read: Outcome = 'ok';
  try {
    JSON.stringify(info);
    const bands = [...Array(Math.min(3, info.bandCount)).keys()];
    const w = Math.min(256, info.width);
    const h = Math.min(256, info.height);
    const spots: [number, number][] = [
      [0, 0],
      [Math.floor((info.width - w) / 2), Math.floor((info.height - h) / 2)],
      [info.width - w, info.height - h],
    ];
    for (const level of info.overviews.map((o) => o.level)) {
      const sx = info.overviews[level].scaleX;
      for (const [x, y] of spots) {
        // Same output size at every level: the window grows with the overview's scale.
        const win = { x, y, width: Math.min(info.width, w * sx), height: Math.min(info.height, h * sx) };
        const data = await scene.readWindow(win, { bands, level });
        if (data.bands.length !== bands.length || data.valid.length !== data.width * data.height) throw new Error('inconsistent window');
        windowsRead++;
      }
    }
  } catch (e) {
    read = outcomeOf(e);
  } finally {
    await scene.close();
  }
  return { open: 'ok', read, warnings: info.warnings, windowsRead };
}
