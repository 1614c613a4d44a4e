// The engine host's logic: one engine, one port and one grant list per window, driven by control messages from main.
import type { EngineApi } from '../../shared/protocol/engine-api.js';
import { EngineError, ErrorCodes, type SerializedError } from '../../shared/protocol/errors.js';
import type { RpcMessage } from '../../shared/rpc/rpc.js';
import { createPathPolicy, type PathPolicy } from './engine-guard.js';
import type { PortEndpointOptions, PortLike } from './port-endpoint.js';
import { serveEngineOnPort } from './serve-engine.js';

/** Messages main sends the host (over Electron's parentPort; `connect` carries the window's port). */
export type HostControl =
  | { type: 'connect'; windowId: number; notice?: { name: string; payload: unknown } }
  | { type: 'grant'; reqId: number; windowId: number; kind: 'file' | 'url'; path: string }
  | { type: 'disconnect'; windowId: number };

/** What the host answers (grants are acknowledged so main tells the window only once the host will accept the path). */
export type HostReply =
  | { type: 'granted'; reqId: number; path: string }
  | { type: 'grant-failed'; reqId: number; error: SerializedError }
  | { type: 'protocol-error'; message: string };

interface WindowState {
  policy: Promise<PathPolicy>;
  stop?: () => void;
}

export interface Host {
  handle(message: unknown, ports: readonly PortLike[]): Promise<HostReply | undefined>;
  /** Stops serving every window; the engine is the caller's to dispose. */
  close(): void;
}

export function createHost(engine: EngineApi, options: PortEndpointOptions = {}): Host {
  const windows = new Map<number, WindowState>();
  const stateOf = (windowId: number): WindowState => {
    let s = windows.get(windowId);
    if (!s) {
      s = { policy: createPathPolicy() };
      windows.set(windowId, s);
    }
    return s;
  };
  return {
    async handle(message, ports) {
      const m = message as HostControl | null;
      if (!m || typeof m !== 'object' || !Number.isInteger((m as { windowId?: unknown }).windowId)) {
        return { type: 'protocol-error', message: 'Host control messages need a type and a whole-number windowId' };
      }
      switch (m.type) {
        case 'connect': {
          const port = ports[0];
          if (!port) return { type: 'protocol-error', message: 'connect carries no port' };
          const s = stateOf(m.windowId);
          s.stop?.();
          s.stop = serveEngineOnPort(engine, port, { ...options, policy: await s.policy });
          if (m.notice) port.postMessage({ t: 'event', name: m.notice.name, payload: m.notice.payload } satisfies RpcMessage);
          return undefined;
        }
        case 'grant': {
          try {
            const policy = await stateOf(m.windowId).policy;
            if (m.kind === 'url') {
              policy.grantUrl(m.path);
              return { type: 'granted', reqId: m.reqId, path: m.path };
            }
            return { type: 'granted', reqId: m.reqId, path: await policy.grantFile(m.path) };
          } catch (e) {
            const err = e instanceof EngineError ? e : new EngineError(ErrorCodes.INTERNAL, String(e));
            return { type: 'grant-failed', reqId: m.reqId, error: err.toJSON() };
          }
        }
        case 'disconnect': {
          windows.get(m.windowId)?.stop?.();
          windows.delete(m.windowId);
          return undefined;
        }
        default:
          return { type: 'protocol-error', message: `Unknown host control message ${JSON.stringify(String((m as { type?: unknown }).type)).slice(0, 64)}` };
      }
    },
    close() {
      for (const s of windows.values()) s.stop?.();
      windows.clear();
    },
  };
}
