// Pure: the recent-scenes list (most recent first, no duplicates, bounded) over any string store.

export interface StringStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const KEY = 'geosift.recentScenes';
export const MAX_RECENT = 10;

export function readRecent(store: StringStore): string[] {
  try {
    const v = JSON.parse(store.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

export function addRecent(store: StringStore, source: string): string[] {
  const next = [source, ...readRecent(store).filter((s) => s !== source)].slice(0, MAX_RECENT);
  try {
    store.setItem(KEY, JSON.stringify(next));
  } catch {
    // storage full or disabled: the list just is not remembered
  }
  return next;
}

/** The file name of a path or URL, for display. */
export function sceneName(source: string): string {
  const clean = source.split(/[?#]/)[0];
  return clean.split(/[\\/]/).filter(Boolean).pop() ?? source;
}
