// Parses and validates model.json, and checks a package folder's files against it (presence, size, sha256).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError, ErrorCodes, throwIfAborted } from '../../../shared/protocol/errors.js';
import type { ModelManifest } from './types.js';

export const MANIFEST_FILE = 'model.json';

/** Collects the path of the value being checked so every error names its field. */
class Checker {
  constructor(private readonly where: string) {}

  fail(field: string, expected: string, got: unknown): never {
    throw new EngineError(ErrorCodes.MODEL_INVALID, `${this.where}: ${field} must be ${expected}, got ${show(got)}`, {
      details: { field },
    });
  }

  object(v: unknown, field: string): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(field, 'an object', v);
    return v as Record<string, unknown>;
  }

  string(v: unknown, field: string): string {
    if (typeof v !== 'string' || v.trim() === '') this.fail(field, 'a non-empty string', v);
    return v;
  }

  optionalString(v: unknown, field: string): string | undefined {
    return v === undefined ? undefined : this.string(v, field);
  }

  /** A file name inside the package: no folders, so a manifest cannot point outside its own package. */
  fileName(v: unknown, field: string): string {
    const s = this.string(v, field);
    if (s.includes('/') || s.includes('\\') || s === '.' || s === '..') this.fail(field, 'a plain file name inside the package', v);
    return s;
  }

  boolean(v: unknown, field: string): boolean {
    if (typeof v !== 'boolean') this.fail(field, 'true or false', v);
    return v;
  }

  positiveInt(v: unknown, field: string): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) this.fail(field, 'a positive integer', v);
    return v;
  }

  nonNegativeInt(v: unknown, field: string): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.fail(field, 'a non-negative integer', v);
    return v;
  }

  tokenIdOrNull(v: unknown, field: string): number | null {
    if (v === null) return null;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.fail(field, 'a non-negative integer or null', v);
    return v;
  }

  positiveNumber(v: unknown, field: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) this.fail(field, 'a positive number', v);
    return v;
  }

  triple(v: unknown, field: string, positive: boolean): [number, number, number] {
    const what = positive ? 'an array of 3 positive numbers' : 'an array of 3 finite numbers';
    if (!Array.isArray(v) || v.length !== 3) this.fail(field, what, v);
    for (const x of v) {
      if (typeof x !== 'number' || !Number.isFinite(x) || (positive && x <= 0)) this.fail(field, what, v);
    }
    return [v[0], v[1], v[2]];
  }

  oneOf<T extends string>(v: unknown, field: string, options: readonly T[]): T {
    if (typeof v !== 'string' || !options.includes(v as T)) this.fail(field, `one of ${options.map((o) => `"${o}"`).join(', ')}`, v);
    return v as T;
  }

  stringArray(v: unknown, field: string): string[] {
    if (!Array.isArray(v) || v.length === 0) this.fail(field, 'a non-empty array of strings', v);
    v.forEach((x, i) => this.string(x, `${field}[${i}]`));
    return [...(v as string[])];
  }
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)';
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** Validates a parsed model.json; `where` prefixes every error (e.g. the file path). */
export function parseManifest(json: unknown, where = MANIFEST_FILE): ModelManifest {
  const c: Checker = new Checker(where);
  const m = c.object(json, 'the manifest');
  if (m.format !== 'geosift-model') c.fail('format', '"geosift-model"', m.format);
  if (m.formatVersion !== 1) c.fail('formatVersion', '1 (the only version this Geosift reads)', m.formatVersion);

  const v = c.object(m.vision, 'vision');
  const vision: ModelManifest['vision'] = {
    file: c.fileName(v.file, 'vision.file'),
    input: c.string(v.input, 'vision.input'),
    output: c.string(v.output, 'vision.output'),
    imageSize: c.positiveInt(v.imageSize, 'vision.imageSize'),
    mean: c.triple(v.mean, 'vision.mean', false),
    std: c.triple(v.std, 'vision.std', true),
    resizeMode: c.oneOf(v.resizeMode, 'vision.resizeMode', ['shortest-center-crop', 'squash'] as const),
    interpolation: c.oneOf(v.interpolation, 'vision.interpolation', ['bicubic', 'bilinear'] as const),
    bands: c.stringArray(v.bands, 'vision.bands'),
  };
  if (v.preferredGsdM !== undefined) {
    vision.preferredGsdM = v.preferredGsdM === null ? null : c.positiveNumber(v.preferredGsdM, 'vision.preferredGsdM');
  }

  const t = c.object(m.text, 'text');
  const text: ModelManifest['text'] = {
    file: c.fileName(t.file, 'text.file'),
    inputIds: c.string(t.inputIds, 'text.inputIds'),
    attentionMask: t.attentionMask === null ? null : c.string(t.attentionMask, 'text.attentionMask'),
    output: c.string(t.output, 'text.output'),
    tokenizer: c.fileName(t.tokenizer, 'text.tokenizer'),
    contextLength: c.positiveInt(t.contextLength, 'text.contextLength'),
    padToContextLength: c.boolean(t.padToContextLength, 'text.padToContextLength'),
    padId: c.nonNegativeInt(t.padId, 'text.padId'),
    bosId: c.tokenIdOrNull(t.bosId, 'text.bosId'),
    eosId: c.tokenIdOrNull(t.eosId, 'text.eosId'),
    pooling: c.oneOf(t.pooling, 'text.pooling', ['inside-graph'] as const),
  };
  if (text.contextLength < 3) c.fail('text.contextLength', 'at least 3 (room for start, end and one token)', text.contextLength);

  const languages = c.stringArray(m.languages, 'languages');
  const pt = c.object(m.promptTemplates, 'promptTemplates');
  const promptTemplates: Record<string, string[]> = {};
  for (const [lang, list] of Object.entries(pt)) {
    const templates = c.stringArray(list, `promptTemplates.${lang}`);
    templates.forEach((tpl, i) => {
      if (!tpl.includes('{}')) c.fail(`promptTemplates.${lang}[${i}]`, "a template containing '{}'", tpl);
    });
    promptTemplates[lang] = templates;
  }
  for (const lang of languages) {
    if (!promptTemplates[lang]) c.fail(`promptTemplates.${lang}`, `a list of templates (languages lists "${lang}")`, undefined);
  }

  const f = c.object(m.files, 'files');
  const files: ModelManifest['files'] = {};
  for (const [name, entry] of Object.entries(f)) {
    c.fileName(name, `files key "${name}"`);
    const e = c.object(entry, `files["${name}"]`);
    const sha = e.sha256;
    if (typeof sha !== 'string' || !SHA256.test(sha)) c.fail(`files["${name}"].sha256`, '64 lower-case hex digits', sha);
    files[name] = { sha256: sha, bytes: c.nonNegativeInt(e.bytes, `files["${name}"].bytes`) };
  }
  for (const [field, name] of [['vision.file', vision.file], ['text.file', text.file], ['text.tokenizer', text.tokenizer]] as const) {
    if (!files[name]) c.fail('files', `an entry for "${name}" (named by ${field})`, Object.keys(files));
  }

  const out: ModelManifest = {
    format: 'geosift-model',
    formatVersion: 1,
    id: c.string(m.id, 'id'),
    name: c.string(m.name, 'name'),
    source: c.string(m.source, 'source'),
    license: c.string(m.license, 'license'),
    embeddingDim: c.positiveInt(m.embeddingDim, 'embeddingDim'),
    outputsNormalized: c.boolean(m.outputsNormalized, 'outputsNormalized'),
    logitScale: c.positiveNumber(m.logitScale, 'logitScale'),
    vision,
    text,
    languages,
    promptTemplates,
    files,
  };
  const description = c.optionalString(m.description, 'description');
  if (description !== undefined) out.description = description;
  if (m.provenance !== undefined) out.provenance = c.object(m.provenance, 'provenance');
  return out;
}

