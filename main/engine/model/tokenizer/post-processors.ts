// Post-processor registry: adds the special tokens around a single sequence (pairs are not needed for CLIP text).
import { asArray, asInt, asObject, asString, fromRegistry, invalid, typeOf, type Json } from './fields.js';
import type { ModelToken } from './models.js';

export interface PostProcessor {
  /** Special tokens added to a single sequence; truncation reserves room for exactly these. */
  readonly addedCount: number;
  process(tokens: ModelToken[]): ModelToken[];
}
type Factory = (config: Json, path: string) => PostProcessor;

function special(value: unknown, path: string): ModelToken {
  const pair = asArray(value, path);
  return { token: asString(pair[0], `${path}[0]`), id: asInt(pair[1], `${path}[1]`) };
}

function clsSep(config: Json, path: string): PostProcessor {
  const cls = special(config.cls, `${path}.cls`);
  const sep = special(config.sep, `${path}.sep`);
  return { addedCount: 2, process: (tokens) => [cls, ...tokens, sep] };
}

type TemplatePart = { kind: 'special'; name: string } | { kind: 'sequence'; name: string };

function parseTemplate(value: unknown, path: string): TemplatePart[] {
  // The string form ("<s> $A </s>") appears in hand-written files; the library itself saves the object form.
  if (typeof value === 'string') {
    return value
      .split(/\s+/)
      .filter(Boolean)
      .map((item) => {
        const [name] = item.split(':');
        if (name.startsWith('$')) return { kind: 'sequence', name: name.slice(1) || 'A' } as const;
        return { kind: 'special', name } as const;
      });
  }
  return asArray(value, path).map((item, i) => {
    const where = `${path}[${i}]`;
    const obj = asObject(item, where);
    if (obj.SpecialToken !== undefined) return { kind: 'special', name: asString(asObject(obj.SpecialToken, where).id, `${where}.SpecialToken.id`) };
    if (obj.Sequence !== undefined) return { kind: 'sequence', name: asString(asObject(obj.Sequence, where).id, `${where}.Sequence.id`) };
    throw invalid(`${where} must be {"SpecialToken": ...} or {"Sequence": ...}`);
  });
}

function template(config: Json, path: string): PostProcessor {
  const parts = parseTemplate(config.single, `${path}.single`);
  const specials = asObject(config.special_tokens ?? {}, `${path}.special_tokens`);
  const expanded: Array<ModelToken[] | 'seq'> = parts.map((p) => {
    if (p.kind === 'sequence') {
      if (p.name !== 'A' && p.name !== '0') throw invalid(`${path}.single uses sequence $${p.name}; a single sequence is $A`);
      return 'seq';
    }
    const where = `${path}.special_tokens[${JSON.stringify(p.name)}]`;
    if (specials[p.name] === undefined) throw invalid(`${path}.single uses special token ${JSON.stringify(p.name)} missing from special_tokens`);
    const entry = asObject(specials[p.name], where);
    const ids = asArray(entry.ids, `${where}.ids`).map((v, i) => asInt(v, `${where}.ids[${i}]`));
    const toks = asArray(entry.tokens, `${where}.tokens`).map((v, i) => asString(v, `${where}.tokens[${i}]`));
    if (ids.length !== toks.length) throw invalid(`${where}: ids and tokens differ in length`);
    return ids.map((id, i) => ({ id, token: toks[i] }));
  });
  const addedCount = expanded.reduce((n, e) => n + (e === 'seq' ? 0 : e.length), 0);
  return { addedCount, process: (tokens) => expanded.flatMap((e) => (e === 'seq' ? tokens : e)) };
}

export const postProcessorRegistry: Record<string, Factory> = {
  TemplateProcessing: template,
  RobertaProcessing: clsSep,
  BertProcessing: clsSep,
  // Only trims offsets, which this encoder does not report.
  ByteLevel: () => ({ addedCount: 0, process: (tokens) => tokens }),
  Sequence: (config, path) => {
    const parts = asArray(config.processors, `${path}.processors`).map((p, i) => buildPostProcessor(p, `${path}.processors[${i}]`));
    return {
      addedCount: parts.reduce((n, p) => n + p.addedCount, 0),
      process: (tokens) => parts.reduce((ts, p) => p.process(ts), tokens),
    };
  },
};

export function buildPostProcessor(value: unknown, path: string): PostProcessor {
  const config = asObject(value, path);
  return fromRegistry(postProcessorRegistry, typeOf(config, path), 'post_processor', path)(config, path);
}
