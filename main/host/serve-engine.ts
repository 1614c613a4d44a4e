// Serves a guarded EngineApi on one port: the one code path shared by the utility-process host and serve.
import { ENGINE_METHODS, type EngineApi } from '../../shared/protocol/engine-api.js';
import { serveRpc, type Endpoint, type MethodArity } from '../../shared/rpc/rpc.js';
import { guardEngine, type ScenePolicy } from './engine-guard.js';
import { portEndpoint, type PortEndpointOptions, type PortLike } from './port-endpoint.js';

export interface ServeEngineOptions {
  /** Every scene, image and model a peer names passes this policy. */
  policy: ScenePolicy;
  /** Methods beyond EngineApi (serve adds allowedScenes) and their arities. */
  extra?: { api: Record<string, (...args: never[]) => Promise<unknown>>; arity: MethodArity };
  maxArgChars?: number;
}

/** Serves on any rpc Endpoint; returns the function that stops serving and aborts running calls. */
export function serveEngine(engine: EngineApi, endpoint: Endpoint, options: ServeEngineOptions): () => void {
  const api = { ...guardEngine(engine, options.policy), ...(options.extra?.api ?? {}) };
  const arity: MethodArity = { ...ENGINE_METHODS, ...(options.extra?.arity ?? {}) };
  return serveRpc(api, arity, endpoint, { maxArgChars: options.maxArgChars });
}

/** Serves on a MessagePort-like object; stops when the port closes. */
export function serveEngineOnPort(engine: EngineApi, port: PortLike, options: ServeEngineOptions & PortEndpointOptions): () => void {
  const stop = serveEngine(engine, portEndpoint(port, options), options);
  let stopped = false;
  const dispose = () => {
    if (stopped) return;
    stopped = true;
    stop();
  };
  port.on('close', dispose);
  return dispose;
}
