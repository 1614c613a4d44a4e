// EngineApi over any RPC transport: the renderer's and the contract tests' view of a remote engine.
import type { EngineApi } from '../protocol/engine-api.js';
import { ENGINE_METHODS } from '../protocol/engine-api.js';
import type { TaskContext } from '../protocol/progress.js';
import { createRpcClient, type Endpoint, type RpcClient } from './rpc.js';

export type RemoteEngine = EngineApi & { readonly rpc: RpcClient };

export function createEngineClient(endpoint: Endpoint): RemoteEngine {
  const rpc = createRpcClient(endpoint);
  const api: Record<string, unknown> = { rpc };
  for (const [method, arity] of Object.entries(ENGINE_METHODS)) {
    api[method] = (...args: unknown[]) => {
      const plain = args.slice(0, arity);
      const ctx = (args.length > arity ? args[arity] : undefined) as TaskContext | undefined;
      return rpc.call(method, plain, ctx);
    };
  }
  api.dispose = async () => rpc.close('Engine client disposed');
  return api as unknown as RemoteEngine;
}
