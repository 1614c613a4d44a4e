// Serves the built renderer from one folder: no directory listing, no traversal, no symlink escape.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import { CONTENT_TYPES } from './http-headers.js';

export type StaticOutcome =
  | { status: 200; file: string; size: number; type: string }
  | { status: 400 | 403 | 404 | 503; message: string };

function inside(child: string, dir: string): boolean {
  const rel = relative(dir, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/**
 * Maps a raw request path to a file below `root`. Works on the raw path, not on WHATWG URL's
 * pathname, which would silently fold `/../` and `%2e%2e` away instead of refusing them.
 */
export async function resolveStatic(root: string, rawUrl: string): Promise<StaticOutcome> {
  const rawPath = rawUrl.split('?')[0].split('#')[0];
  if (!rawPath.startsWith('/')) return { status: 400, message: 'Bad request path' };
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return { status: 400, message: 'Bad percent-encoding in the request path' };
  }
  const segments = path.split('/');
  if (path.includes('\0') || path.includes('\\') || segments.some((s) => s === '..' || s === '.')) {
    return { status: 403, message: 'Refused: the path leaves the app folder' };
  }
  let realRoot: string;
  try {
    realRoot = await realpath(root);
    await stat(join(realRoot, 'index.html'));
  } catch {
    return { status: 503, message: 'The Geosift web UI is not built yet: run `npm run build` in the geosift folder, then reload this page.' };
  }
  const file = join(realRoot, path === '/' ? 'index.html' : path);
  if (!inside(file, realRoot)) return { status: 403, message: 'Refused: the path leaves the app folder' };
  let real: string;
  try {
    real = await realpath(file);
  } catch {
    return { status: 404, message: 'Not found' };
  }
  if (!inside(real, realRoot)) return { status: 403, message: 'Refused: the path leaves the app folder' };
  const st = await stat(real);
  // Directories are never listed.
  if (!st.isFile()) return { status: 404, message: 'Not found' };
  return { status: 200, file: real, size: st.size, type: CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream' };
}

export function sendStatic(req: IncomingMessage, res: ServerResponse, outcome: Extract<StaticOutcome, { status: 200 }>, headers: Record<string, string>): void {
  res.writeHead(200, { ...headers, 'Content-Type': outcome.type, 'Content-Length': String(outcome.size), 'Cache-Control': outcome.type.startsWith('text/html') ? 'no-store' : 'private, max-age=3600' });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(outcome.file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
