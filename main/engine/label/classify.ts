// Zero-shot classification: class prompts from the model's templates, prompt-ensembled class embeddings, per-tile softmax.
import { EngineError, ErrorCodes, throwIfAborted } from '../../../shared/protocol/errors.js';
import { className } from './schemes.js';
import type { LabelScheme } from './types.js';

/** Below this softmax probability a tile is labelled unknown. With k classes the uniform answer is 1/k, so 0.3 means "clearly ahead" for k >= 4. */
export const DEFAULT_MIN_PROBABILITY = 0.3;

export interface PromptSource {
  /** Prompt templates per language, '{}' is the class name (ModelManifest.promptTemplates). */
  promptTemplates: Record<string, string[]>;
  /** ModelManifest.logitScale. */
  logitScale: number;
}

export interface ClassPrompts {
  classId: string;
  /** The class name used in the prompts and its language. */
  name: string;
  language: string;
  /** Where the prompts come from: the scheme's own prompts or the model's templates of a language. */
  origin: 'scheme' | 'model';
  templateLanguage: string;
  texts: string[];
}

export interface BuildPromptsOptions {
  /** Average the embeddings of every template (default true); false uses the first template only. */
  ensemble?: boolean;
}

export interface PromptPlan {
  language: string;
  ensemble: boolean;
  classes: ClassPrompts[];
  /** Fallbacks the user should know about (missing class names or templates in the language). */
  notes: string[];
}

function fill(template: string, name: string): string {
  return template.includes('{}') ? template.split('{}').join(name) : template;
}

/**
 * Prompts per class: the scheme's own prompts for the language when it has them, else the class name
 * in the language through the model's templates for that language (English templates when it has none).
 */
export function buildPrompts(scheme: LabelScheme, language: string, model: PromptSource, options: BuildPromptsOptions = {}): PromptPlan {
  const ensemble = options.ensemble ?? true;
  const notes: string[] = [];
  const templatesFor = (lang: string): { lang: string; list: string[] } | null => {
    const direct = model.promptTemplates[lang] ?? model.promptTemplates[lang.split('-')[0]];
    if (direct && direct.length) return { lang: model.promptTemplates[lang] ? lang : lang.split('-')[0], list: direct };
    return null;
  };
  let missingTemplates = false;
  const classes = scheme.classes.map((cls): ClassPrompts => {
    const n = className(cls, language);
    if (n.fellBack) notes.push(`Class "${cls.id}" has no name in "${language}"; its ${n.language} name "${n.name}" is used.`);
    const own = cls.prompts?.[n.language] ?? cls.prompts?.[language];
    if (own && own.length) {
      const texts = (ensemble ? own : own.slice(0, 1)).map((t) => fill(t, n.name));
      return { classId: cls.id, name: n.name, language: n.language, origin: 'scheme', templateLanguage: n.language, texts };
    }
    let t = templatesFor(n.language);
    if (!t) {
      missingTemplates = true;
      t = templatesFor('en') ?? { lang: 'none', list: ['{}'] };
    }
    const texts = (ensemble ? t.list : t.list.slice(0, 1)).map((tpl) => fill(tpl, n.name));
    return { classId: cls.id, name: n.name, language: n.language, origin: 'model', templateLanguage: t.lang, texts };
  });
  if (missingTemplates) {
    const used = classes.find((c) => c.origin === 'model' && c.templateLanguage !== c.language)?.templateLanguage ?? 'en';
    notes.push(used === 'none'
      ? `The model has no prompt templates for "${language}" nor English; bare class names are used as prompts.`
      : `The model has no prompt templates for "${language}"; its English templates are used with the ${language} class names.`);
  }
  return { language, ensemble, classes, notes };
}

export type EncodeTexts = (texts: string[], options?: { signal?: AbortSignal }) => Promise<Float32Array[]>;

/**
 * One embedding per class: the mean of its prompts' (L2-normalised) text embeddings, L2-normalised again.
 * A class whose prompts all embed to zero stays the zero vector (it then scores cosine 0 with every tile).
 * Returns classes x dim, row-major.
 */
