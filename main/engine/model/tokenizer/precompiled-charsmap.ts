// Decodes SentencePiece's precompiled normalisation charsmap (a darts-clone double array) and applies it like Hugging Face's Precompiled normaliser.
import { invalid } from './fields.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

export class PrecompiledCharsmap {
  private readonly units: Uint32Array;
  private readonly normalized: Uint8Array;
  private readonly cache = new Map<string, string | null>();
  private readonly graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

  constructor(blob: Uint8Array, path: string) {
    if (blob.length < 4) throw invalid(`${path}.precompiled_charsmap is too short (${blob.length} bytes)`);
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const trieSize = view.getUint32(0, true);
    if (trieSize % 4 !== 0 || 4 + trieSize > blob.length || trieSize === 0) {
      throw invalid(`${path}.precompiled_charsmap declares a trie of ${trieSize} bytes in a ${blob.length}-byte blob`);
    }
    this.units = new Uint32Array(trieSize / 4);
    for (let i = 0; i < this.units.length; i++) this.units[i] = view.getUint32(4 + i * 4, true);
    this.normalized = blob.subarray(4 + trieSize);
  }

  /** The value of the first (shortest) key that prefixes `bytes`, as SentencePiece's trie search returns it. */
  private firstPrefixValue(bytes: Uint8Array): number | undefined {
    const units = this.units;
    let pos = offsetOf(units[0]);
    for (const c of bytes) {
      if (c === 0) return undefined;
      pos ^= c;
      if (pos >= units.length) return undefined;
      const unit = units[pos];
      if ((unit & 0x800000ff) >>> 0 !== c) return undefined;
      pos ^= offsetOf(unit);
      if ((unit >>> 8) & 1) return pos < units.length ? units[pos] & 0x7fffffff : undefined;
    }
    return undefined;
  }

  /** The replacement for a chunk whose bytes start with a key: note the whole chunk is replaced, as in spm_precompiled. */
  private transform(chunk: string): string | null {
    let hit = this.cache.get(chunk);
    if (hit !== undefined) return hit;
    const value = this.firstPrefixValue(encoder.encode(chunk));
    if (value === undefined) hit = null;
    else {
      let end = value;
      while (end < this.normalized.length && this.normalized[end] !== 0) end++;
      hit = decoder.decode(this.normalized.subarray(value, end));
    }
    if (this.cache.size < 50_000) this.cache.set(chunk, hit);
    return hit;
  }

  normalize(text: string): string {
    let out = '';
    for (const { segment } of this.graphemes.segment(text)) {
      // Short graphemes (under 6 UTF-8 bytes) are looked up whole first, then character by character.
      if (utf8Length(segment) < 6) {
        const whole = this.transform(segment);
        if (whole !== null) {
          out += whole;
          continue;
        }
      }
      for (const ch of segment) {
        const part = this.transform(ch);
        out += part ?? ch;
      }
    }
    return out;
  }
}

function offsetOf(unit: number): number {
  return ((unit >>> 10) << ((unit & (1 << 9)) >>> 6)) >>> 0;
}

function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

export function decodeBase64(text: string, path: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw invalid(`${path} is not base64`);
  const buf = Buffer.from(text, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
