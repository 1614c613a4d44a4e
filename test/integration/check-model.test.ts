// `geosift check-model`: reference outputs (softmax % per image and query) reproduced through the TypeScript pipeline.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { cosine, imageFeature, WORD_VECTORS } from '../helpers/test-model-rule.js';

function solidPng(path: string, rgb: [number, number, number]): void {
  const png = new PNG({ width: 80, height: 64 });
  for (let i = 0; i < 80 * 64; i++) png.data.set([...rgb, 255], i * 4);
  writeFileSync(path, PNG.sync.write(png));
}

/** Softmax over 100 x cosine, in percent, from the test model's documented rule. */
function rulePercents(rgb: [number, number, number], words: string[]): number[] {
  const f = imageFeature(rgb[0] / 255, rgb[1] / 255, rgb[2] / 255);
  const logits = words.map((w) => 100 * cosine(f, WORD_VECTORS[w]));
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => (100 * x) / z);
}

describe('geosift check-model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'geosift-ref-'));
  const colours: Record<string, [number, number, number]> = { 'olive.png': [90, 140, 60], 'sea.png': [40, 80, 150] };
  for (const [name, rgb] of Object.entries(colours)) solidPng(join(dir, name), rgb);
  const words = ['green', 'blue', 'red', 'dark'];
  const examples = Object.entries(colours).map(([name, rgb]) => ({
    image: name,
    language: 'en',
    queries: words.map((w, i) => ({ text: w, prob_percent: Math.round(rulePercents(rgb, words)[i] * 10) / 10 })),
  }));

  it('passes when the model reproduces the reference', async () => {
    const ref = join(dir, 'good.json');
    writeFileSync(ref, JSON.stringify({ source: 'test-model rule', examples }));
    const r = await cli(['check-model', 'test-clip', '--reference', ref, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.passed).toBe(true);
    expect(res.rows).toHaveLength(8);
    expect(res.maxDiff).toBeLessThanOrEqual(0.15);
  });

  it('fails with E_MODEL_MISMATCH, listing the differing rows, when it does not', async () => {
    const ref = join(dir, 'bad.json');
    const wrong = structuredClone(examples);
    wrong[0].queries[0].prob_percent = 0;
    wrong[0].queries[1].prob_percent = 100;
    writeFileSync(ref, JSON.stringify({ examples: wrong }));
    const r = await cli(['check-model', 'test-clip', '--reference', ref]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL .*\[en\] green/);
    expect(r.stdout).toMatch(/^FAILED: largest difference/m);
    expect(r.stderr).toMatch(/E_MODEL_MISMATCH/);
  });

  it('refuses a file that is not a reference', async () => {
    const ref = join(dir, 'nonsense.json');
    writeFileSync(ref, '{"hello": 1}');
    const r = await cli(['check-model', 'test-clip', '--reference', ref]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E_BAD_ARGUMENT: .* is not a reference file/);
  });
});
