// model.json validation (one error per field, naming it) and package checks on the generated broken packages.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../../../shared/protocol/errors.js';
import { loadModelPackage, parseManifest } from '../../../../main/engine/model/manifest.js';
import { generatedDir, testModelDir } from '../../../helpers/paths.js';
import { asyncErrorOf, errorOf } from '../../../helpers/errors.js';

const good = JSON.parse(readFileSync(join(testModelDir, 'model.json'), 'utf8')) as Record<string, unknown>;
const broken = (name: string): string => join(generatedDir, 'models', name);
const work = mkdtempSync(join(tmpdir(), 'geosift-manifest-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function mutated(path: string, value: unknown): unknown {
  const m = structuredClone(good);
  const keys = path.split('.');
  let o = m as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  if (value === undefined) delete o[keys.at(-1)!];
  else o[keys.at(-1)!] = value;
  return m;
}



describe('parseManifest', () => {
  it('accepts the generated test package and keeps every field', () => {
    const m = parseManifest(good);
    expect(m.id).toBe('test-clip');
    expect(m.embeddingDim).toBe(16);
    expect(m.vision).toMatchObject({ imageSize: 64, resizeMode: 'shortest-center-crop', interpolation: 'bicubic', preferredGsdM: null });
    expect(m.text).toMatchObject({ contextLength: 32, padId: 1, bosId: 0, eosId: 2, attentionMask: 'attention_mask' });
    expect(m.languages).toHaveLength(10);
    expect(Object.keys(m.files).sort()).toEqual(['LICENSE', 'text.onnx', 'tokenizer.json', 'vision.int8.onnx', 'vision.onnx']);
  });

  it('names the field and the value in the documented form', () => {
    const e = errorOf(() => parseManifest(mutated('vision.imageSize', -3), 'model.json'));
    expect(e.code).toBe('E_MODEL_INVALID');
    expect(e.message).toBe('model.json: vision.imageSize must be a positive integer, got -3');
  });

  const cases: [string, unknown][] = [
    ['format', 'onnx-clip'],
    ['formatVersion', 2],
    ['id', ''],
    ['name', 7],
    ['source', undefined],
    ['license', null],
    ['description', ''],
    ['embeddingDim', 0],
    ['embeddingDim', 1.5],
    ['outputsNormalized', 'no'],
    ['logitScale', -1],
    ['vision', 'vision.onnx'],
    ['vision.file', '../vision.onnx'],
    ['vision.input', ''],
    ['vision.output', undefined],
    ['vision.imageSize', 64.5],
    ['vision.mean', [0.5, 0.5]],
    ['vision.std', [0.2, 0, 0.2]],
    ['vision.resizeMode', 'crop'],
    ['vision.interpolation', 'nearest'],
    ['vision.bands', []],
    ['vision.preferredGsdM', -0.3],
    ['text.file', 'models/text.onnx'],
    ['text.inputIds', 3],
    ['text.attentionMask', 5],
    ['text.output', ''],
    ['text.tokenizer', undefined],
    ['text.contextLength', 0],
    ['text.padToContextLength', 'yes'],
    ['text.padId', -1],
    ['text.bosId', 1.5],
    ['text.eosId', 'x'],
    ['text.pooling', 'mean'],
    ['languages', []],
    ['promptTemplates.de', undefined],
    ['files', []],
    ['files.text.onnx', undefined],
    ['provenance', 'by hand'],
  ];
  it.each(cases)('rejects a bad %s and names it', (field, value) => {
    // files.text.onnx is a key with a dot; build that case by hand.
    const json = field === 'files.text.onnx' ? (() => {
      const m = structuredClone(good) as { files: Record<string, unknown> };
      delete m.files['text.onnx'];
      return m;
    })() : mutated(field, value);
    const e = errorOf(() => parseManifest(json, 'model.json'));
    expect(e.code).toBe('E_MODEL_INVALID');
    const named = field === 'files.text.onnx' ? 'files' : field === 'languages' ? 'languages' : field;
    expect(e.message).toContain(`model.json: ${named} must be`);
    expect(e.message).toMatch(/got /);
  });

  it('rejects bad file entries by name', () => {
    const m = structuredClone(good) as { files: Record<string, { sha256: string; bytes: number }> };
    m.files['vision.onnx'].sha256 = 'abc';
    expect(errorOf(() => parseManifest(m)).message).toContain('files["vision.onnx"].sha256 must be 64 lower-case hex digits, got "abc"');
    const n = structuredClone(good) as { files: Record<string, { sha256: string; bytes: number }> };
    n.files.LICENSE.bytes = -1;
    expect(errorOf(() => parseManifest(n)).message).toContain('files["LICENSE"].bytes must be a non-negative integer, got -1');
  });

  it('requires templates for every listed language and a {} slot in each', () => {
    expect(errorOf(() => parseManifest(mutated('promptTemplates.ko', undefined))).message).toContain('promptTemplates.ko must be a list of templates (languages lists "ko")');
    expect(errorOf(() => parseManifest(mutated('promptTemplates.en', ['a photo']))).message).toContain("promptTemplates.en[0] must be a template containing '{}', got \"a photo\"");
  });

  it('says when a field is missing rather than wrong', () => {
    expect(errorOf(() => parseManifest(mutated('vision.output', undefined))).message).toBe(
      'model.json: vision.output must be a non-empty string, got nothing (the field is missing)',
    );
  });
});

describe('loadModelPackage', () => {
  it('loads the good package, checks every file and hashes model.json', async () => {
    const pkg = await loadModelPackage(testModelDir);
    expect(pkg.manifest.id).toBe('test-clip');
    expect(pkg.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(pkg.paths).sort()).toEqual(['LICENSE', 'text.onnx', 'tokenizer.json', 'vision.int8.onnx', 'vision.onnx']);
  });

  it('broken-missing-file: E_MODEL_NOT_FOUND naming the file', async () => {
    const e = await asyncErrorOf(loadModelPackage(broken('broken-missing-file')));
    expect(e.code).toBe('E_MODEL_NOT_FOUND');
    expect(e.message).toContain('Model file text.onnx is missing from');
  });

  it('broken-hash: E_MODEL_MISMATCH saying the package is damaged', async () => {
    const e = await asyncErrorOf(loadModelPackage(broken('broken-hash')));
    expect(e.code).toBe('E_MODEL_MISMATCH');
    expect(e.message).toMatch(/^vision\.onnx sha256 does not match model\.json: the package is damaged or was modified/);
  });

  it('broken-hash loads when hash checks are off (sizes still checked)', async () => {
    const pkg = await loadModelPackage(broken('broken-hash'), { verifyHashes: false });
    expect(pkg.manifest.id).toBe('broken-hash');
  });

  it('broken-manifest: E_MODEL_INVALID naming vision.imageSize and the file', async () => {
    const e = await asyncErrorOf(loadModelPackage(broken('broken-manifest')));
    expect(e.code).toBe('E_MODEL_INVALID');
    expect(e.message).toBe(`${join(broken('broken-manifest'), 'model.json')}: vision.imageSize must be a positive integer, got -3`);
  });

  it('a size that disagrees is a mismatch; unreadable JSON is invalid; no model.json is not found', async () => {
    const dir = join(work, 'pkg');
    cpSync(testModelDir, dir, { recursive: true });
    writeFileSync(join(dir, 'LICENSE'), 'changed');
    const size = await asyncErrorOf(loadModelPackage(dir));
    expect(size.code).toBe('E_MODEL_MISMATCH');
    expect(size.message).toContain('LICENSE is 7 bytes, model.json says');
    writeFileSync(join(dir, 'model.json'), '{"format": ');
    const json = await asyncErrorOf(loadModelPackage(dir));
    expect(json.code).toBe('E_MODEL_INVALID');
    expect(json.message).toContain('model.json is not valid JSON');
    const none = await asyncErrorOf(loadModelPackage(join(work, 'nowhere')));
    expect(none.code).toBe('E_MODEL_NOT_FOUND');
    expect(none.message).toContain('model.json is missing');
  });

  it('stops when the signal is already aborted', async () => {
    const c = new AbortController();
    c.abort();
    expect((await asyncErrorOf(loadModelPackage(testModelDir, { signal: c.signal }))).code).toBe('E_CANCELED');
  });
});
