// Turns a model id or folder path into the folder of a model package, searching the standard places.
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import { MANIFEST_FILE } from './manifest.js';

/** The model used when none is named (a package bundled under models/). */
export const DEFAULT_MODEL_ID = 'geosift-rs-mini';

/** The per-user folder for downloaded or imported model packages. */
export function userModelsDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.GEOSIFT_HOME) return join(env.GEOSIFT_HOME, 'models');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Geosift', 'models');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Geosift', 'models');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'geosift', 'models');
}

/** Where ids are looked up, in order: the repository's (or installed app's) models/ folder, then the user's. */
export function defaultModelSearchPaths(appRoot: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return [join(appRoot, 'models'), userModelsDir(env)];
}

function isPackageDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && existsSync(join(dir, MANIFEST_FILE));
  } catch {
    return false;
  }
}

/** An id is a single safe path segment; anything with a separator or a leading dot is a path. */
function looksLikeId(s: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(s);
}

/**
 * Returns the absolute folder of the package named by `idOrPath`: a folder holding model.json,
 * or an id found as `<searchPath>/<id>/model.json` in the first search path that has it.
 */
export function resolveModelDir(idOrPath: string, searchPaths: readonly string[]): string {
  if (typeof idOrPath !== 'string' || idOrPath.trim() === '') {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, 'No model given: pass a model id (e.g. "geosift-rs-mini") or a folder holding model.json');
  }
  const looked: string[] = [];
  if (!looksLikeId(idOrPath) || isAbsolute(idOrPath) || existsSync(idOrPath)) {
    const dir = resolve(idOrPath);
    if (isPackageDir(dir)) return dir;
    looked.push(join(dir, MANIFEST_FILE));
    if (!looksLikeId(idOrPath)) {
      throw new EngineError(ErrorCodes.MODEL_NOT_FOUND, `No model package at ${dir}: expected a folder with ${MANIFEST_FILE} (looked for ${looked[0]})`);
    }
  }
  for (const base of searchPaths) {
    const dir = resolve(base, idOrPath);
    if (isPackageDir(dir)) return dir;
    looked.push(join(dir, MANIFEST_FILE));
  }
  throw new EngineError(
    ErrorCodes.MODEL_NOT_FOUND,
    `Model "${idOrPath}" not found. Looked in:\n  ${looked.join('\n  ')}\nInstall the package in one of these folders or pass the folder's path.`,
    { details: { looked } },
  );
}
