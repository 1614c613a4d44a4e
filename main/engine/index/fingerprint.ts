// Content fingerprints of scenes (sha256 of the bytes), cached by path+size+mtime so an unchanged scene is hashed once.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EngineError, ErrorCodes, throwIfAborted } from '../../../shared/protocol/errors.js';
import type { ProgressListener } from '../../../shared/protocol/progress.js';
import { writeFileAtomic } from '../io/atomic-write.js';

interface CacheEntry {
  size: number;
  mtimeMs: number;
  ino: number;
  fingerprint: string;
}

export interface FingerprintOptions {
  /** Folder holding fingerprints.json; no caching when absent. */
  cacheDir?: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

async function hashFile(path: string, size: number, o: FingerprintOptions): Promise<string> {
  const h = createHash('sha256');
  let done = 0;
  const stream = createReadStream(path, { highWaterMark: 4 << 20 });
  for await (const chunk of stream) {
    throwIfAborted(o.signal);
    h.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    o.onProgress?.({ stage: 'fingerprint', done, total: size, unit: 'bytes' });
  }
  return `sha256:${h.digest('hex')}`;
}

async function urlFingerprint(url: string, signal?: AbortSignal): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'HEAD', signal });
  } catch (e) {
    throw new EngineError(ErrorCodes.NETWORK, `Cannot reach ${url}: ${(e as Error).message}`);
  }
  const etag = res.headers.get('etag') ?? '';
  const len = res.headers.get('content-length') ?? '';
  const modified = res.headers.get('last-modified') ?? '';
  if (!etag && !modified) {
    // Without validators a remote file cannot be known unchanged: key on the URL and size only, and say so in the id.
    return `url-unvalidated:${createHash('sha256').update(`${url}\n${len}`).digest('hex')}`;
  }
  return `url:${createHash('sha256').update(`${url}\n${len}\n${etag}\n${modified}`).digest('hex')}`;
}

/** sha256 of the scene's bytes (local files) or of URL + validators (remote COGs). */
export async function sceneFingerprint(source: string, o: FingerprintOptions = {}): Promise<string> {
  if (/^https?:\/\//i.test(source)) return urlFingerprint(source, o.signal);
  const path = resolve(source);
  const st = await stat(path).catch(() => {
    throw new EngineError(ErrorCodes.FILE_NOT_FOUND, `Scene not found: ${source}`);
  });
  const cacheFile = o.cacheDir ? join(o.cacheDir, 'fingerprints.json') : null;
  let cache: Record<string, CacheEntry> = {};
  if (cacheFile) {
    try {
      cache = JSON.parse(await readFile(cacheFile, 'utf8'));
    } catch {
      cache = {}; // missing or damaged cache: recompute
    }
    const c = cache[path];
    if (c && c.size === st.size && c.mtimeMs === st.mtimeMs && c.ino === st.ino) return c.fingerprint;
  }
  const fingerprint = await hashFile(path, st.size, o);
  if (cacheFile) {
    cache[path] = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, fingerprint };
    await writeFileAtomic(cacheFile, JSON.stringify(cache)).catch(() => undefined); // a cache that cannot be written only costs time
  }
  return fingerprint;
}
