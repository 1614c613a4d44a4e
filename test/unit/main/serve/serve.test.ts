// geosift serve's defences, each against a real server on 127.0.0.1: token, host, paths, limits, malformed input, headers.
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEngine, type Engine } from '../../../../main/engine/index.js';
import { startServe, type ServeHandle } from '../../../../main/serve/server.js';
import { createEngineClient, type RemoteEngine } from '../../../../shared/rpc/engine-client.js';
import { generatedDir } from '../../../helpers/paths.js';
import { openSocket, socketEndpoint } from '../../../contract/ws-client.js';

const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'geosift-serve-')));
const allowed = join(tmp, 'allowed');
const webRoot = join(tmp, 'web');
const mosaic = realpathSync(join(generatedDir, 'mosaic', 'ucm-mosaic.tif'));
let engine: Engine;
let server: ServeHandle;
let ws: WebSocket;
let client: RemoteEngine;

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    // node:http sends the path byte for byte: no client-side folding of "..".
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function rawMessages(sock: WebSocket): unknown[] {
  const got: unknown[] = [];
  sock.on('message', (d: WebSocket.RawData) => got.push(JSON.parse(d.toString())));
  return got;
}

async function until<T>(check: () => T | undefined | false): Promise<T> {
  for (;;) {
    const v = check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  mkdirSync(join(allowed, 'sub'), { recursive: true });
  copyFileSync(join(generatedDir, 'rasters', 'pixel-is-point.tif'), join(allowed, 'scene.tif'));
  symlinkSync(join(allowed, 'scene.tif'), join(allowed, 'sub', 'link-inside.tif'));
  symlinkSync(mosaic, join(allowed, 'escape.tif'));
  copyFileSync(join(generatedDir, 'rasters', 'not-a-tiff.tif'), join(tmp, 'secret.tif'));
  mkdirSync(join(webRoot, 'assets'), { recursive: true });
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(webRoot, 'assets', 'app.js'), 'console.log(1)');
  symlinkSync(join(tmp, 'secret.tif'), join(webRoot, 'assets', 'leak.js'));
  engine = createEngine({ modelSearchPaths: [join(generatedDir, 'models')], indexDir: join(tmp, 'index') });
  server = await startServe({ engine, allow: [allowed], staticDir: webRoot, maxPayload: 64 * 1024, rateLimit: { burst: 40, perSecond: 0.001 } });
  ws = await openSocket(server.wsUrl);
  client = createEngineClient(socketEndpoint(ws));
});

afterAll(async () => {
  await client?.dispose();
  ws?.close();
  await server?.close();
  await engine?.dispose();
});

