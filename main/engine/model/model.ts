// Loads a model package into ONNX sessions and encodes images and texts into L2-normalised embeddings.
import { createHash } from 'node:crypto';
import { EngineError, ErrorCodes, throwIfAborted } from '../../../shared/protocol/errors.js';
import { loadModelPackage, type ModelPackage } from './manifest.js';
import { createSession, type RuntimeSession, type RuntimeTensor, type TensorSpec } from './onnx-runtime.js';
import { checkImage, preprocessInto, preprocessSpec, type PreprocessSpec } from './preprocess.js';
import { resolveModelDir, userModelsDir } from './resolve-model.js';
import { loadTokenizer } from './tokenizer/index.js';
import type { EncodeOptions, Model, ModelInfo, ModelLoadOptions, ModelManifest, RgbImage, VisionPrecision } from './types.js';

export const DEFAULT_BATCH_SIZE = 16;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/**
 * The text cleaning open_clip applies before tokenizing (its default "whitespace" clean: HTML
 * entities unescaped, runs of whitespace collapsed, ends stripped). open_clip also runs ftfy's
 * mojibake repair, which has no JavaScript port; it changes nothing in well-formed UTF-8 text.
 */
export function cleanText(text: string): string {
  let s = text;
  for (let i = 0; i < 2; i++) {
    s = s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    });
  }
  return s.replace(/\s+/g, ' ').trim();
}

/** What the encoder needs from the tokenizer (see tokenizer/index.ts). */
interface TextTokenizer {
  encode(text: string, options: { maxLength: number }): { ids: number[] };
}

/** Scales each row to unit length in place; an all-zero row stays zero (its cosine with anything is 0). */
export function l2NormalizeRows(data: Float32Array, n: number, dim: number): Float32Array[] {
  const rows: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const row = data.slice(i * dim, (i + 1) * dim);
    let ss = 0;
    for (let j = 0; j < dim; j++) ss += row[j] * row[j];
    if (ss > 0) {
      const inv = 1 / Math.sqrt(ss);
      for (let j = 0; j < dim; j++) row[j] *= inv;
    }
    rows.push(row);
  }
  return rows;
}

function mismatch(message: string, file: string): EngineError {
  return new EngineError(ErrorCodes.MODEL_MISMATCH, message, { details: { file } });
}

function findSpec(list: readonly TensorSpec[], name: string, kind: 'input' | 'output', session: RuntimeSession, field: string): TensorSpec {
  const spec = list.find((s) => s.name === name);
  if (!spec) {
    throw mismatch(
      `${session.file} has no ${kind} named "${name}" (model.json ${field}); its ${kind}s are: ${list.map((s) => s.name).join(', ')}`,
      session.file,
    );
  }
  return spec;
}

function checkInputs(session: RuntimeSession, declared: string[]): void {
  const extra = session.inputs.filter((s) => !declared.includes(s.name));
  if (extra.length > 0) {
    throw mismatch(`${session.file} needs inputs model.json does not declare: ${extra.map((s) => s.name).join(', ')}`, session.file);
  }
}

function checkType(spec: TensorSpec, type: string, session: RuntimeSession, field: string): void {
  if (spec.type !== null && spec.type !== type) {
    throw mismatch(`${session.file} ${spec.name} is ${spec.type}, but ${field} is fed ${type}`, session.file);
  }
}

/** The output's embedding size when the graph states it, else null (a probe run decides). */
function staticOutputDim(spec: TensorSpec, session: RuntimeSession, dim: number): number | null {
  if (!spec.shape) return null;
  if (spec.shape.length !== 2) {
    throw mismatch(`${session.file} output ${spec.name} has rank ${spec.shape.length}, expected [batch, ${dim}]`, session.file);
  }
  const last = spec.shape[1];
  return typeof last === 'number' ? last : null;
}

function checkDim(session: RuntimeSession, got: number, dim: number): void {
  if (got !== dim) throw mismatch(`${session.file} output has ${got} dims, model.json says embeddingDim ${dim}`, session.file);
}

async function checkVision(session: RuntimeSession, m: ModelManifest): Promise<void> {
  const v = m.vision;
  checkInputs(session, [v.input]);
  const input = findSpec(session.inputs, v.input, 'input', session, 'vision.input');
  checkType(input, 'float32', session, 'vision.input');
  if (input.shape) {
    const want = ['batch', 3, v.imageSize, v.imageSize];
    const bad = input.shape.length !== 4 || input.shape.some((d, i) => i > 0 && typeof d === 'number' && d !== want[i]);
    if (bad) {
      throw mismatch(
        `${session.file} input ${input.name} has shape [${input.shape.join(', ')}], model.json implies [batch, 3, ${v.imageSize}, ${v.imageSize}] (vision.imageSize)`,
        session.file,
      );
    }
  }
  const output = findSpec(session.outputs, v.output, 'output', session, 'vision.output');
  let dim = staticOutputDim(output, session, m.embeddingDim);
  if (dim === null) {
    const probe = await session.run({ [v.input]: { type: 'float32', data: new Float32Array(3 * v.imageSize * v.imageSize), dims: [1, 3, v.imageSize, v.imageSize] } });
    dim = probe[v.output].dims.at(-1) ?? 0;
  }
  checkDim(session, dim, m.embeddingDim);
}

