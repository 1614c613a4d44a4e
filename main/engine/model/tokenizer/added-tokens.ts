// Added tokens (specials such as <s>, <|endoftext|>) found verbatim in the text before the model sees it.
import { asArray, asInt, asObject, asString, optBool } from './fields.js';

export interface AddedToken {
  id: number;
  content: string;
  singleWord: boolean;
  lstrip: boolean;
  rstrip: boolean;
  /** Matched in normalised text rather than raw text. */
  normalized: boolean;
  special: boolean;
}

/** Plain text, or an added token with the span it covered (stripped whitespace included, as Hugging Face reports it). */
export type Segment = { text: string; start: number } | { token: AddedToken; text: string; start: number };

export function readAddedTokens(value: unknown, path: string): AddedToken[] {
  if (value === undefined || value === null) return [];
  return asArray(value, path).map((item, i) => {
    const where = `${path}[${i}]`;
    const t = asObject(item, where);
    const special = optBool(t, 'special', where, false);
    return {
      id: asInt(t.id, `${where}.id`),
      content: asString(t.content, `${where}.content`),
      singleWord: optBool(t, 'single_word', where, false),
      lstrip: optBool(t, 'lstrip', where, false),
      rstrip: optBool(t, 'rstrip', where, false),
      normalized: optBool(t, 'normalized', where, !special),
      special,
    };
  });
}

const WORD_CHAR = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]/u;
const SPACE = /\p{White_Space}/u;

/** Finds added tokens leftmost-longest (Hugging Face uses an Aho-Corasick automaton with that match kind). */
export class AddedTokenMatcher {
  private readonly byFirst = new Map<string, AddedToken[]>();

  constructor(tokens: AddedToken[]) {
    for (const t of tokens) {
      if (t.content.length === 0) continue;
      const list = this.byFirst.get(t.content[0]) ?? [];
      list.push(t);
      this.byFirst.set(t.content[0], list);
    }
    for (const list of this.byFirst.values()) list.sort((a, b) => b.content.length - a.content.length);
  }

  get empty(): boolean {
    return this.byFirst.size === 0;
  }

  split(text: string, base = 0): Segment[] {
    if (this.empty) return text.length ? [{ text, start: base }] : [];
    const out: Segment[] = [];
    let from = 0;
    let i = 0;
    while (i < text.length) {
      const candidates = this.byFirst.get(text[i]);
      const hit = candidates?.find((t) => text.startsWith(t.content, i) && this.wordBounded(t, text, i));
      if (!hit) {
        i++;
        continue;
      }
      let start = i;
      let stop = i + hit.content.length;
      if (hit.lstrip) while (start > from && SPACE.test(text[start - 1])) start--;
      if (hit.rstrip) while (stop < text.length && SPACE.test(text[stop])) stop++;
      if (start > from) out.push({ text: text.slice(from, start), start: base + from });
      out.push({ token: hit, text: text.slice(start, stop), start: base + start });
      from = stop;
      i = stop;
    }
    if (from < text.length) out.push({ text: text.slice(from), start: base + from });
    return out;
  }

  private wordBounded(t: AddedToken, text: string, i: number): boolean {
    if (!t.singleWord) return true;
    const end = i + t.content.length;
    return (i === 0 || !WORD_CHAR.test(text[i - 1])) && (end === text.length || !WORD_CHAR.test(text[end]));
  }
}
