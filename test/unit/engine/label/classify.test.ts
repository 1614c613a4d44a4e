// Prompts from the model's templates per language, prompt ensembling with the test model's real text encoder, softmax in plain numbers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../../main/engine/model/index.js';
import type { Model, ModelManifest } from '../../../../main/engine/model/types.js';
import { buildPrompts, classifyVectors, DEFAULT_MIN_PROBABILITY, embedClasses } from '../../../../main/engine/label/classify.js';
import { getScheme, parseScheme, schemeFromClassList } from '../../../../main/engine/label/schemes.js';
import { testModelDir } from '../../../helpers/paths.js';

const manifest = JSON.parse(readFileSync(join(testModelDir, 'model.json'), 'utf8')) as ModelManifest;

describe('buildPrompts', () => {
  it('puts each class name in the language through that language\'s templates', () => {
    const plan = buildPrompts(getScheme('eurosat'), 'pt', manifest);
    expect(plan.classes[1]).toEqual({ classId: 'forest', name: 'floresta', language: 'pt', origin: 'model', templateLanguage: 'pt', texts: manifest.promptTemplates.pt.map((t) => t.replace('{}', 'floresta')) });
    expect(plan.notes).toEqual([]);
    const en = buildPrompts(getScheme('eurosat'), 'en', manifest);
    expect(en.classes[1].texts).toEqual(['a satellite photo of forest.', 'an aerial image of forest.']);
    expect(buildPrompts(getScheme('eurosat'), 'en', manifest, { ensemble: false }).classes[1].texts).toEqual(['a satellite photo of forest.']);
    expect(buildPrompts(getScheme('eurosat'), 'zh', manifest).classes[1].texts).toEqual(['森林的卫星照片。']);
  });

  it('falls back to English templates for a language the model has none for, and says so', () => {
    const s = parseScheme({ id: 'ja', classes: [{ id: 'forest', names: { ja: '森林', en: 'forest' } }, { id: 'water', names: { ja: '水域' } }] });
    const plan = buildPrompts(s, 'ja', manifest);
    expect(plan.classes[0].texts).toEqual(['a satellite photo of 森林.', 'an aerial image of 森林.']);
    expect(plan.classes[0].templateLanguage).toBe('en');
    expect(plan.notes.join(' ')).toMatch(/no prompt templates for "ja"; its English templates are used/);
    const missing = buildPrompts(s, 'de', manifest);
    expect(missing.classes[1]).toMatchObject({ name: '水域', language: 'ja' });
    expect(missing.notes.join(' ')).toMatch(/Class "forest" has no name in "de"; its en name "forest" is used/);
  });

  it('uses a class\'s own prompts for the language instead of the templates', () => {
    const s = parseScheme({ id: 'c', classes: [{ id: 'water', names: { en: 'water' }, prompts: { en: ['open {} from above', 'a lake'] } }, { id: 'sand', names: { en: 'sand' } }] });
    const plan = buildPrompts(s, 'en', manifest);
    expect(plan.classes[0]).toMatchObject({ origin: 'scheme', texts: ['open water from above', 'a lake'] });
    expect(plan.classes[1]).toMatchObject({ origin: 'model', texts: ['a satellite photo of sand.', 'an aerial image of sand.'] });
  });
});

describe('classifyVectors (plain numbers)', () => {
  const at = (deg: number): number[] => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];
  const classes = Float32Array.from([...at(0), ...at(90), ...at(180)]);

  it('is softmax(logitScale * cosine): class, probability, runner-up and margin', () => {
    const [t] = classifyVectors(Float32Array.from(at(30)), classes, 2, { logitScale: 10 });
    const cos = [Math.cos(Math.PI / 6), Math.cos(Math.PI / 3), -Math.cos(Math.PI / 6)];
    const e = cos.map((c) => Math.exp(10 * c));
    const p = e.map((v) => v / e.reduce((a, b) => a + b));
    expect(t.classIndex).toBe(0);
    expect(t.bestIndex).toBe(0);
    expect(t.runnerUpIndex).toBe(1);
    expect(t.probability).toBeCloseTo(p[0], 6);
    expect(t.runnerUpProbability).toBeCloseTo(p[1], 6);
    expect(t.margin).toBeCloseTo(p[0] - p[1], 6);
    expect(t.cosine).toBeCloseTo(cos[0], 6);
  });

  it('says unknown below the probability or margin threshold but still reports the best class', () => {
    // Half-way between two classes: 50/50 (the third far away). At 40 degrees: p = 0.774 vs 0.226, margin 0.548.
    const [tie] = classifyVectors(Float32Array.from(at(45)), classes, 2, { logitScale: 10, minProbability: 0.6 });
    expect(tie.classIndex).toBe(-1);
    expect(tie.probability).toBeCloseTo(0.5, 3);
    const [near] = classifyVectors(Float32Array.from(at(40)), classes, 2, { logitScale: 10, minProbability: 0.3, minMargin: 0.6 });
    expect(near.classIndex).toBe(-1);
    expect(near.bestIndex).toBe(0);
    expect(DEFAULT_MIN_PROBABILITY).toBe(0.3);
    expect(() => classifyVectors(Float32Array.from(at(0)), classes, 2, { logitScale: 10, minProbability: 2 })).toThrow(/minProbability must be from 0 to 1/);
  });

  it('gives every class 1/k when the tile or the classes are zero vectors', () => {
    const out = classifyVectors(new Float32Array(4), classes, 2, { logitScale: 100 });
    for (const t of out) {
      expect(t.probability).toBeCloseTo(1 / 3, 9);
      expect(t.classIndex).toBe(0);
      expect(t.margin).toBe(0);
    }
  });
});

describe('class embeddings with the test model', () => {
  let model: Model;
  beforeAll(async () => {
    model = await loadModel(testModelDir, { provider: 'cpu', intraOpThreads: 1 });
  });
  afterAll(async () => {
    await model?.dispose();
  });

  it('averages the prompts of a class and normalises: the same direction as the bare colour word', async () => {
    const scheme = schemeFromClassList('green, blue, forest', 'en');
    const plan = buildPrompts(scheme, 'en', model.info.manifest);
    const { matrix, dim } = await embedClasses(plan, (t, o) => model.encodeTexts(t, o));
    expect(dim).toBe(16);
    const [green, blue] = await model.encodeTexts(['green', 'blue']);
    const row = (i: number): Float32Array => matrix.subarray(i * dim, (i + 1) * dim);
    const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + v * b[i], 0);
    expect(dot(row(0), green)).toBeCloseTo(1, 5);
    expect(dot(row(1), blue)).toBeCloseTo(1, 5);
    expect(dot(row(0), row(0))).toBeCloseTo(1, 5);
    // "forest" is no colour word: the test model embeds it to zero, and it stays zero.
    expect(Array.from(row(2)).every((v) => v === 0)).toBe(true);
  });

  it('gives the same class embeddings for the same colours named in Portuguese', async () => {
    const en = buildPrompts(schemeFromClassList('green, blue, red', 'en'), 'en', model.info.manifest);
    const pt = buildPrompts(schemeFromClassList('verde, azul, vermelho', 'pt'), 'pt', model.info.manifest);
    const a = await embedClasses(en, (t) => model.encodeTexts(t));
    const b = await embedClasses(pt, (t) => model.encodeTexts(t));
    a.matrix.forEach((v, i) => expect(b.matrix[i]).toBeCloseTo(v, 5));
  });
});
