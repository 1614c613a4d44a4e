// Where Geosift keeps per-user data (index, models): GEOSIFT_HOME, else the platform's data folder.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.GEOSIFT_HOME) return env.GEOSIFT_HOME;
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? env.APPDATA ?? join(homedir(), 'AppData', 'Local'), 'Geosift');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Geosift');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'geosift');
}

/** The embedding index; GEOSIFT_INDEX_DIR overrides. */
export function defaultIndexDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.GEOSIFT_INDEX_DIR ?? join(userDataDir(env), 'index');
}
