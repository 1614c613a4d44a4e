// ONNX Runtime sessions in a worker thread. onnxruntime-node's `run` executes synchronously on the calling thread (its
// promise only defers the call), so a vision batch held the engine's event loop for its whole duration (0.7 s for
// ViT-B/32 at batch 16 here): requests and cancels waited, and the indexer could not read the next batch meanwhile.
// A session opened here runs in its own thread: the caller's thread stays free, and embed-scene.ts's read-ahead
// overlaps inference for real.
//
// - One worker per session, opened with the same createSession (provider, fallback, error codes) inside the worker.
// - Inputs are transferred when the caller hands them over (`transfer`), else copied; outputs come back by transfer.
// - A worker that cannot start falls back to a session on the calling thread (`createInferenceSession`); one that dies
//   fails its pending runs with E_MODEL_RUNTIME naming the file.
// - The worker is unref'd while idle: an undisposed model never keeps a process alive.
// - GEOSIFT_INFERENCE_WORKER=0 keeps every session on the calling thread.
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import { workerEntry } from '../worker-entry.js';
import { createSession, type RuntimeSession, type RuntimeSessionOptions, type RuntimeTensor } from './onnx-runtime.js';
import type { SessionInfo, SessionReply, SessionRequest } from './session-worker.js';

type Outputs = Record<string, { data: Float32Array; dims: number[] }>;

export interface InferenceSessionOptions extends RuntimeSessionOptions {
  /** Run the session in a worker thread; default true unless GEOSIFT_INFERENCE_WORKER=0. */
  worker?: boolean;
}

/** A session in a worker thread where one can start, else on this thread (createSession). */
export async function createInferenceSession(path: string, options: InferenceSessionOptions = {}): Promise<RuntimeSession> {
  const { worker = process.env.GEOSIFT_INFERENCE_WORKER !== '0', ...runtime } = options;
  if (!worker) return createSession(path, runtime);
  let started: WorkerSession;
  try {
    started = new WorkerSession(path);
  } catch {
    return createSession(path, runtime);
  }
  try {
    await started.open(runtime);
    return started;
  } catch (e) {
    await started.dispose();
    // The model's own errors (missing file, bad graph, provider) are the answer; a worker that failed to start is not.
    if (e instanceof EngineError && !started.died) throw e;
    return createSession(path, runtime);
  }
}

class WorkerSession implements RuntimeSession {
  file: string;
  provider = 'cpu';
  providerNote: string | undefined;
  inputs: RuntimeSession['inputs'] = [];
  outputs: RuntimeSession['outputs'] = [];
  died = false;
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(r: SessionReply & { ok: true }): void; reject(e: unknown): void }>();
  private disposed = false;

  constructor(private readonly path: string) {
    this.file = basename(path);
    const entry = workerEntry(import.meta.url, 'session-worker');
    this.worker = new Worker(entry.url, { execArgv: entry.execArgv, stdout: false, stderr: false });
    this.worker.unref();
    this.worker.on('message', (r: SessionReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (this.pending.size === 0) this.worker.unref();
      if (r.ok) p.resolve(r);
      else p.reject(EngineError.fromJSON(r.error));
    });
    this.worker.on('error', () => undefined); // 'exit' follows
    this.worker.on('exit', (code) => {
      this.died = !this.disposed;
      const err = new EngineError(ErrorCodes.MODEL_RUNTIME, `${this.file}: its inference worker stopped (exit code ${code})`, { details: { file: this.file } });
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  private call(req: Omit<SessionRequest, 'id'> & { type: SessionRequest['type'] }, transfer: ArrayBuffer[] = []): Promise<SessionReply & { ok: true }> {
    if (this.died) return Promise.reject(new EngineError(ErrorCodes.MODEL_RUNTIME, `${this.file}: its inference worker has stopped`, { details: { file: this.file } }));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      try {
        this.worker.postMessage({ ...req, id } as SessionRequest, transfer);
      } catch (e) {
        this.pending.delete(id);
        if (this.pending.size === 0) this.worker.unref();
        reject(e);
      }
    });
  }

  async open(options: RuntimeSessionOptions): Promise<void> {
    const r = await this.call({ type: 'open', path: this.path, options } as Omit<SessionRequest, 'id'>);
    const info = r.info as SessionInfo;
    this.file = info.file;
    this.provider = info.provider;
    this.providerNote = info.providerNote;
    this.inputs = info.inputs;
    this.outputs = info.outputs;
  }

  async run(feeds: Record<string, RuntimeTensor>, options: { transfer?: boolean } = {}): Promise<Outputs> {
    if (this.disposed) throw new EngineError(ErrorCodes.INTERNAL, `${this.file}: session used after dispose`);
    const sent: Record<string, RuntimeTensor> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [name, t] of Object.entries(feeds)) {
      const whole = t.data.byteOffset === 0 && t.data.byteLength === t.data.buffer.byteLength && t.data.buffer instanceof ArrayBuffer;
      const data = options.transfer && whole ? t.data : t.data.slice();
      sent[name] = { ...t, data } as RuntimeTensor;
      if (data.byteLength > 0 && !transfer.includes(data.buffer as ArrayBuffer)) transfer.push(data.buffer as ArrayBuffer);
    }
    const r = await this.call({ type: 'run', feeds: sent } as Omit<SessionRequest, 'id'>, transfer);
    return r.out as Outputs;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    if (!this.died) await this.call({ type: 'dispose' } as Omit<SessionRequest, 'id'>).catch(() => undefined);
    this.disposed = true;
    await this.worker.terminate().catch(() => undefined);
  }
}
