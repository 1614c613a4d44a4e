// `geosift serve`: the built renderer over HTTP and the engine over WebSocket, behind a token, for one machine by default.
import { SAMPLE_SCENE } from '../../shared/protocol/sample-scene.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { EngineApi } from '../../shared/protocol/engine-api.js';
import { EngineError, ErrorCodes } from '../../shared/protocol/errors.js';
import type { Endpoint, RpcMessage } from '../../shared/rpc/rpc.js';
import { packageRoot } from '../engine/version.js';
import { createPathPolicy, refused, type PathPolicy } from '../host/engine-guard.js';
import { serveEngine } from '../host/serve-engine.js';
import { listAllowedScenes } from './allowed-scenes.js';
import { securityHeaders } from './http-headers.js';
import { TokenBucket, type RateLimit } from './rate-limit.js';
import { resolveStatic, sendStatic } from './static-files.js';
import { cookieValue, newToken, tokenCookieName, tokenMatches } from './token.js';

/** The WebSocket path. The page connects to `ws://HOST:PORT/rpc?token=TOKEN` (the token from its own URL). */
export const RPC_PATH = '/rpc';

/** Methods serve adds to EngineApi, with their arities. */
export const SERVE_METHODS = { allowedScenes: 0 } as const;

export interface StartServeOptions {
  engine: EngineApi;
  /** Scenes (files or http(s) URLs) named on the command line. */
  scenes?: string[];
  /** Folders below which scenes may be opened. */
  allow?: string[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** The built renderer; default dist/renderer in the package. */
  staticDir?: string;
  /** For tests; default 24 random bytes, base64url. */
  token?: string;
  /** Largest WebSocket message, bytes. Default 1 MiB. */
  maxPayload?: number;
  /** Calls per connection. Default a burst of 200, then 100 per second. */
  rateLimit?: RateLimit;
}

export interface ServeHandle {
  /** The page's URL, token included: what the user opens. */
  url: string;
  /** The engine's WebSocket URL, token included. */
  wsUrl: string;
  token: string;
  host: string;
  port: number;
  policy: PathPolicy;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function hostOfHeader(h: string | undefined): string | null {
  if (!h) return null;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(h);
  return m ? m[1].replace(/^\[|\]$/g, '').toLowerCase() : null;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${body}</p></body></html>\n`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One WebSocket as an rpc Endpoint, with a rate limit and answers for what serveRpc would silently drop. */
function wsEndpoint(ws: WebSocket, limit: RateLimit): Endpoint {
  const bucket = new TokenBucket(limit);
  const listeners = new Set<(m: unknown) => void>();
  const send = (m: RpcMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  const protocolError = (message: string) => send({ t: 'event', name: 'protocol-error', payload: new EngineError(ErrorCodes.BAD_ARGUMENT, message).toJSON() });
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) return protocolError('Binary messages are not accepted: send JSON text');
    let msg: unknown;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      return protocolError('Malformed message: not JSON');
    }
    const m = msg as { t?: unknown; id?: unknown } | null;
    if (!m || typeof m !== 'object' || Array.isArray(m) || (m.t !== 'call' && m.t !== 'cancel') || !Number.isSafeInteger(m.id)) {
      return protocolError('Malformed message: expected {"t":"call","id":<int>,"method":...,"args":[...]} or {"t":"cancel","id":<int>}');
    }
    if (m.t === 'call' && !bucket.take()) {
      send({ t: 'error', id: m.id as number, error: refused(`Too many calls on this connection (more than ${limit.burst} at once or ${limit.perSecond} a second): slow down.`, 'rate-limit').toJSON() });
      return;
    }
    for (const l of listeners) l(msg);
  });
  return {
    post: send,
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export async function startServe(options: StartServeOptions): Promise<ServeHandle> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? newToken();
  const staticDir = options.staticDir ?? join(packageRoot(), 'dist', 'renderer');
  const rateLimit = options.rateLimit ?? { burst: 200, perSecond: 100 };
  const policy = await createPathPolicy({
    files: (options.scenes ?? []).filter((s) => !/^https?:\/\//i.test(s)),
    dirs: options.allow ?? [],
    // The UI's public sample scene is always allowed: it is a fixed, read-only URL.
    urls: [...(options.scenes ?? []).filter((s) => /^https?:\/\//i.test(s)), SAMPLE_SCENE.url],
  });
  let port = 0;
  const loopbackOnly = LOOPBACK.has(host);

  /** On a loopback bind, a Host header naming another machine means DNS rebinding: refuse. */
  const hostOk = (req: IncomingMessage): boolean => {
    const h = hostOfHeader(req.headers.host);
    return h !== null && (!loopbackOnly || LOOPBACK.has(h));
  };
  const tokenOf = (req: IncomingMessage): string | undefined => {
    const q = new URLSearchParams((req.url ?? '').split('?')[1] ?? '').get('token');
    return q ?? cookieValue(req.headers.cookie, tokenCookieName(port));
  };
  const wsOrigin = (req: IncomingMessage) => (hostOk(req) && req.headers.host ? `ws://${req.headers.host}` : null);

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const headers = securityHeaders(wsOrigin(req));
    const fail = (status: number, title: string, text: string) => {
      res.writeHead(status, { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : page(title, escapeHtml(text)));
    };
    if (!hostOk(req)) return fail(403, 'Forbidden', 'This server answers only to 127.0.0.1 / localhost.');
    const given = new URLSearchParams((req.url ?? '').split('?')[1] ?? '').get('token');
    if (!tokenMatches(tokenOf(req), token)) return fail(403, 'Forbidden', 'Open the full URL that `geosift serve` printed: it carries the access token.');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return fail(405, 'Method not allowed', 'Only GET and HEAD are served.');
    }
    // A token in the URL becomes a cookie so the page's own scripts and images load without it.
    if (given !== null) headers['Set-Cookie'] = `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    const outcome = await resolveStatic(staticDir, req.url ?? '/');
    if (outcome.status === 200) return sendStatic(req, res, outcome, headers);
    const titles = { 400: 'Bad request', 403: 'Forbidden', 404: 'Not found', 503: 'Web UI not built' } as const;
    return fail(outcome.status, titles[outcome.status], outcome.message);
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? 1024 * 1024 });
  const stops = new Set<() => void>();
  const extra = { api: { allowedScenes: () => listAllowedScenes(policy) }, arity: SERVE_METHODS };

  const refuseUpgrade = (socket: Duplex, status: string) => {
    socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== RPC_PATH) return refuseUpgrade(socket, '404 Not Found');
    if (!hostOk(req)) return refuseUpgrade(socket, '403 Forbidden');
    // Browsers always send Origin: another site's page must not drive the engine even if it guessed the port.
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) return refuseUpgrade(socket, '403 Forbidden');
    if (!tokenMatches(tokenOf(req), token)) return refuseUpgrade(socket, '403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stop = serveEngine(options.engine, wsEndpoint(ws, rateLimit), { policy, extra });
      stops.add(stop);
      ws.on('close', () => {
        stop();
        stops.delete(stop);
      });
      ws.on('error', () => ws.terminate());
    });
  };

  const server = createServer((req, res) => {
    onRequest(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Internal error');
    });
  });
  server.on('upgrade', onUpgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const base = `${formatHost(host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host)}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${base}/?token=${token}`,
    wsUrl: `ws://${base}${RPC_PATH}?token=${token}`,
    token,
    host,
    port,
    policy,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const stop of stops) stop();
        stops.clear();
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
