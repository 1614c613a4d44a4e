// Where tests find real data (../shared/data, overridable) and generated fixtures.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Real data provided beside the checkout; GEOSIFT_DATA points elsewhere. */
export const dataDir = resolve(process.env.GEOSIFT_DATA ?? join(repoRoot, '..', 'shared', 'data'));

/** Generated fixtures (never committed), made by scripts/make-fixtures.mjs. */
export const generatedDir = resolve(process.env.GEOSIFT_FIXTURES ?? join(repoRoot, 'test', 'fixtures', '.generated'));

export function scenePath(rel: string): string {
  return join(dataDir, 'scenes', rel);
}

export function requireData(path: string): string {
  if (!existsSync(path)) throw new Error(`Test data missing: ${path} (set GEOSIFT_DATA to the shared data folder)`);
  return path;
}

export const testModelDir = join(generatedDir, 'models', 'test-clip');

/** Every .tif/.tiff file below a folder, in a stable order. */
export function tiffsUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.tiff?$/i.test(n)) out.push(p);
    }
  };
  walk(dir);
  return out;
}
