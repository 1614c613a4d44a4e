// The Open recent list: most recent first, no duplicates, bounded.

export const MAX_RECENT = 10;

export function pushRecent(list: readonly string[], path: string, max = MAX_RECENT): string[] {
  return [path, ...list.filter((p) => p !== path)].slice(0, max);
}

/** A recent-list file from disk: anything that is not a list of strings is dropped, not trusted. */
export function parseRecent(text: string | null): string[] {
  if (!text) return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string' && p.length > 0 && p.length <= 4096).slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}
