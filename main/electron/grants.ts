// Which scene paths each window was given by the OS dialog, a drop, the command line or the recent list.
import { isAbsolute } from 'node:path';

export type GrantKind = 'file' | 'url';

export interface Grant {
  kind: GrantKind;
  path: string;
}

const MAX_GRANTS_PER_WINDOW = 10_000;

/** Checks the shape of a path a page hands back (from a drop) before main even looks at the disk. */
export function plausibleLocalPath(p: unknown): p is string {
  return typeof p === 'string' && p.length > 0 && p.length <= 4096 && !p.includes('\0') && isAbsolute(p);
}

export function plausibleRemoteUrl(u: unknown): u is string {
  if (typeof u !== 'string' || u.length > 4096) return false;
  try {
    const url = new URL(u);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

/** Main's record of grants, the source of truth replayed to the engine host after it restarts. */
export class GrantStore {
  private readonly byWindow = new Map<number, Map<string, Grant>>();

  add(windowId: number, grant: Grant): boolean {
    let m = this.byWindow.get(windowId);
    if (!m) {
      m = new Map();
      this.byWindow.set(windowId, m);
    }
    const key = `${grant.kind}:${grant.path}`;
    if (m.has(key)) return false;
    if (m.size >= MAX_GRANTS_PER_WINDOW) m.delete(m.keys().next().value as string);
    m.set(key, grant);
    return true;
  }

  has(windowId: number, grant: Grant): boolean {
    return this.byWindow.get(windowId)?.has(`${grant.kind}:${grant.path}`) ?? false;
  }

  list(windowId: number): Grant[] {
    return [...(this.byWindow.get(windowId)?.values() ?? [])];
  }

  forget(windowId: number): void {
    this.byWindow.delete(windowId);
  }
}