async function checkText(session: RuntimeSession, m: ModelManifest): Promise<void> {
  const t = m.text;
  checkInputs(session, t.attentionMask ? [t.inputIds, t.attentionMask] : [t.inputIds]);
  checkType(findSpec(session.inputs, t.inputIds, 'input', session, 'text.inputIds'), 'int64', session, 'text.inputIds');
  if (t.attentionMask) {
    checkType(findSpec(session.inputs, t.attentionMask, 'input', session, 'text.attentionMask'), 'int64', session, 'text.attentionMask');
  }
  const output = findSpec(session.outputs, t.output, 'output', session, 'text.output');
  let dim = staticOutputDim(output, session, m.embeddingDim);
  if (dim === null) {
    const ids = [t.bosId ?? t.padId, t.eosId ?? t.padId];
    const feeds: Record<string, RuntimeTensor> = { [t.inputIds]: { type: 'int64', data: BigInt64Array.from(ids.map(BigInt)), dims: [1, 2] } };
    if (t.attentionMask) feeds[t.attentionMask] = { type: 'int64', data: BigInt64Array.from([1n, 1n]), dims: [1, 2] };
    const probe = await session.run(feeds);
    dim = probe[t.output].dims.at(-1) ?? 0;
  }
  checkDim(session, dim, m.embeddingDim);
}

class OnnxClipModel implements Model {
  readonly embeddingDim: number;
  private disposed = false;
  /** The image batches' input buffer, free for the next encodeImages call (null while a call holds it). */
  private scratch: Float32Array | null = null;
  private readonly spec: PreprocessSpec;

  constructor(
    readonly info: ModelInfo,
    private readonly vision: RuntimeSession,
    private readonly text: RuntimeSession,
    private readonly tokenizer: TextTokenizer,
    private readonly batchSize: number,
  ) {
    this.embeddingDim = info.manifest.embeddingDim;
    this.spec = preprocessSpec(info.manifest);
  }

  private alive(): void {
    if (this.disposed) throw new EngineError(ErrorCodes.INTERNAL, `Model ${this.info.manifest.id} was used after dispose()`);
  }

  private async runVision(pixels: Float32Array, n: number): Promise<Float32Array[]> {
    const v = this.info.manifest.vision;
    const s = v.imageSize;
    const out = await this.vision.run({ [v.input]: { type: 'float32', data: pixels, dims: [n, 3, s, s] } });
    return this.rows(out[v.output], n, this.vision);
  }

  private rows(t: { data: Float32Array; dims: number[] } | undefined, n: number, session: RuntimeSession): Float32Array[] {
    const d = this.embeddingDim;
    if (!t || t.dims.length !== 2 || t.dims[0] !== n || t.dims[1] !== d) {
      throw mismatch(`${session.file} returned shape [${t?.dims.join(', ')}], expected [${n}, ${d}]`, session.file);
    }
    return l2NormalizeRows(t.data, n, d);
  }

  async encodeImages(images: RgbImage[], options: EncodeOptions = {}): Promise<Float32Array[]> {
    this.alive();
    images.forEach((img, i) => checkImage(img, `image ${i}`));
    const per = 3 * this.spec.imageSize * this.spec.imageSize;
    const result: Float32Array[] = [];
    // One input buffer for every batch of the call, and for the next call when this one is done: a fresh one per
    // batch (1.8 MB for 16 tiles of 96 px, 9.6 MB at 224 px) kept the garbage collector busy while indexing.
    // A call running while another holds it gets its own.
    const own = this.scratch !== null && this.scratch.length >= Math.min(images.length, this.batchSize) * per ? this.scratch : null;
    this.scratch = null;
    const buffer = own ?? new Float32Array(Math.min(images.length, this.batchSize) * per);
    try {
      for (let start = 0; start < images.length; start += this.batchSize) {
        throwIfAborted(options.signal);
        const batch = images.slice(start, start + this.batchSize);
        const pixels = buffer.subarray(0, batch.length * per);
        batch.forEach((img, i) => preprocessInto(img, this.spec, pixels, i * per));
        result.push(...(await this.runVision(pixels, batch.length)));
      }
    } finally {
      const held = this.scratch as Float32Array | null; // another call may have returned one meanwhile
      if (held === null || held.length < buffer.length) this.scratch = buffer;
    }
    return result;
  }

  async encodePixels(pixels: Float32Array, n: number, options: EncodeOptions = {}): Promise<Float32Array[]> {
    this.alive();
    const per = 3 * this.spec.imageSize * this.spec.imageSize;
    if (!Number.isInteger(n) || n < 0 || pixels.length !== n * per) {
      throw new EngineError(
        ErrorCodes.BAD_ARGUMENT,
        `encodePixels: ${n} images of 3x${this.spec.imageSize}x${this.spec.imageSize} need ${n * per} floats, got ${pixels.length}`,
      );
    }
    const result: Float32Array[] = [];
    for (let start = 0; start < n; start += this.batchSize) {
      throwIfAborted(options.signal);
      const count = Math.min(this.batchSize, n - start);
      result.push(...(await this.runVision(pixels.subarray(start * per, (start + count) * per), count)));
    }
    return result;
  }

