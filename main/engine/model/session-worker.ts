// An inference worker thread (worker-session.ts): owns one ONNX Runtime session, opened with onnx-runtime.ts's
// createSession (same provider choice, fallback and errors), and runs it on request. Inputs arrive by transfer;
// outputs are copied out of the runtime's buffers and transferred back.
import { parentPort } from 'node:worker_threads';
import { EngineError, ErrorCodes, type SerializedError } from '../../../shared/protocol/errors.js';
import { createSession, type RuntimeSession, type RuntimeSessionOptions, type RuntimeTensor, type TensorSpec } from './onnx-runtime.js';

export type SessionRequest =
  | { id: number; type: 'open'; path: string; options: RuntimeSessionOptions }
  | { id: number; type: 'run'; feeds: Record<string, RuntimeTensor> }
  | { id: number; type: 'dispose' };

export interface SessionInfo {
  file: string;
  provider: string;
  providerNote: string | undefined;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

export type SessionReply =
  | { id: number; ok: true; info?: SessionInfo; out?: Record<string, { data: Float32Array; dims: number[] }> }
  | { id: number; ok: false; error: SerializedError };

function serialize(e: unknown): SerializedError {
  if (e instanceof EngineError) return e.toJSON();
  return new EngineError(ErrorCodes.INTERNAL, e instanceof Error ? e.message : String(e)).toJSON();
}

const port = parentPort;
if (port) {
  let session: RuntimeSession | null = null;
  port.on('message', (m: SessionRequest) => {
    void (async () => {
      try {
        if (m.type === 'open') {
          session = await createSession(m.path, m.options);
          const info: SessionInfo = { file: session.file, provider: session.provider, providerNote: session.providerNote, inputs: [...session.inputs], outputs: [...session.outputs] };
          port.postMessage({ id: m.id, ok: true, info } satisfies SessionReply);
        } else if (m.type === 'run') {
          if (!session) throw new EngineError(ErrorCodes.INTERNAL, 'inference worker: run before open');
          const res = await session.run(m.feeds);
          const out: Record<string, { data: Float32Array; dims: number[] }> = {};
          const transfer: ArrayBuffer[] = [];
          for (const [name, t] of Object.entries(res)) {
            const data = t.data.slice(); // the runtime's output memory cannot be transferred
            out[name] = { data, dims: t.dims };
            transfer.push(data.buffer);
          }
          port.postMessage({ id: m.id, ok: true, out } satisfies SessionReply, transfer);
        } else {
          await session?.dispose();
          session = null;
          port.postMessage({ id: m.id, ok: true } satisfies SessionReply);
        }
      } catch (e) {
        port.postMessage({ id: m.id, ok: false, error: serialize(e) } satisfies SessionReply);
      }
    })();
  });
}
