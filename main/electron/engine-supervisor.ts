// Keeps the engine host (an Electron utilityProcess) running: starts it, hands it a port per window, restarts it with backoff after a crash, tells windows why.
import type { Grant } from './grants.js';

/** The parts of Electron's UtilityProcess the supervisor uses. */
export interface ChildLike {
  postMessage(message: unknown, transfer?: unknown[]): void;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  kill(): boolean;
}

/** A MessageChannelMain's two ends. */
export interface ChannelLike<P> {
  port1: P;
  port2: P;
}

export type EngineStatus =
  | { state: 'running'; restarts: number }
  | { state: 'restarting'; reason: string; exitCode: number; retryInMs: number; restarts: number }
  | { state: 'failed'; reason: string; exitCode: number; restarts: number };

export interface WindowLink<P> {
  /** Hands the window its end of a fresh channel, with the reason when it replaces one that died. */
  sendPort(port: P, reason: string | null): void;
  sendStatus(status: EngineStatus): void;
  /** Main's grants for this window, replayed to a restarted host before the window gets its port. */
  grants(): Grant[];
}

export interface SupervisorOptions<P> {
  fork(): ChildLike;
  createChannel(): ChannelLike<P>;
  /** Injected so tests drive time; Electron uses setTimeout. */
  setTimer(fn: () => void, ms: number): unknown;
  now(): number;
  /** Crashes in a row before giving up (the user can restart from the UI). Default 5. */
  maxConsecutiveCrashes?: number;
  /** A host that stayed up this long resets the crash count. Default 60 s. */
  stableMs?: number;
}

/** 0.5 s, 1 s, 2 s, 4 s ... capped at 30 s. */
export function restartDelayMs(consecutiveCrashes: number): number {
  return Math.min(30_000, 500 * 2 ** Math.max(0, consecutiveCrashes - 1));
}

/** A sentence for the UI from the exit code and, when Electron reported it, child-process-gone's reason. */
export function describeExit(exitCode: number, goneReason: string | null): string {
  const why: Record<string, string> = {
    crashed: 'it crashed',
    oom: 'it ran out of memory',
    killed: 'it was killed',
    'abnormal-exit': 'it exited abnormally',
    'launch-failed': 'it could not be started',
    'integrity-failure': 'the app files failed their integrity check',
  };
  const base = goneReason && why[goneReason] ? why[goneReason] : exitCode === 0 ? 'it exited' : 'it exited unexpectedly';
  return `The engine stopped: ${base} (exit code ${exitCode}).`;
}

export class EngineSupervisor<P> {
  private child: ChildLike | null = null;
  private startedAt = 0;
  private crashes = 0;
  private restarts = 0;
  private stopping = false;
  private goneReason: string | null = null;
  private nextReq = 1;
  private readonly pending = new Map<number, { resolve: (path: string) => void; reject: (e: Error) => void }>();
  private readonly windows = new Map<number, WindowLink<P>>();
  status: EngineStatus = { state: 'running', restarts: 0 };

  constructor(private readonly o: SupervisorOptions<P>) {}

  start(): void {
    this.stopping = false;
    const child = this.o.fork();
    this.child = child;
    this.startedAt = this.o.now();
    child.on('message', (m) => this.onReply(m));
    child.on('exit', (code) => this.onExit(child, code));
    this.status = { state: 'running', restarts: this.restarts };
    for (const [id, w] of this.windows) void this.connect(id, w, this.restarts > 0 ? 'restarted' : null);
  }

  /** Electron's app 'child-process-gone' for our utility process: remembered for the exit that follows. */
  noteGone(reason: string): void {
    this.goneReason = reason;
  }

  addWindow(windowId: number, link: WindowLink<P>): Promise<void> {
    this.windows.set(windowId, link);
    return this.connect(windowId, link, null);
  }

  /** The window reloaded and asks again: a fresh channel, same grants. */
  reconnect(windowId: number): Promise<void> {
    const w = this.windows.get(windowId);
    return w ? this.connect(windowId, w, null) : Promise.resolve();
  }

  removeWindow(windowId: number): void {
    this.windows.delete(windowId);
    this.child?.postMessage({ type: 'disconnect', windowId });
  }

  /** Tells the host a window may open `grant.path`; resolves with the canonical path once the host accepts it. */
  grant(windowId: number, g: Grant): Promise<string> {
    const child = this.child;
    if (!child) return Promise.reject(new Error('The engine is restarting; try again in a moment.'));
    const reqId = this.nextReq++;
    return new Promise((resolve, reject) => {
      this.pending.set(reqId, { resolve, reject });
      child.postMessage({ type: 'grant', reqId, windowId, kind: g.kind, path: g.path });
    });
  }

  stop(): void {
    this.stopping = true;
    this.child?.kill();
    this.child = null;
  }

  private async connect(windowId: number, w: WindowLink<P>, reason: string | null): Promise<void> {
    const child = this.child;
    if (!child) return;
    const { port1, port2 } = this.o.createChannel();
    const notice = reason ? { name: 'engine-restarted', payload: { reason: this.lastReason ?? reason, restarts: this.restarts } } : undefined;
    child.postMessage({ type: 'connect', windowId, notice }, [port1]);
    // Grants go first, so the window's first call after the hand-over finds its scenes allowed.
    await Promise.all(w.grants().map((g) => this.grant(windowId, g).catch(() => undefined)));
    if (this.child !== child) return;
    w.sendPort(port2, reason ? this.lastReason : null);
    w.sendStatus(this.status);
  }

  private lastReason: string | null = null;

  private onReply(m: unknown): void {
    const r = m as { type?: string; reqId?: number; path?: string; error?: { message?: string } };
    if (typeof r?.reqId !== 'number') return;
    const p = this.pending.get(r.reqId);
    if (!p) return;
    this.pending.delete(r.reqId);
    if (r.type === 'granted' && typeof r.path === 'string') p.resolve(r.path);
    else p.reject(new Error(r.error?.message ?? 'The engine refused the file'));
  }

  private onExit(child: ChildLike, code: number): void {
    if (child !== this.child && this.child !== null) return;
    this.child = null;
    for (const p of this.pending.values()) p.reject(new Error('The engine stopped before it answered'));
    this.pending.clear();
    if (this.stopping) return;
    const reason = describeExit(code, this.goneReason);
    this.goneReason = null;
    this.lastReason = reason;
    const stable = this.o.now() - this.startedAt >= (this.o.stableMs ?? 60_000);
    this.crashes = stable ? 1 : this.crashes + 1;
    if (this.crashes > (this.o.maxConsecutiveCrashes ?? 5)) {
      this.status = { state: 'failed', reason: `${reason} It failed ${this.crashes} times in a row; restart Geosift.`, exitCode: code, restarts: this.restarts };
      for (const w of this.windows.values()) w.sendStatus(this.status);
      return;
    }
    const retryInMs = restartDelayMs(this.crashes);
    this.status = { state: 'restarting', reason, exitCode: code, retryInMs, restarts: this.restarts };
    for (const w of this.windows.values()) w.sendStatus(this.status);
    this.o.setTimer(() => {
      if (this.stopping) return;
      this.restarts++;
      this.start();
    }, retryInMs);
  }
}
