// Reads a Hugging Face tokenizer.json (Unigram / byte-level BPE, as CLIP text towers use) and encodes text to ids.
import { readFile } from 'node:fs/promises';
import { EngineError, ErrorCodes } from '../../../../shared/protocol/errors.js';
import { AddedTokenMatcher, readAddedTokens, type AddedToken } from './added-tokens.js';
import { asObject, invalid } from './fields.js';
import { buildModel, type Model, type ModelToken } from './models.js';
import { buildNormalizer, type Normalizer } from './normalizers.js';
import { buildPostProcessor, type PostProcessor } from './post-processors.js';
import { buildPreTokenizer, type PreTokenizer } from './pre-tokenizers.js';

export interface TokenizerEncodeOptions {
  /** Add the post-processor's special tokens (<s> ... </s>); default true. */
  addSpecialTokens?: boolean;
  /** Cut content so the total, specials included, is at most this (Hugging Face truncation=True); specials are kept. */
  maxLength?: number;
}

export interface Encoding {
  ids: number[];
  tokens: string[];
}

export interface Tokenizer {
  encode(text: string, options?: TokenizerEncodeOptions): Encoding;
  readonly vocabSize: number;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
}

export { normalizerRegistry } from './normalizers.js';
export { preTokenizerRegistry } from './pre-tokenizers.js';
export { modelRegistry } from './models.js';
export { postProcessorRegistry } from './post-processors.js';

class HfTokenizer implements Tokenizer {
  private readonly rawMatcher: AddedTokenMatcher;
  private readonly normalizedMatcher: AddedTokenMatcher;
  private readonly addedByContent = new Map<string, AddedToken>();
  private readonly addedById = new Map<number, AddedToken>();
  readonly vocabSize: number;

  constructor(
    private readonly model: Model,
    private readonly normalizer: Normalizer | null,
    private readonly preTokenizer: PreTokenizer | null,
    private readonly postProcessor: PostProcessor | null,
    added: AddedToken[],
  ) {
    for (const t of added) {
      this.addedByContent.set(t.content, t);
      this.addedById.set(t.id, t);
    }
    // Tokens flagged normalized are looked for after normalisation; the rest (all specials) in the raw text.
    this.rawMatcher = new AddedTokenMatcher(added.filter((t) => !t.normalized || normalizer === null));
    this.normalizedMatcher = new AddedTokenMatcher(normalizer === null ? [] : added.filter((t) => t.normalized));
    let extra = 0;
    for (const t of this.addedByContent.keys()) if (model.tokenToId(t) === undefined) extra++;
    this.vocabSize = model.vocabSize + extra;
  }

  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token)?.id ?? this.model.tokenToId(token);
  }

  idToToken(id: number): string | undefined {
    return this.addedById.get(id)?.content ?? this.model.idToToken(id);
  }

  private encodeContent(text: string): ModelToken[] {
    const out: ModelToken[] = [];
    for (const seg of this.rawMatcher.split(text)) {
      if ('token' in seg) {
        out.push({ id: seg.token.id, token: seg.text });
        continue;
      }
      const normalized = this.normalizer ? this.normalizer(seg.text) : seg.text;
      for (const part of this.normalizedMatcher.split(normalized)) {
        if ('token' in part) {
          out.push({ id: part.token.id, token: part.text });
          continue;
        }
        const pieces = [{ text: part.text, first: seg.start === 0 && part.start === 0 }];
        for (const piece of this.preTokenizer ? this.preTokenizer(pieces) : pieces) out.push(...this.model.tokenize(piece.text));
      }
    }
    return out;
  }

  encode(text: string, options: TokenizerEncodeOptions = {}): Encoding {
    if (typeof text !== 'string') throw new EngineError(ErrorCodes.BAD_ARGUMENT, `encode: text must be a string, got ${typeof text}`);
    const addSpecial = options.addSpecialTokens ?? true;
    let tokens = this.encodeContent(text);
    const specials = addSpecial && this.postProcessor ? this.postProcessor.addedCount : 0;
    if (options.maxLength !== undefined) {
      const max = options.maxLength;
      if (!Number.isInteger(max) || max < specials) {
        throw new EngineError(ErrorCodes.BAD_ARGUMENT, `encode: maxLength must be an integer >= ${specials} (the special tokens), got ${max}`);
      }
      if (tokens.length > max - specials) tokens = tokens.slice(0, max - specials);
    }
    if (addSpecial && this.postProcessor) tokens = this.postProcessor.process(tokens);
    return { ids: tokens.map((t) => t.id), tokens: tokens.map((t) => t.token) };
  }
}

/** Builds a tokenizer from a parsed tokenizer.json; throws E_TOKENIZER_INVALID naming the unsupported component or bad field. */
export function tokenizerFromJSON(json: unknown): Tokenizer {
  const root = asObject(json, 'root');
  if (root.model === undefined) throw invalid('missing "model"');
  const model = buildModel(root.model, 'model');
  const normalizer = root.normalizer == null ? null : buildNormalizer(root.normalizer, 'normalizer');
  const preTokenizer = root.pre_tokenizer == null ? null : buildPreTokenizer(root.pre_tokenizer, 'pre_tokenizer');
  const postProcessor = root.post_processor == null ? null : buildPostProcessor(root.post_processor, 'post_processor');
  return new HfTokenizer(model, normalizer, preTokenizer, postProcessor, readAddedTokens(root.added_tokens, 'added_tokens'));
}

/** Reads and parses a tokenizer.json file: E_MODEL_NOT_FOUND when it is missing, E_TOKENIZER_INVALID when it is not valid. */
export async function loadTokenizer(path: string): Promise<Tokenizer> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new EngineError(ErrorCodes.MODEL_NOT_FOUND, `Tokenizer file ${path} cannot be read (${code ?? (err as Error).message})`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new EngineError(ErrorCodes.TOKENIZER_INVALID, `Tokenizer file ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  try {
    return tokenizerFromJSON(json);
  } catch (err) {
    if (err instanceof EngineError && err.code === ErrorCodes.TOKENIZER_INVALID) {
      throw new EngineError(ErrorCodes.TOKENIZER_INVALID, `${path}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}