export async function embedClasses(plan: PromptPlan, encodeTexts: EncodeTexts, options: { signal?: AbortSignal } = {}): Promise<{ matrix: Float32Array; dim: number }> {
  const texts = plan.classes.flatMap((c) => c.texts);
  throwIfAborted(options.signal);
  const vectors = await encodeTexts(texts, { signal: options.signal });
  throwIfAborted(options.signal);
  if (vectors.length !== texts.length) throw new EngineError(ErrorCodes.INTERNAL, `encodeTexts returned ${vectors.length} embeddings for ${texts.length} prompts`);
  const dim = vectors[0]?.length ?? 0;
  const matrix = new Float32Array(plan.classes.length * dim);
  let k = 0;
  plan.classes.forEach((c, ci) => {
    const row = new Float64Array(dim);
    for (let j = 0; j < c.texts.length; j++, k++) {
      const v = vectors[k];
      if (v.length !== dim) throw new EngineError(ErrorCodes.INTERNAL, `Text embedding ${k} has ${v.length} dims, expected ${dim}`);
      let n = 0;
      for (let d = 0; d < dim; d++) n += v[d] * v[d];
      const s = n > 0 ? 1 / Math.sqrt(n) : 0;
      for (let d = 0; d < dim; d++) row[d] += v[d] * s;
    }
    let n = 0;
    for (let d = 0; d < dim; d++) n += row[d] * row[d];
    const s = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (let d = 0; d < dim; d++) matrix[ci * dim + d] = row[d] * s;
  });
  return { matrix, dim };
}

export interface ClassifyOptions {
  /** Multiplies cosines before the softmax (the model's logitScale). */
  logitScale: number;
  /** A tile whose best probability is below this is unknown. Default DEFAULT_MIN_PROBABILITY. */
  minProbability?: number;
  /** A tile whose best probability leads the runner-up by less than this is unknown. Default 0 (off). */
  minMargin?: number;
}

export interface TileClassification {
  /** Best class index, or -1 when below the thresholds. */
  classIndex: number;
  bestIndex: number;
  probability: number;
  cosine: number;
  runnerUpIndex: number;
  runnerUpProbability: number;
  margin: number;
}

/**
 * Classifies n tiles (vectors: n x dim, L2-normalised rows) against k class embeddings (k x dim):
 * p = softmax(logitScale * cosine) over classes; the best class, its probability, the runner-up and the margin.
 */
export function classifyVectors(vectors: Float32Array, classEmbeddings: Float32Array, dim: number, options: ClassifyOptions): TileClassification[] {
  if (dim <= 0 || vectors.length % dim !== 0 || classEmbeddings.length % dim !== 0) {
    throw new EngineError(ErrorCodes.INTERNAL, `classifyVectors: array lengths ${vectors.length} and ${classEmbeddings.length} are not multiples of dim ${dim}`);
  }
  const k = classEmbeddings.length / dim;
  if (k < 1) throw new EngineError(ErrorCodes.BAD_ARGUMENT, 'No classes to label with.');
  const minP = options.minProbability ?? DEFAULT_MIN_PROBABILITY;
  const minM = options.minMargin ?? 0;
  if (!(minP >= 0 && minP <= 1)) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `minProbability must be from 0 to 1, got ${minP}`);
  if (!(minM >= 0 && minM <= 1)) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `minMargin must be from 0 to 1, got ${minM}`);
  const n = vectors.length / dim;
  const out: TileClassification[] = [];
  const cos = new Float64Array(k);
  const p = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const off = i * dim;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      let d = 0;
      const co = c * dim;
      for (let j = 0; j < dim; j++) d += vectors[off + j] * classEmbeddings[co + j];
      cos[c] = d;
      if (options.logitScale * d > max) max = options.logitScale * d;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) {
      p[c] = Math.exp(options.logitScale * cos[c] - max);
      sum += p[c];
    }
    let best = 0, second = -1;
    for (let c = 0; c < k; c++) {
      p[c] /= sum;
      if (c === 0) continue;
      if (p[c] > p[best]) {
        second = best;
        best = c;
      } else if (second < 0 || p[c] > p[second]) second = c;
    }
    const pb = p[best];
    const ps = second >= 0 ? p[second] : 0;
    const margin = pb - ps;
    const confident = pb >= minP && margin >= minM;
    out.push({ classIndex: confident ? best : -1, bestIndex: best, probability: pb, cosine: cos[best], runnerUpIndex: second, runnerUpProbability: ps, margin });
  }
  return out;
}
