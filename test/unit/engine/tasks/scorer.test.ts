import { afterAll, describe, expect, it } from 'vitest';
import { buildOnnxModel, matMulScoringModel, OnnxType } from '../../../../main/engine/model/onnx-graph.js';
import { createSessionFromBytes } from '../../../../main/engine/model/onnx-runtime.js';
import { createVectorScorer, scoreRowsJs, SMALL_PRODUCT } from '../../../../main/engine/tasks/scorer.js';
import { asyncErrorOf } from '../../../helpers/errors.js';

async function expectEngineError(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const e = await asyncErrorOf(p);
  expect(e.code).toBe(code);
  expect(e.message).toMatch(message);
}

let seed = 11;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);

/** n unit rows of dim values. */
function unitRows(n: number, dim: number): Float32Array {
  const v = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let ss = 0;
    for (let k = 0; k < dim; k++) ss += (v[i * dim + k] = rand() - 0.5) ** 2;
    const inv = 1 / Math.sqrt(ss);
    for (let k = 0; k < dim; k++) v[i * dim + k] *= inv;
  }
  return v;
}

/** The plain definition, in float64. */
function reference(v: Float32Array, dim: number, q: Float32Array): Float64Array {
  const n = v.length / dim;
  const k = q.length / dim;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += v[i * dim + d] * q[j * dim + d];
    out[i * k + j] = s;
  }
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('exact scoring through ONNX Runtime', () => {
  const scorer = createVectorScorer();
  afterAll(() => scorer.dispose());
  const dim = 512;
  const v = unitRows(3000, dim);

  it('the built graph loads in onnxruntime and declares the shapes it was built with', async () => {
    const s = await createSessionFromBytes(matMulScoringModel(), 'scores');
    try {
      expect(s.provider).toBe('cpu');
      expect(s.inputs.map((i) => [i.name, i.shape])).toEqual([['vectors', ['n', 'dim']], ['queries', ['dim', 'k']]]);
      expect(s.outputs.map((o) => [o.name, o.shape])).toEqual([['scores', ['n', 'k']]]);
    } finally {
      await s.dispose();
    }
  });

  it('one query: the runtime scores every row as the plain sum does (float32 rounding only)', async () => {
    const q = unitRows(1, dim);
    const got = await scorer.score(v, dim, q);
    expect(scorer.backend).toBe('onnxruntime');
    expect(got.length).toBe(3000);
    expect(maxDiff(got, reference(v, dim, q))).toBeLessThan(1e-5);
  });

  it('several queries come back n x k row-major, like the JS product', async () => {
    const q = unitRows(5, dim);
    const got = await scorer.score(v, dim, q);
    expect(maxDiff(got, reference(v, dim, q))).toBeLessThan(1e-5);
    expect(maxDiff(got, scoreRowsJs(v, dim, q))).toBeLessThan(1e-5);
  });

  it('a view into a larger matrix scores only its rows (no copy, offset honoured)', async () => {
    const q = unitRows(1, dim);
    const part = v.subarray(123 * dim, 2123 * dim);
    const got = await scorer.score(part, dim, q);
    const all = reference(v, dim, q);
    expect(got.length).toBe(2000);
    expect(maxDiff(got, all.subarray(123, 2123))).toBeLessThan(1e-5);
  });

  it('small products stay in JS and agree; empty input gives no scores', async () => {
    const small = v.subarray(0, Math.floor(SMALL_PRODUCT / dim / 2) * dim);
    const q = unitRows(1, dim);
    expect(maxDiff(await scorer.score(small, dim, q), reference(small, dim, q))).toBeLessThan(1e-5);
    expect((await scorer.score(new Float32Array(0), dim, q)).length).toBe(0);
  });

  it('rows that do not fit the dimension are refused with a clear error', async () => {
    await expectEngineError(scorer.score(new Float32Array(10), 3, new Float32Array(3)), 'E_BAD_ARGUMENT', /do not make rows of 3/);
    await expectEngineError(scorer.score(new Float32Array(9), 3, new Float32Array(4)), 'E_BAD_ARGUMENT', /do not make rows of 3/);
  });

  it('a scorer used after dispose says so', async () => {
    const s = createVectorScorer();
    await s.score(v, dim, unitRows(1, dim));
    await s.dispose();
    await expectEngineError(s.score(v, dim, unitRows(1, dim)), 'E_INTERNAL', /after dispose/);
  });

  it('a graph onnxruntime cannot load is reported as a runtime error naming the graph', async () => {
    const bad = buildOnnxModel({
      name: 'bad',
      nodes: [{ opType: 'NoSuchOperator', inputs: ['a'], outputs: ['b'] }],
      inputs: [{ name: 'a', elemType: OnnxType.FLOAT, shape: [1] }],
      outputs: [{ name: 'b', elemType: OnnxType.FLOAT, shape: [1] }],
    });
    await expectEngineError(createSessionFromBytes(bad, 'bad graph'), 'E_MODEL_RUNTIME', /bad graph/);
  });
});
