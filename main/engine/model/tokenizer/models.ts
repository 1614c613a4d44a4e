// Model registry: each tokenizer.json model type turns one pre-tokenised piece into vocabulary ids.
import { BpeModel } from './bpe.js';
import { asObject, fromRegistry, typeOf, type Json } from './fields.js';
import { UnigramModel } from './unigram.js';

export interface ModelToken {
  id: number;
  token: string;
}

export interface Model {
  tokenize(piece: string): ModelToken[];
  readonly vocabSize: number;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
}

type Factory = (config: Json, path: string) => Model;

export const modelRegistry: Record<string, Factory> = {
  Unigram: (config, path) => new UnigramModel(config, path),
  BPE: (config, path) => new BpeModel(config, path),
};

export function buildModel(value: unknown, path: string): Model {
  const config = asObject(value, path);
  // Older exports omit the model type; Hugging Face then guesses from the fields, and so do we.
  const type = config.type === undefined ? (config.merges !== undefined ? 'BPE' : Array.isArray(config.vocab) ? 'Unigram' : '') : typeOf(config, path);
  return fromRegistry(modelRegistry, type, 'model', path)(config, path);
}
