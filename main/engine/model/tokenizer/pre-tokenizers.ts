// Pre-tokeniser registry: each tokenizer.json pre_tokenizer type splits pieces of normalised text into smaller pieces.
import { toByteLevel } from './byte-level.js';
import { asArray, asObject, asString, fromRegistry, invalid, optBool, optString, typeOf, type Json } from './fields.js';
import { literalRegex, onigToJs } from './onig-regex.js';

/** A piece of normalised text; `first` marks the piece that starts the input (Metaspace's prepend_scheme "first"). */
export interface Piece {
  text: string;
  first: boolean;
}
export type PreTokenizer = (pieces: Piece[]) => Piece[];
type Factory = (config: Json, path: string) => PreTokenizer;

export type SplitBehavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';
const BEHAVIORS: readonly SplitBehavior[] = ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous'];

type Span = [start: number, end: number, isMatch: boolean];

/** Splits one piece at the given match spans following Hugging Face's SplitDelimiterBehavior. */
export function splitPiece(piece: Piece, matches: Array<[number, number]>, behavior: SplitBehavior, invert = false): Piece[] {
  const text = piece.text;
  const spans: Span[] = [];
  let prev = 0;
  for (const [s, e] of matches) {
    if (s > prev) spans.push([prev, s, invert]);
    if (e > s) spans.push([s, e, !invert]);
    prev = e;
  }
  if (prev < text.length) spans.push([prev, text.length, invert]);

  let out: Span[];
  switch (behavior) {
    case 'Isolated':
      out = spans.map(([s, e]) => [s, e, false]);
      break;
    case 'Removed':
      out = spans;
      break;
    case 'Contiguous': {
      out = [];
      let prevMatch = false;
      for (const [s, e, m] of spans) {
        const last = out[out.length - 1];
        if (m && prevMatch && last) last[1] = e;
        else out.push([s, e, false]);
        prevMatch = m;
      }
      break;
    }
    case 'MergedWithPrevious': {
      out = [];
      let prevMatch = false;
      for (const [s, e, m] of spans) {
        const last = out[out.length - 1];
        if (m && !prevMatch && last) last[1] = e;
        else out.push([s, e, false]);
        prevMatch = m;
      }
      break;
    }
    case 'MergedWithNext': {
      out = [];
      let prevMatch = false;
      for (let i = spans.length - 1; i >= 0; i--) {
        const [s, e, m] = spans[i];
        const last = out[out.length - 1];
        if (m && !prevMatch && last) last[0] = s;
        else out.push([s, e, false]);
        prevMatch = m;
      }
      out.reverse();
      break;
    }
  }
  const result: Piece[] = [];
  for (const [s, e, remove] of out) {
    if (remove || e <= s) continue;
    result.push({ text: text.slice(s, e), first: piece.first && s === 0 });
  }
  return result;
}

function regexMatches(re: RegExp, text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  re.lastIndex = 0;
  for (const m of text.matchAll(re)) out.push([m.index, m.index + m[0].length]);
  return out;
}

function regexSplitter(re: RegExp, behavior: SplitBehavior, invert: boolean): PreTokenizer {
  return (pieces) => pieces.flatMap((p) => splitPiece(p, regexMatches(re, p.text), behavior, invert));
}

function charSplitter(test: (ch: string) => boolean, behavior: SplitBehavior): PreTokenizer {
  return (pieces) =>
    pieces.flatMap((p) => {
      const matches: Array<[number, number]> = [];
      let i = 0;
      for (const ch of p.text) {
        if (test(ch)) matches.push([i, i + ch.length]);
        i += ch.length;
      }
      return splitPiece(p, matches, behavior);
    });
}

function behaviorOf(config: Json, path: string, fallback: SplitBehavior): SplitBehavior {
  const b = optString(config, 'behavior', path, fallback);
  if (!(BEHAVIORS as readonly string[]).includes(b)) {
    throw invalid(`${path}.behavior: unsupported split behaviour "${b}" (supported: ${BEHAVIORS.join(', ')})`);
  }
  return b as SplitBehavior;
}

