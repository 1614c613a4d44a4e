// Transport-neutral RPC: call / cancel / progress / result / error envelopes over any {post, onMessage} pair.
import { EngineError, ErrorCodes, type SerializedError } from '../protocol/errors.js';
import type { ProgressEvent, TaskContext } from '../protocol/progress.js';

export type RpcMessage =
  | { t: 'call'; id: number; method: string; args: unknown[] }
  | { t: 'cancel'; id: number }
  | { t: 'progress'; id: number; event: ProgressEvent }
  | { t: 'result'; id: number; value: unknown }
  | { t: 'error'; id: number; error: SerializedError }
  | { t: 'event'; name: string; payload: unknown };

/** One side of a message channel: a MessagePort, a WebSocket, a utility process. */
export interface Endpoint {
  post(message: RpcMessage): void;
  /** Subscribes; returns the unsubscribe function. */
  onMessage(listener: (message: unknown) => void): () => void;
}

/** How many arguments each method takes before its TaskContext (the context itself never crosses the wire). */
export type MethodArity = Record<string, number>;

function isMessage(m: unknown): m is RpcMessage {
  return typeof m === 'object' && m !== null && typeof (m as { t?: unknown }).t === 'string';
}

export interface ServeOptions {
  /** Largest accepted argument payload, in characters of JSON (guards a peer sending huge messages). */
  maxArgChars?: number;
  onEvent?: (name: string, payload: unknown) => void;
}

type Handler = (...args: unknown[]) => Promise<unknown>;

/**
 * Serves `api` on `endpoint`: only the methods named in `arity` can be called. Malformed messages
 * are answered with an error (when they carry an id) and never reach the api.
 */
export function serveRpc(api: object, arity: MethodArity, endpoint: Endpoint, options: ServeOptions = {}): () => void {
  const running = new Map<number, AbortController>();
  const maxChars = options.maxArgChars ?? 1_000_000;
  const reply = (m: RpcMessage) => {
    try {
      endpoint.post(m);
    } catch {
      // the peer went away; nothing to tell it
    }
  };
  const off = endpoint.onMessage((raw) => {
    if (!isMessage(raw)) return;
    if (raw.t === 'cancel' && Number.isInteger(raw.id)) {
      running.get(raw.id)?.abort();
      return;
    }
    if (raw.t !== 'call') return;
    const { id, method, args } = raw;
    if (!Number.isInteger(id)) return;
    const fail = (code: EngineError['code'], message: string) => reply({ t: 'error', id, error: new EngineError(code, message).toJSON() });
    if (typeof method !== 'string' || !Object.prototype.hasOwnProperty.call(arity, method) || typeof (api as Record<string, unknown>)[method] !== 'function') {
      fail(ErrorCodes.BAD_ARGUMENT, `Unknown method ${String(method).slice(0, 64)}`);
      return;
    }
    if (!Array.isArray(args) || args.length > arity[method]) {
      fail(ErrorCodes.BAD_ARGUMENT, `${method} takes ${arity[method]} argument(s)`);
      return;
    }
    let size = 0;
    try {
      size = JSON.stringify(args).length;
    } catch {
      fail(ErrorCodes.BAD_ARGUMENT, `${method}: arguments are not plain data`);
      return;
    }
    if (size > maxChars) {
      fail(ErrorCodes.BAD_ARGUMENT, `${method}: arguments too large (${size} > ${maxChars} characters)`);
      return;
    }
    const controller = new AbortController();
    running.set(id, controller);
    const ctx: TaskContext = { signal: controller.signal, onProgress: (event) => reply({ t: 'progress', id, event }) };
    const padded = [...args, ...new Array(arity[method] - args.length).fill(undefined), ctx];
    Promise.resolve()
      .then(() => ((api as Record<string, Handler>)[method] as Handler).apply(api, padded))
      .then(
        (value) => reply({ t: 'result', id, value }),
        (e: unknown) => reply({ t: 'error', id, error: (e instanceof EngineError ? e : new EngineError(ErrorCodes.INTERNAL, e instanceof Error ? e.message : String(e))).toJSON() }),
      )
      .finally(() => running.delete(id));
  });
  return () => {
    off();
    for (const c of running.values()) c.abort();
    running.clear();
  };
}

export interface RpcClient {
  call<T>(method: string, args: unknown[], ctx?: TaskContext): Promise<T>;
  /** Listens to server-side events (e.g. 'engine-restarted'). */
  onEvent(listener: (name: string, payload: unknown) => void): () => void;
  /** Fails every pending call (the transport closed); safe to call twice. */
  close(reason?: string): void;
}

export function createRpcClient(endpoint: Endpoint): RpcClient {
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void; ctx?: TaskContext; cleanup: () => void }>();
  const eventListeners = new Set<(name: string, payload: unknown) => void>();
  const off = endpoint.onMessage((raw) => {
    if (!isMessage(raw)) return;
    if (raw.t === 'event') {
      for (const l of eventListeners) l(raw.name, raw.payload);
      return;
    }
    if (raw.t !== 'result' && raw.t !== 'error' && raw.t !== 'progress') return;
    const p = pending.get(raw.id);
    if (!p) return;
    if (raw.t === 'progress') {
      p.ctx?.onProgress?.(raw.event);
      return;
    }
    pending.delete(raw.id);
    p.cleanup();
    if (raw.t === 'result') p.resolve(raw.value);
    else p.reject(EngineError.fromJSON(raw.error));
  });
  return {
    call<T>(method: string, args: unknown[], ctx?: TaskContext): Promise<T> {
      if (closed) return Promise.reject(new EngineError(ErrorCodes.INTERNAL, 'The engine connection is closed'));
      if (ctx?.signal?.aborted) return Promise.reject(new EngineError(ErrorCodes.CANCELED, 'Canceled'));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const onAbort = () => endpoint.post({ t: 'cancel', id });
        ctx?.signal?.addEventListener('abort', onAbort, { once: true });
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, ctx, cleanup: () => ctx?.signal?.removeEventListener('abort', onAbort) });
        try {
          endpoint.post({ t: 'call', id, method, args });
        } catch (e) {
          pending.delete(id);
          reject(new EngineError(ErrorCodes.INTERNAL, `Cannot reach the engine: ${e instanceof Error ? e.message : String(e)}`));
        }
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    close(reason = 'The engine connection closed') {
      if (closed) return;
      closed = true;
      off();
      for (const [, p] of pending) {
        p.cleanup();
        p.reject(new EngineError(ErrorCodes.INTERNAL, reason));
      }
      pending.clear();
    },
  };
}