  async encodeTexts(texts: string[], options: EncodeOptions = {}): Promise<Float32Array[]> {
    this.alive();
    const t = this.info.manifest.text;
    const result: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      throwIfAborted(options.signal);
      const batch = texts.slice(start, start + this.batchSize);
      const encoded = batch.map((text, i) => {
        if (typeof text !== 'string') throw new EngineError(ErrorCodes.BAD_ARGUMENT, `text ${start + i} is not a string`);
        return this.tokenizer.encode(cleanText(text), { maxLength: t.contextLength }).ids;
      });
      const len = t.padToContextLength ? t.contextLength : Math.max(1, ...encoded.map((ids) => ids.length));
      const ids = new BigInt64Array(batch.length * len).fill(BigInt(t.padId));
      const mask = new BigInt64Array(batch.length * len);
      encoded.forEach((row, i) => {
        for (let j = 0; j < row.length && j < len; j++) {
          ids[i * len + j] = BigInt(row[j]);
          mask[i * len + j] = 1n;
        }
      });
      const feeds: Record<string, RuntimeTensor> = { [t.inputIds]: { type: 'int64', data: ids, dims: [batch.length, len] } };
      if (t.attentionMask) feeds[t.attentionMask] = { type: 'int64', data: mask, dims: [batch.length, len] };
      const out = await this.text.run(feeds);
      result.push(...this.rows(out[t.output], batch.length, this.text));
    }
    return result;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([this.vision.dispose(), this.text.dispose()]);
  }
}

/**
 * The package's vision graph of another precision: an entry of provenance.variants (written by the export tooling's
 * --int8) for the fp32 vision file, whose file the manifest lists (so its sha256 is checked like the others).
 */
function variantFile(m: ModelManifest, precision: VisionPrecision, dir: string): string {
  const variants = (m.provenance as { variants?: unknown } | undefined)?.variants;
  const found = Array.isArray(variants)
    ? variants.find((v): v is { file: string } => !!v && typeof v === 'object' && (v as { of?: unknown }).of === m.vision.file && typeof (v as { kind?: unknown }).kind === 'string' && String((v as { kind: string }).kind).startsWith(precision) && typeof (v as { file?: unknown }).file === 'string')
    : undefined;
  if (!found || !m.files[found.file]) {
    throw new EngineError(
      ErrorCodes.BAD_ARGUMENT,
      `Model ${m.id} has no ${precision} vision graph (${dir}). Export one with: python -m geosift_models.export <model> --${precision}`,
    );
  }
  return found.file;
}

/**
 * Opens a model package (a folder with model.json, or an id looked up in `options.searchPaths`,
 * default the user's models folder), verifies it, and starts its ONNX sessions.
 */
export async function loadModel(dirOrId: string, options: ModelLoadOptions = {}): Promise<Model> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `batchSize must be a positive integer, got ${batchSize}`);
  }
  throwIfAborted(options.signal);
  const dir = resolveModelDir(dirOrId, options.searchPaths ?? [userModelsDir()]);
  const pkg: ModelPackage = await loadModelPackage(dir, { verifyHashes: options.verifyHashes ?? true, signal: options.signal });
  const m = pkg.manifest;
  throwIfAborted(options.signal);
  const tokenizer: TextTokenizer = await loadTokenizer(pkg.paths[m.text.tokenizer]);

  const runtime = { provider: options.provider ?? 'auto', intraOpThreads: options.intraOpThreads ?? 0 };
  const precision = options.visionPrecision ?? 'fp32';
  if (precision !== 'fp32' && precision !== 'int8') throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Vision precision must be fp32 or int8, got ${String(precision)}`);
  const visionFile = precision === 'fp32' ? m.vision.file : variantFile(m, precision, dir);
  const opened: RuntimeSession[] = [];
  try {
    const vision = await createSession(pkg.paths[visionFile], runtime);
    opened.push(vision);
    const text = await createSession(pkg.paths[m.text.file], runtime);
    opened.push(text);
    throwIfAborted(options.signal);
    await checkVision(vision, m);
    await checkText(text, m);
    const embeddingKey = precision === 'fp32' ? pkg.manifestSha256 : createHash('sha256').update(`${pkg.manifestSha256}:${visionFile}`).digest('hex');
    const info: ModelInfo = { manifest: m, dir: pkg.dir, manifestSha256: pkg.manifestSha256, provider: vision.provider, visionFile, visionPrecision: precision, embeddingKey };
    if (text.provider !== vision.provider) info.provider = `${vision.provider} (vision), ${text.provider} (text)`;
    const note = vision.providerNote ?? text.providerNote;
    if (note !== undefined) info.providerNote = note;
    return new OnnxClipModel(info, vision, text, tokenizer, batchSize);
  } catch (e) {
    await Promise.all(opened.map((s) => s.dispose()));
    throw e;
  }
}