export interface ModelPackage {
  dir: string;
  manifest: ModelManifest;
  /** sha256 of model.json's bytes. */
  manifestSha256: string;
  /** Absolute path of each file, by manifest file name. */
  paths: Record<string, string>;
}

export interface LoadPackageOptions {
  /** Hash every file against the manifest (default true). Sizes and presence are always checked. */
  verifyHashes?: boolean;
  signal?: AbortSignal;
}

/** Reads and validates dir/model.json and checks that every listed file is there, with its size and sha256. */
export async function loadModelPackage(dir: string, options: LoadPackageOptions = {}): Promise<ModelPackage> {
  const manifestPath = join(dir, MANIFEST_FILE);
  let raw: Buffer;
  try {
    raw = await readFile(manifestPath);
  } catch (e) {
    throw new EngineError(ErrorCodes.MODEL_NOT_FOUND, `No model package at ${dir}: ${MANIFEST_FILE} is missing or unreadable`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new EngineError(ErrorCodes.MODEL_INVALID, `${manifestPath} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const manifest = parseManifest(json, manifestPath);
  const paths: Record<string, string> = {};
  for (const [name, expected] of Object.entries(manifest.files)) {
    throwIfAborted(options.signal);
    const path = join(dir, name);
    let size: number;
    try {
      const s = await stat(path);
      if (!s.isFile()) throw new Error('not a file');
      size = s.size;
    } catch (e) {
      throw new EngineError(ErrorCodes.MODEL_NOT_FOUND, `Model file ${name} is missing from ${dir} (model.json lists it)`, { cause: e, details: { file: name } });
    }
    if (size !== expected.bytes) {
      throw new EngineError(
        ErrorCodes.MODEL_MISMATCH,
        `${name} is ${size} bytes, model.json says ${expected.bytes}: the package is damaged or was modified (${path})`,
        { details: { file: name } },
      );
    }
    if (options.verifyHashes !== false && (await sha256File(path)) !== expected.sha256) {
      throw new EngineError(
        ErrorCodes.MODEL_MISMATCH,
        `${name} sha256 does not match model.json: the package is damaged or was modified (${path})`,
        { details: { file: name } },
      );
    }
    paths[name] = path;
  }
  return { dir, manifest, manifestSha256: createHash('sha256').update(raw).digest('hex'), paths };
}

/** Streams so that a several-hundred-MB model file never sits in memory twice. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