describe('geosift serve: binding and token', () => {
  it('binds 127.0.0.1 by default and prints a URL carrying a 32-character base64url token', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('refuses HTTP requests without the token or with a wrong one (403), serves with it', async () => {
    expect((await get(server.port, '/')).status).toBe(403);
    expect((await get(server.port, '/?token=' + 'x'.repeat(32))).status).toBe(403);
    expect((await get(server.port, '/?token=' + server.token.slice(0, 31))).status).toBe(403);
    const ok = await get(server.port, '/?token=' + server.token);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('/assets/app.js');
    // The cookie set with the page lets its own assets load without the token in their URLs.
    const cookie = String(ok.headers['set-cookie']).split(';')[0];
    expect(cookie).toBe(`geosift_token_${server.port}=${server.token}`);
    expect(String(ok.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await get(server.port, '/assets/app.js', { cookie })).status).toBe(200);
    expect((await get(server.port, '/assets/app.js')).status).toBe(403);
  });

  it('refuses WebSocket upgrades without the token, with a wrong token, or from another origin', async () => {
    const base = `ws://127.0.0.1:${server.port}/rpc`;
    await expect(openSocket(base)).rejects.toThrow('HTTP 403');
    await expect(openSocket(`${base}?token=${'A'.repeat(32)}`)).rejects.toThrow('HTTP 403');
    await expect(openSocket(server.wsUrl, { Origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    const same = await openSocket(server.wsUrl, { Origin: `http://127.0.0.1:${server.port}` });
    same.close();
  });

  it('refuses a Host header naming another machine (DNS rebinding)', async () => {
    expect((await get(server.port, '/?token=' + server.token, { host: `evil.example:${server.port}` })).status).toBe(403);
    await expect(openSocket(server.wsUrl, { Host: `evil.example:${server.port}` })).rejects.toThrow('HTTP 403');
  });
});

describe('geosift serve: only allowed scenes', () => {
  const refusal = (p: Promise<unknown>) => p.then(() => null, (e: { code: string; details?: { refused?: string } }) => [e.code, e.details?.refused]);

  it('opens a scene below an allowed folder, also through a link that stays inside', async () => {
    expect((await client.info(join(allowed, 'scene.tif'))).width).toBeGreaterThan(0);
    expect((await client.info(join(allowed, 'sub', 'link-inside.tif'))).source).toBe(join(allowed, 'scene.tif'));
  });

  it('refuses traversal, encoded traversal, symlink escape, outside files, relative paths and model paths with a code', async () => {
    expect(await refusal(client.info(`${allowed}/../secret.tif`))).toEqual(['E_BAD_ARGUMENT', 'traversal']);
    expect(await refusal(client.info(`${allowed}/%2e%2e/secret.tif`))).toEqual(['E_BAD_ARGUMENT', 'traversal']);
    expect(await refusal(client.info(`${allowed}/sub%2f..%2f..%2fsecret.tif`))).toEqual(['E_BAD_ARGUMENT', 'traversal']);
    expect(await refusal(client.info(join(allowed, 'escape.tif')))).toEqual(['E_BAD_ARGUMENT', 'symlink-escape']);
    expect(await refusal(client.info(join(tmp, 'secret.tif')))).toEqual(['E_BAD_ARGUMENT', 'not-allowed']);
    expect(await refusal(client.info('/etc/passwd'))).toEqual(['E_BAD_ARGUMENT', 'not-allowed']);
    expect(await refusal(client.info('allowed/scene.tif'))).toEqual(['E_BAD_ARGUMENT', 'relative']);
    expect(await refusal(client.info('https://example.com/cog.tif'))).toEqual(['E_BAD_ARGUMENT', 'not-allowed']);
    expect(await refusal(client.search({ scene: join(allowed, 'scene.tif'), query: 'x', model: join(generatedDir, 'models', 'test-clip') }))).toEqual(['E_BAD_ARGUMENT', 'model-path']);
    expect(await refusal(client.similar({ scene: join(allowed, 'scene.tif'), image: join(tmp, 'secret.tif'), model: 'test-clip' }))).toEqual(['E_BAD_ARGUMENT', 'not-allowed']);
    expect(await refusal(client.hitsToGeoJSON({ scene: { source: mosaic } } as never))).toEqual(['E_BAD_ARGUMENT', 'not-allowed']);
  });

  it('a missing file inside an allowed folder is E_FILE_NOT_FOUND', async () => {
    expect(await refusal(client.info(join(allowed, 'nope.tif')))).toEqual(['E_FILE_NOT_FOUND', undefined]);
  });

  it('allowedScenes lists the scene files below the allowed folders, not the link that leads out', async () => {
    const scenes = await client.rpc.call<{ path: string; name: string; bytes: number }[]>('allowedScenes', []);
    expect(scenes.map((s) => s.path)).toEqual([join(allowed, 'scene.tif')]);
  });
});

describe('geosift serve: malformed and abusive messages', () => {
  it('answers malformed JSON, bad envelopes and unknown methods with errors and keeps serving', async () => {
    const sock = await openSocket(server.wsUrl);
    const got = rawMessages(sock);
    sock.send('{not json');
    sock.send(JSON.stringify({ t: 'call', id: 'x', method: 'info', args: [] }));
    sock.send(JSON.stringify({ t: 'call', id: 7, method: 'dispose', args: [] }));
    sock.send(JSON.stringify({ t: 'call', id: 8, method: '__proto__', args: [] }));
    sock.send(JSON.stringify({ t: 'call', id: 9, method: 'catalog', args: [] }));
    const answers = await until(() => (got.length >= 5 ? got : undefined));
    expect(answers.slice(0, 2)).toEqual([
      { t: 'event', name: 'protocol-error', payload: expect.objectContaining({ code: 'E_BAD_ARGUMENT', message: expect.stringContaining('not JSON') }) },
      { t: 'event', name: 'protocol-error', payload: expect.objectContaining({ code: 'E_BAD_ARGUMENT', message: expect.stringContaining('Malformed message') }) },
    ]);
    expect(answers.slice(2)).toEqual([
      { t: 'error', id: 7, error: expect.objectContaining({ code: 'E_BAD_ARGUMENT', message: 'Unknown method dispose' }) },
      { t: 'error', id: 8, error: expect.objectContaining({ code: 'E_BAD_ARGUMENT', message: 'Unknown method __proto__' }) },
      { t: 'result', id: 9, value: [] },
    ]);
    sock.close();
  });

  it('closes a connection that sends a message over the size limit (1009); others keep working', async () => {
    const sock = await openSocket(server.wsUrl);
    const closed = new Promise<number>((resolve) => sock.once('close', (code: number) => resolve(code)));
    sock.send(JSON.stringify({ t: 'call', id: 1, method: 'info', args: ['x'.repeat(70 * 1024)] }));
    expect(await closed).toBe(1009);
    expect(await client.catalog()).toEqual([]);
  });

  it('answers calls beyond the per-connection rate limit with a rate-limit error', async () => {
    const sock = await openSocket(server.wsUrl);
    const got = rawMessages(sock) as { t: string; id: number; error?: { details?: { refused?: string } } }[];
    for (let id = 1; id <= 60; id++) sock.send(JSON.stringify({ t: 'call', id, method: 'catalog', args: [] }));
    await until(() => got.length >= 60);
    const limited = got.filter((m) => m.t === 'error' && m.error?.details?.refused === 'rate-limit');
    expect(got.filter((m) => m.t === 'result')).toHaveLength(40);
    expect(limited).toHaveLength(20);
    sock.close();
    // The limit is per connection: the long-lived client is unaffected.
    expect(await client.catalog()).toEqual([]);
  });
});

describe('geosift serve: static files and headers', () => {
  const auth = () => ({ cookie: `geosift_token_${server.port}=${server.token}` });

  it('refuses static path traversal, raw and percent-encoded, and links leading out of the build', async () => {
    for (const p of ['/../package.json', '/assets/../../secret.tif', '/%2e%2e/secret.tif', '/assets/%2E%2E/%2e%2e/secret.tif', '/..%2fsecret.tif', '/assets/..%5c..%5csecret.tif']) {
      expect((await get(server.port, p, auth())).status, p).toBe(403);
    }
    expect((await get(server.port, '/assets/leak.js', auth())).status).toBe(403);
    expect((await get(server.port, '/%zz', auth())).status).toBe(400);
  });

  it('never lists a directory', async () => {
    const r = await get(server.port, '/assets/', auth());
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('app.js');
  });

  it('sends a strict CSP and nosniff on every response, including refusals', async () => {
    for (const p of ['/', '/assets/app.js', '/nope']) {
      for (const h of [auth(), {}]) {
        const r = await get(server.port, p, h);
        const csp = String(r.headers['content-security-policy']);
        expect(csp).toContain("default-src 'self'");
        expect(csp).toContain("script-src 'self';");
        expect(csp).toContain("img-src 'self' data: blob:");
        expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
        expect(csp).not.toContain('unsafe-inline');
        expect(r.headers['x-content-type-options']).toBe('nosniff');
        expect(r.headers['x-frame-options']).toBe('DENY');
      }
    }
    expect((await get(server.port, '/assets/app.js', auth())).headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('answers 503 with what to run when the web UI is not built', async () => {
    const bare = await startServe({ engine, staticDir: join(tmp, 'no-build') });
    try {
      const r = await get(bare.port, '/?token=' + bare.token);
      expect(r.status).toBe(503);
      expect(r.body).toContain('npm run build');
      expect(r.body).not.toContain('<script');
    } finally {
      await bare.close();
    }
  });
});
