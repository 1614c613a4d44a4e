// Exact scores of every stored tile against one or more query vectors, through ONNX Runtime's MatMul.
//
// The product of an n x dim matrix with a dim-vector is bound by memory traffic; MLAS streams it with the CPU's vector
// units on all cores, where V8 runs one scalar multiply-add at a time. bench/search.ts measured 1e5 x 512 at
// p95 92 ms in the JS loop (rank.ts scoreAll) and ~10 ms through onnxruntime. The graph is built in memory
// (model/onnx-graph.ts); inputs are handed to the runtime without a copy. Small inputs stay in JS, where the call
// overhead of the runtime would dominate; if the runtime cannot run the graph at all, everything stays in JS.

import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import { matMulScoringModel } from '../model/onnx-graph.js';
import { createSessionFromBytes, type RuntimeSession } from '../model/onnx-runtime.js';
import { scoreAll } from './rank.js';

/** n x dim values below which the JS loop is faster than a call into the runtime (measured: ~0.1 ms per call). */
export const SMALL_PRODUCT = 1 << 15;

export interface VectorScorer {
  /**
   * Scores of every row of `vectors` (n x dim, row-major) against every query (`queries`: k x dim, row-major):
   * n x k row-major (for one query, one score per row).
   */
  score(vectors: Float32Array, dim: number, queries: Float32Array): Promise<Float32Array>;
  /** Where the last large product ran: 'onnxruntime', or 'js' when the runtime could not load the graph. */
  readonly backend: 'onnxruntime' | 'js';
  /** Why the runtime is not used, when it is not. */
  readonly note: string | undefined;
  dispose(): Promise<void>;
}

function checkShapes(vectors: Float32Array, dim: number, queries: Float32Array): { n: number; k: number } {
  if (!Number.isInteger(dim) || dim <= 0 || vectors.length % dim !== 0 || queries.length % dim !== 0) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Scoring: ${vectors.length} stored values and ${queries.length} query values do not make rows of ${dim}`);
  }
  return { n: vectors.length / dim, k: queries.length / dim };
}

/** The same product in JS (rank.ts's four-rows-a-pass loop), for small inputs and as the fallback. */
export function scoreRowsJs(vectors: Float32Array, dim: number, queries: Float32Array): Float32Array {
  const { n, k } = checkShapes(vectors, dim, queries);
  if (k === 1) return scoreAll(vectors, dim, queries);
  const out = new Float32Array(n * k);
  for (let j = 0; j < k; j++) {
    const s = scoreAll(vectors, dim, queries.subarray(j * dim, (j + 1) * dim));
    for (let i = 0; i < n; i++) out[i * k + j] = s[i];
  }
  return out;
}

/** A scorer with its own small ONNX Runtime session, opened on first use (intra-op threads: the runtime's default). */
export function createVectorScorer(o: { threads?: number } = {}): VectorScorer {
  let session: Promise<RuntimeSession | null> | null = null;
  let note: string | undefined;
  let disposed = false;
  const open = () =>
    (session ??= createSessionFromBytes(matMulScoringModel(), 'built-in scoring graph', { intraOpThreads: o.threads }).catch((e: unknown) => {
      note = `exact search runs in JS: ${e instanceof Error ? e.message : String(e)}`;
      return null;
    }));

  return {
    get backend() {
      return note === undefined ? 'onnxruntime' : 'js';
    },
    get note() {
      return note;
    },
    async score(vectors, dim, queries) {
      const { n, k } = checkShapes(vectors, dim, queries);
      if (disposed) throw new EngineError(ErrorCodes.INTERNAL, 'Scorer used after dispose()');
      if (n === 0 || k === 0) return new Float32Array(0);
      if (n * dim < SMALL_PRODUCT) return scoreRowsJs(vectors, dim, queries);
      const s = await open();
      if (!s) return scoreRowsJs(vectors, dim, queries);
      // The graph takes the queries as dim x k columns.
      let cols = queries;
      if (k > 1) {
        cols = new Float32Array(dim * k);
        for (let j = 0; j < k; j++) for (let d = 0; d < dim; d++) cols[d * k + j] = queries[j * dim + d];
      }
      const r = await s.run({
        vectors: { type: 'float32', data: vectors, dims: [n, dim] },
        queries: { type: 'float32', data: cols, dims: [dim, k] },
      });
      return r.scores.data;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      const s = await session;
      await s?.dispose();
    },
  };
}
