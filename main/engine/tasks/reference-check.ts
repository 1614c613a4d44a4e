// Checks an exported model against reference outputs (softmax percentages over image-query pairs), through the engine's own pipeline.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import type { Model } from '../model/types.js';
import { readExampleImage } from './example-image.js';

/** The format of ../shared/data/rs-m-clip-samples/expected_outputs.json. */
export interface ReferenceOutputs {
  source?: string;
  /** Multiplier of the cosines before the softmax (the RS-M-CLIP README uses 100). */
  logitScale?: number;
  examples: { image: string; language?: string; queries: { text: string; prob_percent: number }[] }[];
}

export interface ReferenceCheckRow {
  image: string;
  language: string;
  text: string;
  expectedPercent: number;
  ourPercent: number;
  ok: boolean;
}

export interface ReferenceCheckResult {
  passed: boolean;
  /** Largest difference in percentage points. */
  maxDiff: number;
  tolerance: number;
  rows: ReferenceCheckRow[];
}

/** Tolerance in percentage points: the reference is printed rounded to 0.1 %. */
export const REFERENCE_TOLERANCE = 0.15;

export async function readReference(path: string): Promise<{ ref: ReferenceOutputs; baseDir: string }> {
  let ref: ReferenceOutputs;
  try {
    ref = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Cannot read reference outputs ${path}: ${(e as Error).message}`);
  }
  if (!Array.isArray(ref?.examples) || ref.examples.some((x) => typeof x.image !== 'string' || !Array.isArray(x.queries))) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `${path} is not a reference file: expected {examples: [{image, queries: [{text, prob_percent}]}]}`);
  }
  return { ref, baseDir: dirname(path) };
}

export async function referenceCheck(model: Model, ref: ReferenceOutputs, baseDir: string, tolerance = REFERENCE_TOLERANCE, signal?: AbortSignal): Promise<ReferenceCheckResult> {
  const scale = ref.logitScale ?? 100;
  const rows: ReferenceCheckRow[] = [];
  for (const ex of ref.examples) {
    const path = isAbsolute(ex.image) ? ex.image : join(baseDir, ex.image);
    const img = await readExampleImage(path, 'rgb', signal);
    const [iv] = await model.encodeImages([img], { signal });
    const tv = await model.encodeTexts(ex.queries.map((q) => q.text), { signal });
    const logits = tv.map((t) => scale * t.reduce((s, v, k) => s + v * iv[k], 0));
    const m = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - m));
    const z = exps.reduce((a, b) => a + b, 0);
    ex.queries.forEach((q, i) => {
      const ours = (100 * exps[i]) / z;
      rows.push({ image: ex.image, language: ex.language ?? 'en', text: q.text, expectedPercent: q.prob_percent, ourPercent: ours, ok: Math.abs(ours - q.prob_percent) <= tolerance });
    });
  }
  const maxDiff = Math.max(0, ...rows.map((r) => Math.abs(r.ourPercent - r.expectedPercent)));
  return { passed: rows.every((r) => r.ok), maxDiff, tolerance, rows };
}
