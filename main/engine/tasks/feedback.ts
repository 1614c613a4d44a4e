// Relevance feedback: Rocchio's formula moves the query toward tiles marked relevant and away from the others.
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';

export const ROCCHIO = { alpha: 1, beta: 0.75, gamma: 0.25 } as const;

function normalize(v: Float32Array): Float32Array {
  let ss = 0;
  for (const x of v) ss += x * x;
  if (ss > 0) {
    const inv = 1 / Math.sqrt(ss);
    for (let i = 0; i < v.length; i++) v[i] *= inv;
  }
  return v;
}

/** q' = alpha q + beta mean(relevant) - gamma mean(not relevant), L2-normalised. */
export function rocchio(query: Float32Array | null, relevant: Float32Array[], notRelevant: Float32Array[], dim: number, w: { alpha: number; beta: number; gamma: number } = ROCCHIO): Float32Array {
  if (!query && relevant.length === 0) throw new EngineError(ErrorCodes.BAD_ARGUMENT, 'Feedback needs a query or at least one tile marked relevant.');
  const out = new Float32Array(dim);
  if (query) for (let i = 0; i < dim; i++) out[i] += w.alpha * query[i];
  for (const r of relevant) for (let i = 0; i < dim; i++) out[i] += (w.beta * r[i]) / relevant.length;
  for (const n of notRelevant) for (let i = 0; i < dim; i++) out[i] -= (w.gamma * n[i]) / notRelevant.length;
  return normalize(out);
}