const WHITE = /\p{White_Space}/u;
const PUNCT = /[\p{P}!-/:-@[-`{-~]/u;
const NUMERIC = /\p{N}/u;

// GPT-2's pattern, the one ByteLevel applies when use_regex is true.
const GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

function metaspace(config: Json, path: string): PreTokenizer {
  const replacement = asString(config.replacement ?? '▁', `${path}.replacement`);
  if ([...replacement].length !== 1) throw invalid(`${path}.replacement must be one character, got ${JSON.stringify(replacement)}`);
  let scheme: string;
  if (config.prepend_scheme !== undefined && config.prepend_scheme !== null) scheme = asString(config.prepend_scheme, `${path}.prepend_scheme`);
  else scheme = optBool(config, 'add_prefix_space', path, true) ? 'always' : 'never';
  if (!['always', 'first', 'never'].includes(scheme)) {
    throw invalid(`${path}.prepend_scheme: unsupported value "${scheme}" (supported: always, first, never)`);
  }
  const split = optBool(config, 'split', path, true);
  const spaces = / /g;
  return (pieces) =>
    pieces.flatMap((p) => {
      let text = p.text.replace(spaces, replacement);
      if (!text.startsWith(replacement) && (scheme === 'always' || (scheme === 'first' && p.first))) text = replacement + text;
      const piece = { text, first: p.first };
      if (!split) return [piece];
      const matches: Array<[number, number]> = [];
      for (let i = text.indexOf(replacement); i >= 0; i = text.indexOf(replacement, i + replacement.length)) {
        matches.push([i, i + replacement.length]);
      }
      return splitPiece(piece, matches, 'MergedWithNext');
    });
}

function byteLevel(config: Json, path: string): PreTokenizer {
  const addPrefixSpace = optBool(config, 'add_prefix_space', path, true);
  const useRegex = optBool(config, 'use_regex', path, true);
  const re = onigToJs(GPT2, `${path} (GPT-2 pattern)`);
  return (pieces) => {
    const prefixed = addPrefixSpace ? pieces.map((p) => (p.text.startsWith(' ') ? p : { text: ' ' + p.text, first: p.first })) : pieces;
    const split = useRegex ? regexSplitter(re, 'Isolated', false)(prefixed) : prefixed;
    return split.map((p) => ({ text: toByteLevel(p.text), first: p.first }));
  };
}

function splitPattern(config: Json, path: string): RegExp {
  const pattern = asObject(config.pattern, `${path}.pattern`);
  if (typeof pattern.String === 'string') return literalRegex(pattern.String);
  if (typeof pattern.Regex === 'string') return onigToJs(pattern.Regex, `${path}.pattern.Regex`);
  throw invalid(`${path}.pattern must be {"String": ...} or {"Regex": ...}`);
}

export const preTokenizerRegistry: Record<string, Factory> = {
  Metaspace: metaspace,
  ByteLevel: byteLevel,
  Split: (config, path) => regexSplitter(splitPattern(config, path), behaviorOf(config, path, 'Isolated'), optBool(config, 'invert', path, false)),
  Whitespace: (_c, path) => regexSplitter(onigToJs('\\w+|[^\\w\\s]+', path), 'Removed', true),
  WhitespaceSplit: () => charSplitter((ch) => WHITE.test(ch), 'Removed'),
  Punctuation: (config, path) => charSplitter((ch) => PUNCT.test(ch), behaviorOf(config, path, 'Isolated')),
  Digits: (config, path) => charSplitter((ch) => NUMERIC.test(ch), optBool(config, 'individual_digits', path, false) ? 'Isolated' : 'Contiguous'),
  BertPreTokenizer: () => {
    const ws = charSplitter((ch) => WHITE.test(ch), 'Removed');
    const punct = charSplitter((ch) => PUNCT.test(ch), 'Isolated');
    return (pieces) => punct(ws(pieces));
  },
  CharDelimiterSplit: (config, path) => {
    const delimiter = asString(config.delimiter, `${path}.delimiter`);
    return charSplitter((ch) => ch === delimiter, 'Removed');
  },
  Sequence: (config, path) => {
    const parts = asArray(config.pretokenizers, `${path}.pretokenizers`).map((p, i) => buildPreTokenizer(p, `${path}.pretokenizers[${i}]`));
    return (pieces) => parts.reduce((ps, f) => f(ps), pieces);
  },
};

export function buildPreTokenizer(value: unknown, path: string): PreTokenizer {
  const config = asObject(value, path);
  return fromRegistry(preTokenizerRegistry, typeOf(config, path), 'pre_tokenizer', path)(config, path);
}
