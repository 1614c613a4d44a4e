// Checks the tokenizer.json reader against the Python `tokenizers` library on generated CLIP-style tokenizers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTokenizer, type Encoding, type Tokenizer } from '../../../../../main/engine/model/tokenizer/index.js';
import { generatedDir, requireData } from '../../../../helpers/paths.js';

const dir = join(generatedDir, 'tokenizers');

interface Row {
  text: string;
  ids: number[];
  tokens: string[];
  idsNoSpecial: number[];
  ids16: number[];
  ids77: number[];
}
type Expected = Record<string, { vocabSize: number; rows: Row[] }>;

const expected = JSON.parse(readFileSync(requireData(join(dir, 'expected.json')), 'utf8')) as Expected;

/** Sentences whose field differs from the library's, shown side by side (empty when all agree). */
function mismatches(rows: Row[], field: keyof Row, encode: (text: string) => Encoding, pick: (e: Encoding) => unknown = (e) => e.ids) {
  return rows.flatMap((row) => {
    const got = encode(row.text);
    const same = JSON.stringify(pick(got)) === JSON.stringify(row[field]);
    return same ? [] : [{ text: row.text, expected: row[field], got: pick(got), tokens: got.tokens }];
  });
}

describe('generated fixtures', () => {
  it('cover the two CLIP tokenizer kinds and at least 80 sentences', () => {
    expect(Object.keys(expected)).toEqual(expect.arrayContaining(['unigram-xlmr.json', 'unigram-precompiled.json', 'bpe-clip.json']));
    for (const { rows } of Object.values(expected)) expect(rows.length).toBeGreaterThanOrEqual(80);
  });
});

describe.each(Object.keys(expected))('%s matches the Python tokenizers library', (file) => {
  const { vocabSize, rows } = expected[file];
  let tok: Tokenizer;

  it('loads, with the same vocabulary size', async () => {
    tok = await loadTokenizer(join(dir, file));
    expect(tok.vocabSize).toBe(vocabSize);
  });

  it('gives the same ids and tokens for every sentence, with specials', () => {
    expect(mismatches(rows, 'ids', (t) => tok.encode(t))).toEqual([]);
    expect(mismatches(rows, 'tokens', (t) => tok.encode(t), (e) => e.tokens)).toEqual([]);
  });

  it('gives the same ids without special tokens', () => {
    expect(mismatches(rows, 'idsNoSpecial', (t) => tok.encode(t, { addSpecialTokens: false }))).toEqual([]);
  });

  it('truncates content and keeps the specials like truncation=True at max_length 16 and 77', () => {
    expect(mismatches(rows, 'ids16', (t) => tok.encode(t, { maxLength: 16 }))).toEqual([]);
    expect(mismatches(rows, 'ids77', (t) => tok.encode(t, { maxLength: 77 }))).toEqual([]);
  });
});
