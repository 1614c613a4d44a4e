// SentencePiece Unigram model: Viterbi segmentation over piece log-probabilities, as Hugging Face's Unigram does it.
import { asArray, asInt, asNumber, asString, invalid, optBool, type Json } from './fields.js';
import type { Model, ModelToken } from './models.js';

// Hugging Face scores an unknown character at (lowest piece score - 10), SentencePiece's kUnkPenalty.
const UNK_PENALTY = 10;
const encoder = new TextEncoder();

export class UnigramModel implements Model {
  private readonly pieceToId = new Map<string, number>();
  private readonly pieces: string[] = [];
  private readonly scores: Float64Array;
  private readonly unkId: number | null;
  private readonly unkScore: number;
  private readonly byteFallback: boolean;
  /** Longest piece in UTF-16 units: candidate pieces at a position are looked up by length, shortest first. */
  private readonly maxPieceLength: number;
  private readonly cache = new Map<string, ModelToken[]>();

  constructor(config: Json, path: string) {
    const vocab = asArray(config.vocab, `${path}.vocab`);
    this.scores = new Float64Array(vocab.length);
    let maxLen = 1;
    let minScore = Infinity;
    vocab.forEach((entry, i) => {
      const pair = asArray(entry, `${path}.vocab[${i}]`);
      const piece = asString(pair[0], `${path}.vocab[${i}][0]`);
      const score = asNumber(pair[1], `${path}.vocab[${i}][1]`);
      this.pieces.push(piece);
      this.scores[i] = score;
      if (!this.pieceToId.has(piece)) this.pieceToId.set(piece, i);
      maxLen = Math.max(maxLen, piece.length);
      minScore = Math.min(minScore, score);
    });
    this.maxPieceLength = maxLen;
    this.unkScore = (vocab.length ? minScore : 0) - UNK_PENALTY;
    this.unkId = config.unk_id === undefined || config.unk_id === null ? null : asInt(config.unk_id, `${path}.unk_id`);
    if (this.unkId !== null && this.unkId >= vocab.length) {
      throw invalid(`${path}.unk_id ${this.unkId} is outside the vocabulary (${vocab.length} pieces)`);
    }
    this.byteFallback = optBool(config, 'byte_fallback', path, false);
  }

  get vocabSize(): number {
    return this.pieces.length;
  }
  tokenToId(token: string): number | undefined {
    return this.pieceToId.get(token);
  }
  idToToken(id: number): string | undefined {
    return this.pieces[id];
  }

  /** Best segmentation into substrings; runs of unknown characters come back fused into one string. */
  private segment(text: string): Array<{ text: string; unk: boolean }> {
    const n = text.length;
    const bestScore = new Float64Array(n + 1);
    const startOf = new Int32Array(n + 1).fill(-1);
    const idOf = new Int32Array(n + 1).fill(-1);
    startOf[0] = 0;
    for (let start = 0; start < n; ) {
      const cp = text.codePointAt(start)!;
      const charLen = cp > 0xffff ? 2 : 1;
      if (startOf[start] >= 0 || start === 0) {
        const base = bestScore[start];
        let hasSingle = false;
        const maxEnd = Math.min(n, start + this.maxPieceLength);
        for (let end = start + 1; end <= maxEnd; end++) {
          const id = this.pieceToId.get(text.slice(start, end));
          if (id === undefined) continue;
          const score = base + this.scores[id];
          // Strictly greater: the first (shortest) candidate keeps ties, as in Hugging Face.
          if (startOf[end] < 0 || score > bestScore[end]) {
            bestScore[end] = score;
            startOf[end] = start;
            idOf[end] = id;
          }
          if (end - start === charLen) hasSingle = true;
        }
        if (!hasSingle) {
          const end = start + charLen;
          const score = base + this.unkScore;
          if (startOf[end] < 0 || score > bestScore[end]) {
            bestScore[end] = score;
            startOf[end] = start;
            idOf[end] = -2;
          }
        }
      }
      start += charLen;
    }
    const parts: Array<{ text: string; unk: boolean }> = [];
    for (let end = n; end > 0; ) {
      const start = startOf[end];
      if (start < 0) throw invalid(`Unigram: no segmentation for ${JSON.stringify(text)}`);
      parts.push({ text: text.slice(start, end), unk: idOf[end] === -2 || idOf[end] === this.unkId });
      end = start;
    }
    parts.reverse();
    const fused: Array<{ text: string; unk: boolean }> = [];
    for (const p of parts) {
      const last = fused[fused.length - 1];
      if (p.unk && last?.unk) last.text += p.text;
      else fused.push({ ...p });
    }
    return fused;
  }

  tokenize(text: string): ModelToken[] {
    if (text.length === 0) return [];
    const cached = this.cache.get(text);
    if (cached) return cached;
    const out: ModelToken[] = [];
    for (const part of this.segment(text)) {
      const id = this.pieceToId.get(part.text);
      if (id !== undefined) {
        out.push({ id, token: part.text });
        continue;
      }
      if (this.byteFallback) {
        const bytes = [...encoder.encode(part.text)].map((b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
        const ids = bytes.map((b) => this.pieceToId.get(b));
        if (ids.every((i) => i !== undefined)) {
          bytes.forEach((b, i) => out.push({ id: ids[i]!, token: b }));
          continue;
        }
      }
      if (this.unkId === null) throw invalid(`Unigram: ${JSON.stringify(part.text)} is not in the vocabulary and the model has no unk_id`);
      out.push({ id: this.unkId, token: part.text });
    }
    if (this.cache.size < 10_000) this.cache.set(text, out);
    return out;
  }
}
