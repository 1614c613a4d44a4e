// Lists what a serve session may open: scenes named on the command line and scene files below allowed folders.
import { SAMPLE_SCENE } from '../../shared/protocol/sample-scene.js';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { PathPolicy } from '../host/engine-guard.js';

export interface AllowedScene {
  /** Canonical path (or URL) to pass to the engine. */
  path: string;
  name: string;
  /** null for URLs. */
  bytes: number | null;
}

const SCENE_RE = /\.(tif|tiff)$/i;
const MAX_DEPTH = 8;
const MAX_SCENES = 2000;

export async function listAllowedScenes(policy: PathPolicy): Promise<AllowedScene[]> {
  const out = new Map<string, AllowedScene>();
  const add = async (path: string) => {
    if (out.size >= MAX_SCENES || out.has(path)) return;
    const st = await stat(path).catch(() => null);
    if (st?.isFile()) out.set(path, { path, name: basename(path), bytes: st.size });
  };
  for (const f of policy.files) await add(f);
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH || out.size >= MAX_SCENES) return;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p, depth + 1);
      // Links are listed only when they stay inside what was allowed, under the name the engine will use.
      else if ((e.isFile() || e.isSymbolicLink()) && SCENE_RE.test(e.name)) {
        const canonical = await policy.authorize(p, 'scene').catch(() => null);
        if (canonical) await add(canonical);
      }
    }
  };
  for (const d of policy.dirs) await walk(d, 0);
  // The public sample scene has its own button in the UI; list only what this server was given.
  for (const u of policy.urls) if (u !== SAMPLE_SCENE.url) out.set(u, { path: u, name: u, bytes: null });
  return [...out.values()];
}
