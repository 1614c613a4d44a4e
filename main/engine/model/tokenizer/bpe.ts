// Byte-pair-encoding model: ranked merges applied lowest rank first, leftmost first, as Hugging Face's BPE does it.
import { asArray, asInt, asObject, asString, invalid, optBool, optString, type Json } from './fields.js';
import type { Model, ModelToken } from './models.js';

const encoder = new TextEncoder();
const CACHE_LIMIT = 10_000;

export class BpeModel implements Model {
  private readonly vocab = new Map<string, number>();
  private readonly idToTok = new Map<number, string>();
  /** "leftId,rightId" -> [rank, merged id]. */
  private readonly merges = new Map<string, [number, number]>();
  private readonly unkToken: string | null;
  private readonly prefix: string | null;
  private readonly suffix: string | null;
  private readonly fuseUnk: boolean;
  private readonly byteFallback: boolean;
  private readonly ignoreMerges: boolean;
  private readonly cache = new Map<string, ModelToken[]>();

  constructor(config: Json, path: string) {
    if (config.dropout !== undefined && config.dropout !== null && config.dropout !== 0) {
      throw invalid(`${path}.dropout must be null for inference, got ${JSON.stringify(config.dropout)}`);
    }
    const vocab = asObject(config.vocab, `${path}.vocab`);
    for (const [token, id] of Object.entries(vocab)) {
      const n = asInt(id, `${path}.vocab[${JSON.stringify(token)}]`);
      this.vocab.set(token, n);
      this.idToTok.set(n, token);
    }
    this.unkToken = optString(config, 'unk_token', path, null);
    this.prefix = optString(config, 'continuing_subword_prefix', path, null);
    this.suffix = optString(config, 'end_of_word_suffix', path, null);
    this.fuseUnk = optBool(config, 'fuse_unk', path, false);
    this.byteFallback = optBool(config, 'byte_fallback', path, false);
    this.ignoreMerges = optBool(config, 'ignore_merges', path, false);
    if (this.unkToken !== null && !this.vocab.has(this.unkToken)) {
      throw invalid(`${path}.unk_token ${JSON.stringify(this.unkToken)} is not in the vocabulary`);
    }
    const prefixLen = this.prefix?.length ?? 0;
    asArray(config.merges ?? [], `${path}.merges`).forEach((m, rank) => {
      const where = `${path}.merges[${rank}]`;
      let a: string;
      let b: string;
      if (typeof m === 'string') {
        const cut = m.indexOf(' ');
        if (cut < 0) throw invalid(`${where} must be "left right", got ${JSON.stringify(m)}`);
        a = m.slice(0, cut);
        b = m.slice(cut + 1);
      } else {
        const pair = asArray(m, where);
        if (pair.length !== 2) throw invalid(`${where} must be a [left, right] pair`);
        a = asString(pair[0], `${where}[0]`);
        b = asString(pair[1], `${where}[1]`);
      }
      const aId = this.vocab.get(a);
      const bId = this.vocab.get(b);
      const merged = a + (this.prefix !== null && b.startsWith(this.prefix) ? b.slice(prefixLen) : b);
      const newId = this.vocab.get(merged);
      if (aId === undefined || bId === undefined || newId === undefined) {
        const missing = aId === undefined ? a : bId === undefined ? b : merged;
        throw invalid(`${where}: token ${JSON.stringify(missing)} is not in the vocabulary`);
      }
      this.merges.set(`${aId},${bId}`, [rank, newId]);
    });
  }

  get vocabSize(): number {
    return this.vocab.size;
  }
  tokenToId(token: string): number | undefined {
    return this.vocab.get(token);
  }
  idToToken(id: number): string | undefined {
    return this.idToTok.get(id);
  }

  /** The word's characters as ids, with prefix/suffix markers and unknown characters handled before merging. */
  private initialSymbols(word: string): number[] {
    const chars = [...word];
    const ids: number[] = [];
    let pendingUnk = false;
    const unkId = this.unkToken === null ? undefined : this.vocab.get(this.unkToken);
    chars.forEach((ch, i) => {
      let s = ch;
      if (i > 0 && this.prefix !== null) s = this.prefix + s;
      if (i === chars.length - 1 && this.suffix !== null) s = s + this.suffix;
      const id = this.vocab.get(s);
      if (id !== undefined) {
        if (pendingUnk) ids.push(unkId!);
        pendingUnk = false;
        ids.push(id);
        return;
      }
      if (this.byteFallback) {
        // The bytes of the marked symbol (prefix and suffix included), as Hugging Face does.
        const byteIds = [...encoder.encode(s)].map((b) => this.vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`));
        if (byteIds.every((b) => b !== undefined)) {
          if (pendingUnk) ids.push(unkId!);
          pendingUnk = false;
          ids.push(...(byteIds as number[]));
          return;
        }
      }
      if (unkId === undefined) return; // Hugging Face drops characters it can neither find nor mark unknown.
      if (pendingUnk && !this.fuseUnk) ids.push(unkId);
      pendingUnk = true;
    });
    if (pendingUnk) ids.push(unkId!);
    return ids;
  }

  tokenize(word: string): ModelToken[] {
    if (word.length === 0) return [];
    const cached = this.cache.get(word);
    if (cached) return cached;
    let out: ModelToken[];
    const whole = this.ignoreMerges ? this.vocab.get(word) : undefined;
    if (whole !== undefined) out = [{ id: whole, token: word }];
    else {
      const symbols = this.initialSymbols(word);
      // Repeatedly merge the lowest-ranked adjacent pair (leftmost on ties): the order of Hugging Face's merge heap.
      for (;;) {
        let bestRank = Infinity;
        let bestPos = -1;
        let bestId = -1;
        for (let i = 0; i + 1 < symbols.length; i++) {
          const m = this.merges.get(`${symbols[i]},${symbols[i + 1]}`);
          if (m && m[0] < bestRank) {
            bestRank = m[0];
            bestPos = i;
            bestId = m[1];
          }
        }
        if (bestPos < 0) break;
        symbols.splice(bestPos, 2, bestId);
      }
      out = symbols.map((id) => ({ id, token: this.idToTok.get(id)! }));
    }
    if (this.cache.size < CACHE_LIMIT) this.cache.set(word, out);
    return out;
  }
}
