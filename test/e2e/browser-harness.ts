// End-to-end plumbing: build the renderer when stale, launch Debian's Chromium, read screenshot pixels.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { repoRoot } from '../helpers/paths.js';

export const rendererDist = join(repoRoot, 'dist', 'renderer');
export const CHROMIUM = process.env.GEOSIFT_CHROMIUM ?? '/usr/bin/chromium';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/** Runs `vite build` for the renderer when dist/renderer is older than renderer/ or shared/. */
export async function buildRendererIfStale(): Promise<'built' | 'fresh'> {
  const index = join(rendererDist, 'index.html');
  const sources = Math.max(newestMtime(join(repoRoot, 'renderer')), newestMtime(join(repoRoot, 'shared')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return 'fresh';
  const { build } = await import('vite');
  await build({ configFile: join(repoRoot, 'renderer', 'vite.config.mjs'), logLevel: 'warn' });
  return 'built';
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface Screenshot {
  width: number;
  height: number;
  rgb(x: number, y: number): [number, number, number];
}

export function decodeScreenshot(png: Buffer): Screenshot {
  const img = PNG.sync.read(png);
  return {
    width: img.width,
    height: img.height,
    rgb(x, y) {
      const i = (Math.round(y) * img.width + Math.round(x)) * 4;
      return [img.data[i], img.data[i + 1], img.data[i + 2]];
    },
  };
}

/** True when a pixel within `radius` of (x, y) is within `tolerance` (per channel) of `color`. */
export function colorNear(shot: Screenshot, x: number, y: number, color: [number, number, number], radius = 1, tolerance = 40): boolean {
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) {
      const px = Math.round(x) + dx;
      const py = Math.round(y) + dy;
      if (px < 0 || py < 0 || px >= shot.width || py >= shot.height) continue;
      const c = shot.rgb(px, py);
      if (Math.abs(c[0] - color[0]) <= tolerance && Math.abs(c[1] - color[1]) <= tolerance && Math.abs(c[2] - color[2]) <= tolerance) return true;
    }
  }
  return false;
}

/** Points along a ring's edges (between its vertices) and the same points pulled 35% toward the ring's centre. */
export function ringSamples(ring: Array<[number, number]>, perEdge = 3): { edge: Array<[number, number]>; inner: Array<[number, number]> } {
  const pts = ring.slice(0, -1);
  const cx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const cy = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  const edge: Array<[number, number]> = [];
  for (let i = 0; i < pts.length; i++) {
    const a = pts[i];
    const b = pts[(i + 1) % pts.length];
    for (let k = 1; k <= perEdge; k++) {
      const f = k / (perEdge + 1);
      edge.push([a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f]);
    }
  }
  const inner = edge.map(([x, y]) => [x + (cx - x) * 0.35, y + (cy - y) * 0.35] as [number, number]);
  return { edge, inner };
}

/** What the page exposes for tests (renderer/src/map/test-hooks.ts), typed here without DOM types. */
export interface PageHooks {
  pixelFromLonLat(lonLat: [number, number]): [number, number] | null;
  pixelFromScenePixel(col: number, row: number): [number, number] | null;
  whenRendered(): Promise<void>;
  mapRect(): { left: number; top: number; width: number; height: number };
  state: Record<string, unknown>;
}

/** `globalThis` inside page.evaluate callbacks. */
export type PageGlobals = { __geosiftTest?: PageHooks };
