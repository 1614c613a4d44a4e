// A small pool of worker threads for the CPU-bound block decoders (LZW, PackBits, ZSTD's WASM build): the blocks of
// one window decode in parallel on all cores and the main thread stays free (indexing overlaps decoding with inference).
//
// - Started on first use; min(available cores, 4) workers by default (GEOSIFT_DECODE_THREADS overrides; 0 turns the
//   pool off). Until a worker is ready, and when workers cannot start at all, blocks decode inline: same code, same
//   bounds, same errors (block-codecs.ts).
// - Workers are unref'd while idle and ref'd while they hold a block, so they never keep the process alive but a read
//   in progress is never cut short.
// - Compressed bytes go in and pixels come back by transferring their ArrayBuffer. A block that is a view into a
//   larger read (a coalesced run of blocks) is copied out first, since the rest of the run is still in use.
// - The output bound travels with the block and is enforced inside the worker: a decompression bomb is refused there.
// - A worker that dies (crash, out of memory, terminated) fails the block it held with an error naming the block and
//   is replaced; after several workers die before becoming ready the pool gives up and decodes inline.
// - An aborted signal rejects the block's promise at once (AbortError); a worker already on it finishes and its
//   result is dropped.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { decodeWith, type PoolCodec } from './block-codecs.js';
import type { DecodeReply, DecodeRequest } from './decode-worker.js';
import { workerEntry } from '../worker-entry.js';

export type { PoolCodec };

interface Job {
  id: number;
  codec: PoolCodec;
  input: Uint8Array;
  limit: number;
  /** Names the block in the error a dead worker leaves behind. */
  label: string;
  resolve(out: Uint8Array): void;
  reject(e: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
  settled: boolean;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | null;
}

export interface DecodePoolOptions {
  /** Worker count; default min(available cores, 4), or GEOSIFT_DECODE_THREADS. 0: decode inline. */
  size?: number;
}

/** Workers that may die before becoming ready, in a row, before the pool gives up and decodes inline. */
const MAX_START_FAILURES = 3;

/** The plain AbortError the raster readers throw (readWindow turns it into E_CANCELED). */
export function abortError(): Error {
  return Object.assign(new Error('Canceled'), { name: 'AbortError' });
}

function defaultSize(): number {
  const env = process.env.GEOSIFT_DECODE_THREADS;
  if (env !== undefined && env !== '' && Number.isFinite(Number(env))) return Math.max(0, Math.min(16, Math.floor(Number(env))));
  return Math.max(1, Math.min(availableParallelism(), 4));
}

export class DecodePool {
  readonly size: number;
  private slots: Slot[] = [];
  private queue: Job[] = [];
  private nextId = 1;
  private started = false;
  private disposed = false;
  private startFailures = 0;
  private entry: { url: URL; execArgv?: string[] } | null = null;
  private readyWaiters: (() => void)[] = [];

  constructor(options: DecodePoolOptions = {}) {
    this.size = options.size ?? defaultSize();
  }

  /** True while at least one worker is ready to take blocks. */
  get ready(): boolean {
    return this.slots.some((s) => s.ready);
  }

  /** Workers alive (ready or starting), for tests. */
  get workers(): readonly Worker[] {
    return this.slots.map((s) => s.worker);
  }

