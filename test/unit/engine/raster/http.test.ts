// Remote COGs over HTTP range requests, served by a local server on 127.0.0.1.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openScene } from '../../../../main/engine/raster/open-scene.js';
import { requireData, scenePath } from '../../../helpers/paths.js';

const TCI = requireData(scenePath('titiler_tests_fixtures/TCI.tif'));
const root = join(TCI, '..');
let server: Server;
let base = '';
let bytesServed = 0;
let fullRequests = 0;
let rangeRequests = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const name = basename(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const path = join(root, name);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      res.writeHead(404).end();
      return;
    }
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'Content-Length': size, 'Accept-Ranges': 'bytes' }).end();
      return;
    }
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (!m) {
      fullRequests++;
      bytesServed += size;
      res.writeHead(200, { 'Content-Length': size, 'Accept-Ranges': 'bytes' });
      createReadStream(path).pipe(res);
      return;
    }
    const start = Number(m[1]);
    const end = Math.min(size - 1, m[2] ? Number(m[2]) : size - 1);
    rangeRequests++;
    bytesServed += end - start + 1;
    res.writeHead(206, { 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Accept-Ranges': 'bytes' });
    createReadStream(path, { start, end }).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('openScene over HTTP', () => {
  it('opens a COG with range requests and reads the same pixels as from disk', async () => {
    const local = await openScene(TCI);
    const remote = await openScene(`${base}/TCI.tif`);
    try {
      const { source: _a, ...l } = local.info;
      const { source: _b, ...r } = remote.info;
      expect(r).toEqual(l);
      expect(remote.info.fileSize).toBe(statSync(TCI).size);
      bytesServed = 0;
      const win = { x: 400, y: 300, width: 128, height: 96 };
      const a = await local.readWindow(win, { bands: [0, 1, 2] });
      const b = await remote.readWindow(win, { bands: [0, 1, 2], level: 0 });
      expect(b.bands.map((x) => Array.from(x))).toEqual(a.bands.map((x) => Array.from(x)));
      expect(Array.from(b.valid)).toEqual(Array.from(a.valid));
      const ovr = await remote.readWindow({ x: 0, y: 0, width: 1098, height: 1098 }, { bands: [0], level: 3 });
      expect([ovr.width, ovr.height]).toEqual([138, 138]);
      // Only the blocks under the windows travelled, never the whole file.
      expect(fullRequests).toBe(0);
      expect(rangeRequests).toBeGreaterThan(0);
      expect(bytesServed).toBeLessThan(statSync(TCI).size / 2);
    } finally {
      await local.close();
      await remote.close();
    }
  });

  it('a missing remote file -> E_FILE_NOT_FOUND', async () => {
    await expect(openScene(`${base}/missing.tif`)).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
  });

  it('an unreachable server -> E_NETWORK', async () => {
    // Bind and release a port so that nothing listens on it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await expect(openScene(`http://127.0.0.1:${port}/TCI.tif`)).rejects.toMatchObject({ code: 'E_NETWORK' });
  });
});
