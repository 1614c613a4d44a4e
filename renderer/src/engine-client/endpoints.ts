// Pure: RPC endpoints over a WebSocket (JSON text frames) and over a MessagePort (structured clone).
import type { Endpoint, RpcMessage } from '../../../shared/rpc/rpc.js';

/** The part of a browser WebSocket the endpoint needs (so tests can drive it with a plain object). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'open' | 'close', listener: () => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'open' | 'close', listener: () => void): void;
}

const CONNECTING = 0;
const OPEN = 1;

/** Messages posted before the socket opens are queued and flushed on open; posting on a closed socket throws. */
export function socketEndpoint(socket: SocketLike): Endpoint {
  const queue: string[] = [];
  const onOpen = () => {
    for (const m of queue.splice(0)) socket.send(m);
  };
  socket.addEventListener('open', onOpen);
  return {
    post(message: RpcMessage) {
      const text = JSON.stringify(message);
      if (socket.readyState === OPEN) socket.send(text);
      else if (socket.readyState === CONNECTING) queue.push(text);
      else throw new Error('the connection to the engine is closed');
    },
    onMessage(listener) {
      const handler = (event: { data: unknown }) => {
        if (typeof event.data !== 'string') return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(event.data);
        } catch {
          return; // not ours; the RPC layer ignores anything that is not an envelope anyway
        }
        listener(parsed);
      };
      socket.addEventListener('message', handler);
      return () => socket.removeEventListener('message', handler);
    },
  };
}

/** The part of a MessagePort the endpoint needs. */
export interface PortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  start?(): void;
}

export function portEndpoint(port: PortLike): Endpoint {
  let started = false;
  return {
    post(message: RpcMessage) {
      port.postMessage(message);
    },
    onMessage(listener) {
      const handler = (event: { data: unknown }) => listener(event.data);
      port.addEventListener('message', handler);
      // addEventListener on a MessagePort does not start delivery by itself.
      if (!started) {
        started = true;
        port.start?.();
      }
      return () => port.removeEventListener('message', handler);
    },
  };
}
