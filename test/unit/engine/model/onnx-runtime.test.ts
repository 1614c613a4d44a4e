// Session creation, provider choice and fallback, bad files and disposal, on the generated test graphs.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../shared/protocol/errors.js';
import { createSession, platformGpuProvider, supportedProviders } from '../../../../main/engine/model/onnx-runtime.js';
import { generatedDir, testModelDir } from '../../../helpers/paths.js';
import { asyncErrorOf } from '../../../helpers/errors.js';

const vision = join(testModelDir, 'vision.onnx');
const gpu = platformGpuProvider();


describe('createSession', () => {
  it("'auto' runs on the GPU provider when it loads, otherwise on cpu and says why", async () => {
    const s = await createSession(vision, { provider: 'auto' });
    try {
      if (s.provider === 'cpu') {
        expect(s.providerNote).toBeTruthy();
        if (gpu) expect(s.providerNote).toContain(`${gpu} unavailable`);
        console.log(`[onnx-runtime] auto -> cpu: ${s.providerNote}`);
      } else {
        expect(s.provider).toBe(gpu);
        expect(s.providerNote).toBeUndefined();
      }
    } finally {
      await s.dispose();
    }
  });

  it("an explicit GPU provider either runs or fails with E_PROVIDER_UNAVAILABLE naming the supported ones", async () => {
    const asked = gpu ?? 'cuda';
    try {
      const s = await createSession(vision, { provider: asked });
      expect(s.provider).toBe(asked);
      await s.dispose();
    } catch (e) {
      expect(e).toBeInstanceOf(EngineError);
      const err = e as EngineError;
      expect(err.code).toBe('E_PROVIDER_UNAVAILABLE');
      expect(err.message).toContain(`Execution provider "${asked}" is not available`);
      expect(err.message).toContain(`Supported here: ${supportedProviders().join(', ')}`);
    }
  });

  it("'cpu' runs on cpu without a note, and exposes names, types and shapes", async () => {
    const s = await createSession(vision, { provider: 'cpu', intraOpThreads: 1, graphOptimizationLevel: 'basic' });
    expect(s.provider).toBe('cpu');
    expect(s.providerNote).toBeUndefined();
    expect(s.inputs).toEqual([{ name: 'pixel_values', type: 'float32', shape: ['batch', 3, 64, 64] }]);
    expect(s.outputs).toEqual([{ name: 'image_embeds', type: 'float32', shape: ['batch', 16] }]);
    const out = await s.run({ pixel_values: { type: 'float32', data: new Float32Array(2 * 3 * 64 * 64), dims: [2, 3, 64, 64] } });
    expect(out.image_embeds.dims).toEqual([2, 16]);
    await s.dispose();
    await s.dispose();
  });

  it('a file that is not ONNX is E_MODEL_RUNTIME naming the file', async () => {
    const e = await asyncErrorOf(createSession(join(generatedDir, 'models', 'broken-corrupt-onnx', 'vision.onnx'), { provider: 'cpu' }));
    expect(e.code).toBe('E_MODEL_RUNTIME');
    expect(e.message).toContain('vision.onnx could not be loaded by ONNX Runtime: it is not a valid ONNX model');
  });

  it('a missing file is E_MODEL_NOT_FOUND; an unknown provider is E_BAD_ARGUMENT', async () => {
    expect((await asyncErrorOf(createSession(join(testModelDir, 'nope.onnx')))).code).toBe('E_MODEL_NOT_FOUND');
    const e = await asyncErrorOf(createSession(vision, { provider: 'tpu' as never }));
    expect(e.code).toBe('E_BAD_ARGUMENT');
    expect(e.message).toContain('cpu');
  });

  it('a bad feed is E_MODEL_RUNTIME, and running after dispose is refused', async () => {
    const s = await createSession(vision, { provider: 'cpu' });
    const e = await asyncErrorOf(s.run({ pixel_values: { type: 'float32', data: new Float32Array(3 * 8 * 8), dims: [1, 3, 8, 8] } }));
    expect(e.code).toBe('E_MODEL_RUNTIME');
    expect(e.message).toContain('vision.onnx failed to run');
    await s.dispose();
    await expect(s.run({})).rejects.toThrow(/after dispose/);
  });
});
