// The engine supervisor against the real host logic: an in-process stand-in for the utilityProcess, real MessageChannels.
import { EventEmitter } from 'node:events';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../../main/engine/index.js';
import { describeExit, EngineSupervisor, restartDelayMs, type ChildLike, type EngineStatus } from '../../../../main/electron/engine-supervisor.js';
import { GrantStore } from '../../../../main/electron/grants.js';
import { createHost } from '../../../../main/host/host.js';
import { portEndpoint } from '../../../../main/host/port-endpoint.js';
import { createEngineClient, type RemoteEngine } from '../../../../shared/rpc/engine-client.js';
import { generatedDir } from '../../../helpers/paths.js';

const mosaic = realpathSync(join(generatedDir, 'mosaic', 'ucm-mosaic.tif'));
const engine = createEngine({ modelSearchPaths: [join(generatedDir, 'models')], indexDir: false });
const ports: MessagePort[] = [];
afterAll(async () => {
  for (const p of ports) p.close();
  await engine.dispose();
});

/** Stands in for utilityProcess.fork(host-main.js): the same createHost the entry file runs, in this process. */
function inProcessHost(): ChildLike & { crash(code: number): void } {
  const ee = new EventEmitter();
  const host = createHost(engine);
  const child = {
    postMessage(m: unknown, transfer?: unknown[]) {
      void host.handle(m, (transfer ?? []) as MessagePort[]).then((reply) => reply && ee.emit('message', reply));
    },
    on(event: string, listener: (...a: any[]) => void) {
      ee.on(event, listener);
      return child;
    },
    kill() {
      host.close();
      ee.emit('exit', 0);
      return true;
    },
    crash(code: number) {
      host.close();
      ee.emit('exit', code);
    },
  };
  return child as ChildLike & { crash(code: number): void };
}

function setup(maxConsecutiveCrashes = 5) {
  const children: ReturnType<typeof inProcessHost>[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  let clock = 0;
  const sup = new EngineSupervisor<MessagePort>({
    fork: () => {
      const c = inProcessHost();
      children.push(c);
      return c;
    },
    createChannel: () => {
      const ch = new MessageChannel();
      ports.push(ch.port1, ch.port2);
      return ch;
    },
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    now: () => clock,
    maxConsecutiveCrashes,
  });
  const grants = new GrantStore();
  const win = { clients: [] as RemoteEngine[], reasons: [] as (string | null)[], statuses: [] as EngineStatus[], events: [] as unknown[], onPort: undefined as (() => void) | undefined };
  const portArrived = () => new Promise<void>((r) => (win.onPort = r));
  const link = {
    sendPort(port: MessagePort, reason: string | null) {
      const c = createEngineClient(portEndpoint(port));
      c.rpc.onEvent((name, payload) => win.events.push([name, payload]));
      win.clients.push(c);
      win.reasons.push(reason);
      win.onPort?.();
    },
    sendStatus: (s: EngineStatus) => win.statuses.push(s),
    grants: () => grants.list(1),
  };
  return { sup, children, timers, win, link, grants, portArrived, advance: (ms: number) => (clock += ms) };
}

describe('engine supervisor', () => {
  it('hands a window its port; the window may open only what main granted', async () => {
    const { sup, win, link, grants } = setup();
    sup.start();
    await sup.addWindow(1, link);
    expect(win.reasons).toEqual([null]);
    await expect(win.clients[0].info(mosaic)).rejects.toMatchObject({ details: { refused: 'not-allowed' } });
    const canonical = await sup.grant(1, { kind: 'file', path: mosaic });
    grants.add(1, { kind: 'file', path: canonical });
    expect((await win.clients[0].info(mosaic)).width).toBe(1536);
    await expect(sup.grant(1, { kind: 'file', path: join(generatedDir, 'missing.tif') })).rejects.toThrow('does not exist');
    sup.stop();
  });

  it('after a crash: tells the window why, restarts after the backoff, replays grants, sends a new port with an event', async () => {
    const { sup, children, timers, win, link, grants, portArrived } = setup();
    sup.start();
    await sup.addWindow(1, link);
    grants.add(1, { kind: 'file', path: await sup.grant(1, { kind: 'file', path: mosaic }) });
    sup.noteGone('crashed');
    children[0].crash(3);
    expect(win.statuses.at(-1)).toEqual({ state: 'restarting', reason: 'The engine stopped: it crashed (exit code 3).', exitCode: 3, retryInMs: 500, restarts: 0 });
    expect(timers.map((t) => t.ms)).toEqual([500]);
    const arrived = portArrived();
    timers[0].fn();
    await arrived;
    expect(children).toHaveLength(2);
    expect(win.reasons).toEqual([null, 'The engine stopped: it crashed (exit code 3).']);
    // The new host knows the window's grants before the window gets the port: no grant from the page needed.
    expect((await win.clients[1].info(mosaic)).height).toBe(1536);
    expect(win.events).toEqual([['engine-restarted', { reason: 'The engine stopped: it crashed (exit code 3).', restarts: 1 }]]);
    expect(win.statuses.at(-1)).toEqual({ state: 'running', restarts: 1 });
    sup.stop();
  });

  it('backs off 0.5, 1, 2, 4, 8 s on crashes in a row, then gives up and says so', async () => {
    const { sup, children, timers, win } = setup(5);
    sup.start();
    for (let i = 0; i < 6; i++) {
      children.at(-1)!.crash(1);
      if (i < 5) timers.at(-1)!.fn();
    }
    expect(timers.map((t) => t.ms)).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(win.statuses).toEqual([]);
    expect(sup.status).toMatchObject({ state: 'failed', exitCode: 1 });
    expect((sup.status as { reason: string }).reason).toContain('failed 6 times in a row');
  });

  it('a host that ran a while before crashing starts the backoff over', () => {
    const { sup, children, timers, advance } = setup();
    sup.start();
    children[0].crash(1);
    timers[0].fn();
    children[1].crash(1);
    timers[1].fn();
    advance(120_000);
    children[2].crash(1);
    expect(timers.map((t) => t.ms)).toEqual([500, 1000, 500]);
    sup.stop();
  });

  it('does not restart a host it stopped itself (quit)', () => {
    const { sup, timers } = setup();
    sup.start();
    sup.stop();
    expect(timers).toEqual([]);
  });

  it('describes exits in words, and caps the backoff at 30 s', () => {
    expect(describeExit(137, 'oom')).toBe('The engine stopped: it ran out of memory (exit code 137).');
    expect(describeExit(1, null)).toBe('The engine stopped: it exited unexpectedly (exit code 1).');
    expect(restartDelayMs(1)).toBe(500);
    expect(restartDelayMs(20)).toBe(30_000);
  });
});
