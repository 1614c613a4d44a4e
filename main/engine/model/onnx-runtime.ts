// The one module that touches onnxruntime-node: sessions, execution-provider choice and fallback, tensors, disposal.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import * as ort from 'onnxruntime-node';
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import type { ExecutionProviderName } from './types.js';

export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export interface RuntimeSessionOptions {
  /** Default 'auto': the platform's GPU provider when it loads, else CPU. */
  provider?: ExecutionProviderName;
  /** Intra-op threads; 0 or absent = ONNX Runtime's default. */
  intraOpThreads?: number;
  /** Default 'all'. */
  graphOptimizationLevel?: GraphOptimizationLevel;
}

/** A tensor as the rest of the engine sees it (no onnxruntime types leak out of this module). */
export type RuntimeTensor =
  | { type: 'float32'; data: Float32Array; dims: readonly number[] }
  | { type: 'int64'; data: BigInt64Array; dims: readonly number[] };

/** An input or output as the ONNX graph declares it; symbolic dims are strings, unknown shape is null. */
export interface TensorSpec {
  name: string;
  type: string | null;
  shape: (number | string)[] | null;
}

export interface RuntimeSession {
  /** File name, for messages. */
  readonly file: string;
  /** Provider actually running the graph ('cpu', 'cuda', ...). */
  readonly provider: string;
  /** Why the requested GPU provider is not the one running, when it fell back. */
  readonly providerNote: string | undefined;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  run(feeds: Record<string, RuntimeTensor>): Promise<Record<string, { data: Float32Array; dims: number[] }>>;
  /** Frees native memory; safe to call twice. */
  dispose(): Promise<void>;
}

// A missing GPU provider is an expected outcome here (reported as a fallback note or E_PROVIDER_UNAVAILABLE);
// ORT would also print it to stderr as an error, which looks like a crash to a person reading the console.
ort.env.logLevel = 'fatal';

const VALID: readonly ExecutionProviderName[] = ['auto', 'cuda', 'dml', 'coreml', 'cpu'];

/** The GPU provider worth trying on this platform, if any. */
export function platformGpuProvider(platform: NodeJS.Platform = process.platform, arch: string = process.arch): 'cuda' | 'dml' | 'coreml' | null {
  if (platform === 'linux' && arch === 'x64') return 'cuda';
  if (platform === 'win32') return 'dml';
  if (platform === 'darwin') return 'coreml';
  return null;
}

/** Providers this platform can ever offer, for error messages and settings screens. */
export function supportedProviders(): ExecutionProviderName[] {
  const gpu = platformGpuProvider();
  return gpu ? ['auto', gpu, 'cpu'] : ['auto', 'cpu'];
}

// A GPU provider that failed once fails again: remember why, so the second session skips the slow retry.
const gpuFailures = new Map<string, string>();

function errorText(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.split('\n')[0].trim();
}

function sessionOptions(provider: string, o: RuntimeSessionOptions): ort.InferenceSession.SessionOptions {
  const opts: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: o.graphOptimizationLevel ?? 'all',
    // Errors reach the user through EngineError; ORT's own warnings would only be noise on stderr.
    logSeverityLevel: 3,
  };
  if (o.intraOpThreads && o.intraOpThreads > 0) opts.intraOpNumThreads = o.intraOpThreads;
  return opts;
}

async function tryCreate(path: string, provider: string, o: RuntimeSessionOptions): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(path, sessionOptions(provider, o));
}

