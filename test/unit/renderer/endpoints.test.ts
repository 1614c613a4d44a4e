// The renderer's RPC endpoints (WebSocket-like, MessagePort) carry real engine calls, errors and queued messages.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../main/engine/index.js';
import { portEndpoint, socketEndpoint, type SocketLike } from '../../../renderer/src/engine-client/endpoints.js';
import { engineSocketUrl, pageToken } from '../../../renderer/src/engine-client/serve-config.js';
import { ENGINE_METHODS } from '../../../shared/protocol/engine-api.js';
import { ErrorCodes, EngineError } from '../../../shared/protocol/errors.js';
import { createEngineClient } from '../../../shared/rpc/engine-client.js';
import { serveRpc, type Endpoint } from '../../../shared/rpc/rpc.js';
import { generatedDir, requireData } from '../../helpers/paths.js';

const engine = createEngine({ modelSearchPaths: [join(generatedDir, 'models')], defaultModel: 'test-clip', indexDir: false });
const mosaic = requireData(join(generatedDir, 'mosaic', 'ucm-mosaic.tif'));
const notTiff = requireData(join(generatedDir, 'rasters', 'not-a-tiff.tif'));
afterAll(() => engine.dispose());

type Listener = (event: { data: unknown }) => void;

/** One end of an in-memory text socket pair, shaped like a browser WebSocket (what a real one does asynchronously). */
class FakeSocket implements SocketLike {
  readyState = 0;
  peer: FakeSocket | null = null;
  sent: string[] = [];
  private listeners = { message: new Set<Listener>(), open: new Set<() => void>(), close: new Set<() => void>() };
  send(data: string) {
    if (this.readyState !== 1) throw new Error('InvalidStateError');
    this.sent.push(data);
    const peer = this.peer!;
    queueMicrotask(() => peer.listeners.message.forEach((l) => l({ data })));
  }
  addEventListener(type: 'message' | 'open' | 'close', listener: Listener | (() => void)) {
    (this.listeners[type] as Set<unknown>).add(listener);
  }
  removeEventListener(type: 'message' | 'open' | 'close', listener: Listener | (() => void)) {
    (this.listeners[type] as Set<unknown>).delete(listener);
  }
  open() {
    this.readyState = 1;
    this.listeners.open.forEach((l) => l());
  }
  close() {
    this.readyState = 3;
  }
}

function socketPair(): [FakeSocket, FakeSocket] {
  const a = new FakeSocket();
  const b = new FakeSocket();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

describe('socketEndpoint', () => {
  it('queues calls made before the socket opens and carries results and engine errors as JSON text', async () => {
    const [page, server] = socketPair();
    server.readyState = 1;
    const stop = serveRpc(engine, ENGINE_METHODS, socketEndpoint(server));
    const client = createEngineClient(socketEndpoint(page));
    const info = client.info(mosaic);
    expect(page.sent).toHaveLength(0);
    page.open();
    expect(page.sent).toHaveLength(1);
    expect(JSON.parse(page.sent[0])).toMatchObject({ t: 'call', method: 'info', args: [mosaic] });
    const got = await info;
    expect(got).toEqual(await engine.info(mosaic));
    const err = await client.info(notTiff).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe(ErrorCodes.NOT_TIFF);
    stop();
    await client.dispose();
  });

  it('ignores frames that are not JSON, and refuses to post on a closed socket', () => {
    const [page] = socketPair();
    const ep: Endpoint = socketEndpoint(page);
    const seen: unknown[] = [];
    ep.onMessage((m) => seen.push(m));
    (page as unknown as { listeners: { message: Set<Listener> } }).listeners.message.forEach((l) => {
      l({ data: 'not json' });
      l({ data: new ArrayBuffer(2) });
      l({ data: '{"t":"event","name":"x","payload":1}' });
    });
    expect(seen).toEqual([{ t: 'event', name: 'x', payload: 1 }]);
    page.close();
    expect(() => ep.post({ t: 'cancel', id: 1 })).toThrow(/closed/);
  });
});

describe('portEndpoint', () => {
  it('carries engine calls over a real MessageChannel (structured clone, no JSON)', async () => {
    const { port1, port2 } = new MessageChannel();
    const stop = serveRpc(engine, ENGINE_METHODS, portEndpoint(port2 as unknown as Parameters<typeof portEndpoint>[0]));
    const client = createEngineClient(portEndpoint(port1 as unknown as Parameters<typeof portEndpoint>[0]));
    const info = await client.info(mosaic);
    expect(info.width).toBe(1536);
    expect(info.crs?.epsg).toBe(32611);
    stop();
    await client.dispose();
    port1.close();
    port2.close();
  });
});

describe('serve URL layout', () => {
  it('builds the engine socket URL from the page URL and its token', () => {
    expect(engineSocketUrl({ protocol: 'http:', host: '127.0.0.1:4173', search: '?token=a%2Bb' })).toBe('ws://127.0.0.1:4173/rpc?token=a%2Bb');
    expect(engineSocketUrl({ protocol: 'https:', host: 'example.org', search: '?token=t' })).toBe('wss://example.org/rpc?token=t');
    // Without a token the cookie the page was served with authorises the socket.
    expect(engineSocketUrl({ protocol: 'http:', host: 'localhost:1', search: '' })).toBe('ws://localhost:1/rpc');
    expect(pageToken({ protocol: 'http:', host: 'h', search: '?x=1&token=abc' })).toBe('abc');
  });
});
