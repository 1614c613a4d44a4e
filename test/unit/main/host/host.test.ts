// The utility-process host's control protocol, on worker_threads MessageChannels: per-window ports, grants, notices.
import { EventEmitter } from 'node:events';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../../main/engine/index.js';
import { createHost } from '../../../../main/host/host.js';
import { hostEngineOptions } from '../../../../main/host/host-main.js';
import { electronPortEndpoint, portEndpoint, type PortLike } from '../../../../main/host/port-endpoint.js';
import { createEngineClient } from '../../../../shared/rpc/engine-client.js';
import { generatedDir } from '../../../helpers/paths.js';

const mosaic = realpathSync(join(generatedDir, 'mosaic', 'ucm-mosaic.tif'));
const engine = createEngine({ modelSearchPaths: [join(generatedDir, 'models')], indexDir: false });
const host = createHost(engine);
const open: MessagePort[] = [];

afterAll(async () => {
  host.close();
  for (const p of open) p.close();
  await engine.dispose();
});

async function connect(windowId: number, notice?: { name: string; payload: unknown }) {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  await host.handle({ type: 'connect', windowId, notice }, [port1]);
  return { client: createEngineClient(portEndpoint(port2)), port: port2 };
}

describe('engine host', () => {
  it('serves each window only the paths main granted to that window', async () => {
    const a = await connect(1);
    const b = await connect(2);
    await expect(a.client.info(mosaic)).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT', details: { refused: 'not-allowed' } });
    expect(await host.handle({ type: 'grant', reqId: 5, windowId: 1, kind: 'file', path: mosaic }, [])).toEqual({ type: 'granted', reqId: 5, path: mosaic });
    expect((await a.client.info(mosaic)).width).toBe(1536);
    await expect(b.client.info(mosaic)).rejects.toMatchObject({ details: { refused: 'not-allowed' } });
  });

  it('answers a grant of a missing file with the engine error, and bad control messages with protocol-error', async () => {
    const r = await host.handle({ type: 'grant', reqId: 6, windowId: 1, kind: 'file', path: join(generatedDir, 'nope.tif') }, []);
    expect(r).toMatchObject({ type: 'grant-failed', reqId: 6, error: { code: 'E_FILE_NOT_FOUND' } });
    expect(await host.handle({ type: 'grant', reqId: 7, windowId: 1, kind: 'url', path: 'file:///etc/passwd' }, [])).toMatchObject({ type: 'grant-failed', error: { code: 'E_BAD_ARGUMENT' } });
    expect(await host.handle({ type: 'explode', windowId: 1 }, [])).toMatchObject({ type: 'protocol-error' });
    expect(await host.handle('nonsense', [])).toMatchObject({ type: 'protocol-error' });
    expect(await host.handle({ type: 'connect', windowId: 9 }, [])).toEqual({ type: 'protocol-error', message: 'connect carries no port' });
  });

  it('tells a reconnected window why, with an event on its new port, and keeps its grants', async () => {
    const { client } = await connect(1, { name: 'engine-restarted', payload: { reason: 'crashed', exitCode: 3 } });
    const events: unknown[] = [];
    client.rpc.onEvent((name, payload) => events.push([name, payload]));
    expect((await client.info(mosaic)).height).toBe(1536);
    expect(events).toEqual([['engine-restarted', { reason: 'crashed', exitCode: 3 }]]);
  });

  it('stops serving a window after disconnect; its grants are gone', async () => {
    const { client } = await connect(3);
    await host.handle({ type: 'grant', reqId: 8, windowId: 3, kind: 'file', path: mosaic }, []);
    await host.handle({ type: 'disconnect', windowId: 3 }, []);
    const again = await connect(3);
    await expect(again.client.info(mosaic)).rejects.toMatchObject({ details: { refused: 'not-allowed' } });
    client.rpc.close();
  });

  it('reads Electron MessagePortMain events ({data}) through the electron adapter', async () => {
    const { port1, port2 } = new MessageChannel();
    open.push(port1, port2);
    // MessagePortMain's shape: emits MessageEvent-like {data, ports}; the adapter must unwrap it.
    const main = new EventEmitter() as EventEmitter & PortLike;
    main.postMessage = (m: unknown) => port2.postMessage(m);
    port2.on('message', (data) => main.emit('message', { data, ports: [] }));
    const seen: unknown[] = [];
    electronPortEndpoint(main).onMessage((m) => seen.push(m));
    port1.postMessage({ t: 'event', name: 'x', payload: 1 });
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([{ t: 'event', name: 'x', payload: 1 }]);
  });

  it('reads its engine options from the arguments main forks it with', () => {
    expect(hostEngineOptions(['--models', '/a', '--models', '/b', '--index', '/i'])).toEqual({ modelSearchPaths: ['/a', '/b'], indexDir: '/i' });
    expect(hostEngineOptions([])).toEqual({});
  });
});