  /** Starts the workers if they are not started; resolves once one is ready (or the pool decodes inline). */
  start(): Promise<void> {
    this.ensureStarted();
    if (this.ready || this.usable() === false) return Promise.resolve();
    // Someone waits for a worker: starting workers keep the process alive until they are ready.
    for (const s of this.slots) if (!s.ready) s.worker.ref();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /**
   * Decodes one block in a worker, or inline while no worker is ready. Resolves with at most `limit` bytes; rejects
   * with the decoder's error, an error naming `label` when the worker died, or an AbortError.
   */
  decode(codec: PoolCodec, input: Uint8Array, limit: number, label: string, signal?: AbortSignal): Promise<Uint8Array> {
    if (signal?.aborted) return Promise.reject(abortError());
    this.ensureStarted();
    if (!this.ready) return decodeWith(codec, input, limit);
    return new Promise<Uint8Array>((resolve, reject) => {
      const job: Job = { id: this.nextId++, codec, input, limit, label, resolve, reject, signal, settled: false };
      if (signal) {
        job.onAbort = () => {
          const i = this.queue.indexOf(job);
          if (i >= 0) this.queue.splice(i, 1);
          this.settle(job, abortError(), null);
        };
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.pump();
    });
  }

  /** Stops the workers; blocks in flight fail, later decodes run inline. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const slots = this.slots;
    this.slots = [];
    for (const job of this.queue.splice(0)) this.settle(job, new Error('the decode pool was shut down'), null);
    for (const s of slots) if (s.job) this.settle(s.job, new Error(`${s.job.label}: the decode pool was shut down while decoding it`), null);
    this.wakeReadyWaiters();
    await Promise.all(slots.map((s) => s.worker.terminate().catch(() => undefined)));
  }

  private usable(): boolean {
    return !this.disposed && this.size > 0 && this.startFailures < MAX_START_FAILURES && this.entry !== null;
  }

  private ensureStarted(): void {
    if (this.started) return;
    this.started = true;
    if (this.size <= 0 || this.disposed) return;
    try {
      this.entry = workerEntry(import.meta.url, 'decode-worker');
    } catch {
      this.entry = null;
      return;
    }
    for (let i = 0; i < this.size; i++) this.spawn();
  }

  private spawn(): void {
    if (!this.usable() || !this.entry) return;
    let worker: Worker;
    try {
      worker = new Worker(this.entry.url, { execArgv: this.entry.execArgv, stdout: false, stderr: false });
    } catch {
      this.startFailures++;
      this.wakeReadyWaiters();
      return;
    }
    const slot: Slot = { worker, ready: false, job: null };
    this.slots.push(slot);
    worker.on('message', (m: DecodeReply | { ready: true }) => {
      if ('ready' in m) {
        slot.ready = true;
        if (!slot.job) worker.unref();
        this.startFailures = 0;
        this.wakeReadyWaiters();
        this.pump();
        return;
      }
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      slot.job = null;
      worker.unref();
      if (m.ok) this.settle(job, null, m.out);
      else this.settle(job, Object.assign(new Error(m.message), { name: m.name }), null);
      this.pump();
    });
    // An uncaught error in the worker ends it: 'exit' follows and does the cleanup.
    worker.on('error', () => undefined);
    worker.on('exit', (code) => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return; // disposed
      this.slots.splice(i, 1);
      if (!slot.ready) this.startFailures++;
      if (slot.job) this.settle(slot.job, new Error(`${slot.job.label}: its decoder worker stopped (exit code ${code}) while decoding it; the block may be corrupt`), null);
      slot.job = null;
      this.spawn();
      if (!this.ready) {
        // No worker to hand the queue to right now (the others are starting or gone): decode it inline rather than
        // wait on unref'd workers that may never come up.
        for (const job of this.queue.splice(0)) this.runInline(job);
        this.wakeReadyWaiters();
      }
      this.pump();
    });
    // After the listeners: adding a 'message' listener refs the worker's port again.
    if (this.readyWaiters.length === 0) worker.unref();
  }

  private runInline(job: Job): void {
    decodeWith(job.codec, job.input, job.limit).then(
      (out) => this.settle(job, null, out),
      (e: unknown) => this.settle(job, e, null),
    );
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => s.ready && !s.job);
      if (!slot) return;
      const job = this.queue.shift()!;
      if (job.settled) continue;
      slot.job = job;
      const { input } = job;
      // Transfer a buffer the block fills; a view into a larger read is copied out (the rest of the read is in use).
      // An empty (or already detached) buffer is never put in the transfer list: Node drops such a message silently.
      const own = input.byteLength === 0 ? new Uint8Array(0) : input.byteOffset === 0 && input.byteLength === input.buffer.byteLength && input.buffer instanceof ArrayBuffer ? input : input.slice();
      job.input = own;
      slot.worker.ref();
      try {
        slot.worker.postMessage({ id: job.id, codec: job.codec, input: own, limit: job.limit } satisfies DecodeRequest, own.byteLength > 0 ? [own.buffer as ArrayBuffer] : []);
      } catch (e) {
        slot.job = null;
        slot.worker.unref();
        this.settle(job, e, null);
      }
    }
  }

  private settle(job: Job, err: unknown, out: Uint8Array | null): void {
    if (job.settled) return;
    job.settled = true;
    if (job.signal && job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
    if (out) job.resolve(out);
    else job.reject(err);
  }

  private wakeReadyWaiters(): void {
    if (!this.ready && this.usable() && this.slots.length > 0) return;
    for (const w of this.readyWaiters.splice(0)) w();
  }
}

let shared: DecodePool | null = null;

/** The process's decode pool (created on first use, started on first decode). */
export function decodePool(): DecodePool {
  if (!shared) shared = new DecodePool();
  return shared;
}

/** Stops the shared pool's workers (a later decode starts a new pool). For shutdown paths and tests. */
export async function disposeDecodePool(): Promise<void> {
  const p = shared;
  shared = null;
  if (p) await p.dispose();
}