/** Opens an ONNX file on the requested provider; 'auto' falls back to CPU and records why. */
export async function createSession(path: string, options: RuntimeSessionOptions = {}): Promise<RuntimeSession> {
  const requested = options.provider ?? 'auto';
  const file = basename(path);
  if (!VALID.includes(requested)) {
    throw new EngineError(
      ErrorCodes.BAD_ARGUMENT,
      `Unknown execution provider "${String(requested)}". Supported on this machine: ${supportedProviders().join(', ')}`,
    );
  }
  if (!existsSync(path)) throw new EngineError(ErrorCodes.MODEL_NOT_FOUND, `Model file ${file} not found at ${path}`);
  const gpu = requested === 'auto' ? platformGpuProvider() : requested === 'cpu' ? null : requested;

  let gpuError: string | undefined;
  if (gpu) {
    const known = gpuFailures.get(gpu);
    if (known === undefined) {
      try {
        return wrap(await tryCreate(path, gpu, options), file, gpu, undefined);
      } catch (e) {
        gpuError = errorText(e);
      }
    } else {
      gpuError = known;
    }
  }

  // The GPU attempt failed (or none was asked for). Loading on CPU tells a bad model apart from a missing provider.
  let session: ort.InferenceSession;
  try {
    session = await tryCreate(path, 'cpu', options);
  } catch (e) {
    throw new EngineError(
      ErrorCodes.MODEL_RUNTIME,
      `${file} could not be loaded by ONNX Runtime: it is not a valid ONNX model or uses operators this runtime lacks (${errorText(e)}). File: ${path}`,
      { cause: e, details: { file } },
    );
  }
  if (gpu && gpuError !== undefined) {
    gpuFailures.set(gpu, gpuError);
    if (requested !== 'auto') {
      await session.release();
      throw new EngineError(
        ErrorCodes.PROVIDER_UNAVAILABLE,
        `Execution provider "${gpu}" is not available on this machine (${gpuError}). ` +
          `Supported here: ${supportedProviders().join(', ')}; "auto" uses the GPU when it loads and CPU otherwise.`,
        { details: { provider: gpu, reason: gpuError } },
      );
    }
    return wrap(session, file, 'cpu', `${gpu} unavailable (${gpuError}); running on cpu`);
  }
  return wrap(session, file, 'cpu', gpu ? undefined : requested === 'auto' ? `no GPU provider for ${process.platform}-${process.arch}; running on cpu` : undefined);
}

/**
 * Opens a graph the engine built in memory (onnx-graph.ts) on the CPU provider: the small helper graphs (exact
 * search scoring) whose inputs live in this process's memory, where a GPU would only add transfers.
 */
export async function createSessionFromBytes(bytes: Uint8Array, name: string, options: Omit<RuntimeSessionOptions, 'provider'> = {}): Promise<RuntimeSession> {
  try {
    return wrap(await ort.InferenceSession.create(bytes, sessionOptions('cpu', options)), name, 'cpu', undefined);
  } catch (e) {
    throw new EngineError(ErrorCodes.MODEL_RUNTIME, `ONNX Runtime could not load the built-in graph ${name} (${errorText(e)})`, { cause: e, details: { file: name } });
  }
}

function specs(names: readonly string[], meta: readonly ort.InferenceSession.ValueMetadata[] | undefined): TensorSpec[] {
  return names.map((name, i) => {
    const m = meta?.[i];
    if (!m || !m.isTensor) return { name, type: null, shape: null };
    return { name, type: m.type, shape: [...m.shape] };
  });
}

function wrap(session: ort.InferenceSession, file: string, provider: string, providerNote: string | undefined): RuntimeSession {
  let disposed = false;
  return {
    file,
    provider,
    providerNote,
    inputs: specs(session.inputNames, session.inputMetadata),
    outputs: specs(session.outputNames, session.outputMetadata),
    async run(feeds) {
      if (disposed) throw new EngineError(ErrorCodes.INTERNAL, `${file}: session used after dispose`);
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      let results: ort.InferenceSession.OnnxValueMapType;
      try {
        results = await session.run(ortFeeds);
      } catch (e) {
        throw new EngineError(ErrorCodes.MODEL_RUNTIME, `${file} failed to run: ${errorText(e)}`, { cause: e, details: { file } });
      }
      const out: Record<string, { data: Float32Array; dims: number[] }> = {};
      for (const [name, value] of Object.entries(results)) {
        const t = value as ort.Tensor;
        if (t.type !== 'float32') {
          throw new EngineError(ErrorCodes.MODEL_MISMATCH, `${file} output ${name} is ${t.type}, expected float32`, { details: { file } });
        }
        out[name] = { data: t.data as Float32Array, dims: [...t.dims] };
      }
      return out;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await session.release();
    },
  };
}
