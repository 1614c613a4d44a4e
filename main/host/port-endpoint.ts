// Adapts a MessagePort-like object (worker_threads MessagePort, Electron MessagePortMain) to the rpc Endpoint.
import type { Endpoint, RpcMessage } from '../../shared/rpc/rpc.js';

/** The part of a port we use: Node's worker_threads MessagePort and Electron's MessagePortMain both have it. */
export interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: unknown) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  off?(event: 'message', listener: (event: unknown) => void): unknown;
  removeListener?(event: 'message', listener: (event: unknown) => void): unknown;
  start?(): void;
  close?(): void;
}

export interface PortEndpointOptions {
  /**
   * Node's MessagePort emits the posted value itself; Electron's MessagePortMain emits a
   * MessageEvent whose `.data` holds it.
   */
  unwrap?: (event: unknown) => unknown;
}

export function portEndpoint(port: PortLike, options: PortEndpointOptions = {}): Endpoint {
  const unwrap = options.unwrap ?? ((e: unknown) => e);
  let started = false;
  return {
    post(message: RpcMessage) {
      port.postMessage(message);
    },
    onMessage(listener) {
      const handler = (event: unknown) => listener(unwrap(event));
      port.on('message', handler);
      // Electron's MessagePortMain queues messages until start(); Node's starts on the first listener.
      if (!started) {
        started = true;
        port.start?.();
      }
      return () => {
        if (port.off) port.off('message', handler);
        else port.removeListener?.('message', handler);
      };
    },
  };
}

/** Electron's MessagePortMain delivers a MessageEvent: the posted value is its `.data`. */
export const unwrapElectronEvent = (e: unknown): unknown => (e as { data?: unknown } | null)?.data;

export function electronPortEndpoint(port: PortLike): Endpoint {
  return portEndpoint(port, { unwrap: unwrapElectronEvent });
}
