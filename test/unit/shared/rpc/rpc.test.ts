// The transport-neutral rpc: calls, progress, cancel, events, closing, and what a server refuses, over an in-memory channel.
import { describe, expect, it } from 'vitest';
import { EngineError, ErrorCodes, throwIfAborted } from '../../../../shared/protocol/errors.js';
import type { TaskContext } from '../../../../shared/protocol/progress.js';
import { createRpcClient, serveRpc, type Endpoint, type RpcMessage } from '../../../../shared/rpc/rpc.js';

/** Two endpoints joined like a MessageChannel: messages are structured-cloned and delivered asynchronously. */
function pair(): [Endpoint, Endpoint, RpcMessage[]] {
  const log: RpcMessage[] = [];
  const make = (peer: () => Set<(m: unknown) => void>): Endpoint & { listeners: Set<(m: unknown) => void> } => {
    const listeners = new Set<(m: unknown) => void>();
    return {
      listeners,
      post(m) {
        log.push(m);
        const copy = structuredClone(m);
        queueMicrotask(() => peer().forEach((l) => l(copy)));
      },
      onMessage(l) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
  };
  const a: ReturnType<typeof make> = make(() => b.listeners);
  const b: ReturnType<typeof make> = make(() => a.listeners);
  return [a, b, log];
}

const api = {
  async add(x: number, y: number) {
    return x + y;
  },
  async slow(n: number, ctx: TaskContext) {
    for (let i = 0; i < n; i++) {
      throwIfAborted(ctx.signal);
      ctx.onProgress?.({ stage: 'work', done: i + 1, total: n });
      await new Promise((r) => setImmediate(r));
    }
    return 'finished';
  },
  async fail() {
    throw new EngineError(ErrorCodes.NOT_TIFF, '/x.tif is not a TIFF file');
  },
  async bug() {
    throw new TypeError('undefined is not a function');
  },
  secret: async () => 'never',
};
const arity = { add: 2, slow: 1, fail: 0, bug: 0 };

describe('rpc', () => {
  it('returns results and streams progress to the caller', async () => {
    const [server, client] = pair();
    serveRpc(api, arity, server);
    const rpc = createRpcClient(client);
    expect(await rpc.call('add', [2, 3])).toBe(5);
    const seen: number[] = [];
    expect(await rpc.call('slow', [3], { onProgress: (e) => seen.push(e.done) })).toBe('finished');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('cancels a running call: the server task sees the abort, the caller gets E_CANCELED', async () => {
    const [server, client, log] = pair();
    serveRpc(api, arity, server);
    const rpc = createRpcClient(client);
    const c = new AbortController();
    const p = rpc.call('slow', [1000], { signal: c.signal, onProgress: (e) => e.done === 2 && c.abort() });
    await expect(p).rejects.toMatchObject({ code: 'E_CANCELED' });
    expect(log.some((m) => m.t === 'cancel')).toBe(true);
    await expect(rpc.call('add', [1, 1], { signal: c.signal })).rejects.toMatchObject({ code: 'E_CANCELED' });
  });

  it('rebuilds errors with their code; unexpected exceptions become E_INTERNAL', async () => {
    const [server, client] = pair();
    serveRpc(api, arity, server);
    const rpc = createRpcClient(client);
    const e = await rpc.call('fail', []).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EngineError);
    expect(e).toMatchObject({ code: 'E_NOT_TIFF', message: '/x.tif is not a TIFF file' });
    await expect(rpc.call('bug', [])).rejects.toMatchObject({ code: 'E_INTERNAL', message: 'undefined is not a function' });
  });

  it('refuses methods outside the allow-list, too many arguments and oversized arguments', async () => {
    const [server, client] = pair();
    serveRpc(api, arity, server, { maxArgChars: 100 });
    const rpc = createRpcClient(client);
    await expect(rpc.call('secret', [])).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT', message: 'Unknown method secret' });
    await expect(rpc.call('toString', [])).rejects.toMatchObject({ message: 'Unknown method toString' });
    await expect(rpc.call('add', [1, 2, 3])).rejects.toMatchObject({ message: 'add takes 2 argument(s)' });
    await expect(rpc.call('add', ['x'.repeat(200), 1])).rejects.toMatchObject({ message: expect.stringContaining('arguments too large') });
    expect(await rpc.call('add', [1, 2])).toBe(3);
  });

  it('delivers server events and fails pending calls when the client closes', async () => {
    const [server, client] = pair();
    serveRpc(api, arity, server);
    const rpc = createRpcClient(client);
    const events: unknown[] = [];
    rpc.onEvent((name, payload) => events.push([name, payload]));
    server.post({ t: 'event', name: 'engine-restarted', payload: { reason: 'x' } });
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual([['engine-restarted', { reason: 'x' }]]);
    const pending = rpc.call('slow', [1000]);
    rpc.close('gone');
    await expect(pending).rejects.toMatchObject({ code: 'E_INTERNAL', message: 'gone' });
    await expect(rpc.call('add', [1, 1])).rejects.toMatchObject({ message: 'The engine connection is closed' });
    rpc.close();
  });

  it('stopping the server aborts its running calls', async () => {
    const [server, client] = pair();
    let aborted = false;
    const stop = serveRpc({ wait: (ctx: TaskContext) => new Promise((_r, reject) => ctx.signal!.addEventListener('abort', () => ((aborted = true), reject(new Error('stopped'))))) }, { wait: 0 }, server);
    const rpc = createRpcClient(client);
    void rpc.call('wait', []).catch(() => undefined);
    await new Promise((r) => setImmediate(r));
    stop();
    expect(aborted).toBe(true);
  });
});
