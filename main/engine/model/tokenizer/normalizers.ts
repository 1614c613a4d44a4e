// Normaliser registry: each tokenizer.json normalizer type maps to a string -> string function.
import { asArray, asObject, asString, fromRegistry, invalid, optBool, typeOf, type Json } from './fields.js';
import { literalRegex, onigToJs } from './onig-regex.js';
import { PrecompiledCharsmap, decodeBase64 } from './precompiled-charsmap.js';

export type Normalizer = (text: string) => string;
type Factory = (config: Json, path: string) => Normalizer;

const LEADING_SPACE = /^\p{White_Space}+/u;
const TRAILING_SPACE = /\p{White_Space}+$/u;

/** Lower-cases one code point at a time, as Rust's char::to_lowercase does (no final-sigma context). */
export function lowercase(text: string): string {
  let out = '';
  for (const ch of text) out += ch.length === 1 && ch < '\u0080' ? ch.toLowerCase() : lowerChar(ch);
  return out;
}
const lowerCache = new Map<string, string>();
function lowerChar(ch: string): string {
  let low = lowerCache.get(ch);
  if (low === undefined) {
    low = ch.toLowerCase();
    lowerCache.set(ch, low);
  }
  return low;
}

function isChinese(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

const CONTROL = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}]/u;
const WHITESPACE = /\p{White_Space}/u;
const NONSPACING_MARK = /\p{Mn}/gu;
// StripAccents drops every combining mark (Mn, Mc, Me); BertNormalizer's strip_accents only non-spacing ones.
const ANY_MARK = /\p{M}/gu;

function bertNormalizer(config: Json, path: string): Normalizer {
  const cleanText = optBool(config, 'clean_text', path, true);
  const chinese = optBool(config, 'handle_chinese_chars', path, true);
  const lower = optBool(config, 'lowercase', path, true);
  const stripAccents = config.strip_accents === undefined || config.strip_accents === null ? lower : optBool(config, 'strip_accents', path, lower);
  return (text) => {
    let s = text;
    if (cleanText) {
      let out = '';
      for (const ch of s) {
        if (ch === '\t' || ch === '\n' || ch === '\r') out += ' ';
        else if (ch === '\0' || ch === '\ufffd' || CONTROL.test(ch)) continue;
        else out += WHITESPACE.test(ch) ? ' ' : ch;
      }
      s = out;
    }
    if (chinese) {
      let out = '';
      for (const ch of s) out += isChinese(ch.codePointAt(0)!) ? ` ${ch} ` : ch;
      s = out;
    }
    if (stripAccents) s = s.normalize('NFD').replace(NONSPACING_MARK, '');
    if (lower) s = lowercase(s);
    return s;
  };
}

function replace(config: Json, path: string): Normalizer {
  const pattern = asObject(config.pattern, `${path}.pattern`);
  const content = asString(config.content, `${path}.content`);
  let re: RegExp;
  if (typeof pattern.String === 'string') re = literalRegex(pattern.String);
  else if (typeof pattern.Regex === 'string') re = onigToJs(pattern.Regex, `${path}.pattern.Regex`);
  else throw invalid(`${path}.pattern must be {"String": ...} or {"Regex": ...}`);
  // A function replacement keeps "$" in the content literal.
  return (text) => text.replace(re, () => content);
}

export const normalizerRegistry: Record<string, Factory> = {
  NFC: () => (t) => t.normalize('NFC'),
  NFD: () => (t) => t.normalize('NFD'),
  NFKC: () => (t) => t.normalize('NFKC'),
  NFKD: () => (t) => t.normalize('NFKD'),
  Lowercase: () => lowercase,
  StripAccents: () => (t) => t.replace(ANY_MARK, ''),
  Strip: (config, path) => {
    const left = optBool(config, 'strip_left', path, true);
    const right = optBool(config, 'strip_right', path, true);
    return (t) => {
      let s = left ? t.replace(LEADING_SPACE, '') : t;
      if (right) s = s.replace(TRAILING_SPACE, '');
      return s;
    };
  },
  Replace: replace,
  Prepend: (config, path) => {
    const prefix = asString(config.prepend, `${path}.prepend`);
    return (t) => (t.length > 0 ? prefix + t : t);
  },
  BertNormalizer: bertNormalizer,
  Precompiled: (config, path) => {
    const raw = config.precompiled_charsmap;
    // Some exports leave the charsmap empty (identity); SentencePiece treats that as "no normalisation".
    if (raw === null || raw === undefined || raw === '') return (t) => t;
    const charsmap = new PrecompiledCharsmap(decodeBase64(asString(raw, `${path}.precompiled_charsmap`), `${path}.precompiled_charsmap`), path);
    return (t) => charsmap.normalize(t);
  },
  Sequence: (config, path) => {
    const parts = asArray(config.normalizers, `${path}.normalizers`).map((n, i) => buildNormalizer(n, `${path}.normalizers[${i}]`));
    return (t) => parts.reduce((s, f) => f(s), t);
  },
};

export function buildNormalizer(value: unknown, path: string): Normalizer {
  const config = asObject(value, path);
  const type = typeOf(config, path);
  return fromRegistry(normalizerRegistry, type, 'normalizer', path)(config, path);
}

