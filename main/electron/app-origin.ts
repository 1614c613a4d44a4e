// The app's own origin (app://geosift) and how its URLs map to files of the built renderer.
import { extname, posix } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'geosift';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** True only for URLs of the app's own origin (not file:, not another host of the scheme). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (typeof url !== 'string') return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export type AppRequest = { ok: true; relPath: string; type: string } | { ok: false; status: 400 | 403 | 404 };

/**
 * Maps an app:// request to a path relative to the renderer folder. Works on the raw URL so
 * that "..", "%2e%2e" and backslashes are refused rather than folded away by URL parsing.
 */
export function resolveAppRequest(url: string): AppRequest {
  const m = /^app:\/\/([^/?#]*)(\/[^?#]*)?/i.exec(url);
  if (!m || m[1].toLowerCase() !== APP_HOST) return { ok: false, status: 403 };
  const raw = m[2] ?? '/';
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return { ok: false, status: 400 };
  }
  if (path.includes('\0') || path.includes('\\') || path.split('/').some((s) => s === '..' || s === '.')) return { ok: false, status: 403 };
  const rel = posix.normalize(path === '/' ? '/index.html' : path).replace(/^\/+/, '');
  if (rel === '' || rel.endsWith('/')) return { ok: false, status: 404 };
  return { ok: true, relPath: rel, type: TYPES[extname(rel).toLowerCase()] ?? 'application/octet-stream' };
}
