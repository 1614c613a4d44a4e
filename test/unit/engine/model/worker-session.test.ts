// Inference sessions in a worker thread: the same outputs as on the calling thread, inputs left intact unless handed
// over, the model's errors crossing the thread with their codes, and the calling thread free while a batch runs.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSession, type RuntimeSession } from '../../../../main/engine/model/onnx-runtime.js';
import { createInferenceSession } from '../../../../main/engine/model/worker-session.js';
import { loadModel } from '../../../../main/engine/model/index.js';
import { isEngineError } from '../../../../shared/protocol/errors.js';
import { repoRoot, testModelDir } from '../../../helpers/paths.js';

const defaultModel = join(repoRoot, 'models', 'geosift-rs-mini');

function pixels(n: number, size: number): Float32Array {
  let seed = 3;
  return Float32Array.from({ length: n * 3 * size * size }, () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1);
}

async function closeAll(sessions: RuntimeSession[]): Promise<void> {
  await Promise.all(sessions.map((s) => s.dispose()));
}

describe('inference worker sessions', () => {
  it('give the outputs of a session on this thread, and leave the inputs intact unless transferred', async () => {
    const file = join(defaultModel, 'vision.onnx');
    const here = await createSession(file, { provider: 'cpu' });
    const there = await createInferenceSession(file, { provider: 'cpu', worker: true });
    try {
      expect(there.constructor.name).toBe('WorkerSession');
      expect(there.inputs).toEqual(here.inputs);
      expect(there.outputs).toEqual(here.outputs);
      expect(there.provider).toBe('cpu');
      const input = here.inputs[0].name;
      const x = pixels(4, 96);
      const feeds = { [input]: { type: 'float32' as const, data: x, dims: [4, 3, 96, 96] } };
      const a = await here.run(feeds);
      const b = await there.run(feeds);
      expect(x.length).toBe(4 * 3 * 96 * 96); // copied, not taken
      const name = here.outputs[0].name;
      expect(b[name].dims).toEqual(a[name].dims);
      expect(Array.from(b[name].data)).toEqual(Array.from(a[name].data));
      const given = x.slice();
      await there.run({ [input]: { type: 'float32', data: given, dims: [4, 3, 96, 96] } }, { transfer: true });
      expect(given.length).toBe(0); // handed over: detached here
    } finally {
      await closeAll([here, there]);
    }
  });

  it("the model's errors cross the thread with their codes", async () => {
    const missing = await createInferenceSession(join(testModelDir, 'no-such.onnx'), { worker: true }).catch((e: unknown) => e);
    expect(isEngineError(missing)).toBe(true);
    expect((missing as { code: string }).code).toBe('E_MODEL_NOT_FOUND');
    const notOnnx = await createInferenceSession(join(testModelDir, 'model.json'), { worker: true }).catch((e: unknown) => e);
    expect((notOnnx as { code: string }).code).toBe('E_MODEL_RUNTIME');
    const s = await createInferenceSession(join(testModelDir, 'vision.onnx'), { worker: true, provider: 'cpu' });
    try {
      const bad = await s.run({ [s.inputs[0].name]: { type: 'float32', data: new Float32Array(5), dims: [1, 5] } }).catch((e: unknown) => e);
      expect((bad as { code: string }).code).toBe('E_MODEL_RUNTIME');
      expect((bad as Error).message).toMatch(/vision\.onnx failed to run/);
    } finally {
      await s.dispose();
    }
    await expect(s.run({})).rejects.toThrow(/after dispose/);
  });

  it('the calling thread keeps running while a batch runs in the worker, not while it runs here', async () => {
    const file = join(defaultModel, 'vision.onnx');
    const turnsDuring = async (s: RuntimeSession): Promise<number> => {
      const x = pixels(64, 96);
      let turns = 0;
      let done = false;
      const spin = () => {
        if (done) return;
        turns++;
        setImmediate(spin);
      };
      setImmediate(spin);
      await s.run({ [s.inputs[0].name]: { type: 'float32', data: x, dims: [64, 3, 96, 96] } });
      done = true;
      return turns;
    };
    const here = await createSession(file, { provider: 'cpu' });
    const there = await createInferenceSession(file, { provider: 'cpu', worker: true });
    try {
      await turnsDuring(there); // warm-up
      const blocked = await turnsDuring(here);
      const free = await turnsDuring(there);
      // On this thread the run is one synchronous call: the loop turns a couple of times around it at most.
      expect(blocked).toBeLessThanOrEqual(3);
      expect(free).toBeGreaterThan(blocked * 5);
    } finally {
      await closeAll([here, there]);
    }
  });

  it('models load their sessions in workers by default, and on this thread with GEOSIFT_INFERENCE_WORKER=0', async () => {
    const a = await loadModel(testModelDir, { provider: 'cpu', verifyHashes: false });
    const before = process.env.GEOSIFT_INFERENCE_WORKER;
    process.env.GEOSIFT_INFERENCE_WORKER = '0';
    let b;
    try {
      b = await loadModel(testModelDir, { provider: 'cpu', verifyHashes: false });
    } finally {
      if (before === undefined) delete process.env.GEOSIFT_INFERENCE_WORKER;
      else process.env.GEOSIFT_INFERENCE_WORKER = before;
    }
    try {
      const img = { width: 40, height: 40, data: Uint8Array.from({ length: 40 * 40 * 3 }, (_, i) => (i * 7) % 256) };
      const [va] = await a.encodeImages([img, img]);
      const [vb] = await b.encodeImages([img, img]);
      expect(Array.from(va)).toEqual(Array.from(vb));
      const [ta] = await a.encodeTexts(['a river']);
      const [tb] = await b.encodeTexts(['a river']);
      expect(Array.from(ta)).toEqual(Array.from(tb));
    } finally {
      await Promise.all([a.dispose(), b.dispose()]);
    }
  });
});
