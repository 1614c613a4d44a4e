// Checks that bad tokenizer files fail with E_TOKENIZER_INVALID / E_MODEL_NOT_FOUND and messages that name the problem.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError, ErrorCodes } from '../../../../../shared/protocol/errors.js';
import { loadTokenizer, normalizerRegistry, tokenizerFromJSON } from '../../../../../main/engine/model/tokenizer/index.js';
import { generatedDir, requireData } from '../../../../helpers/paths.js';
import { asyncErrorOf, errorOf } from '../../../../helpers/errors.js';

const dir = join(generatedDir, 'tokenizers');
const unigramText = readFileSync(requireData(join(dir, 'unigram-xlmr.json')), 'utf8');
const bpeText = readFileSync(requireData(join(dir, 'bpe-clip.json')), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'geosift-tokenizer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh copy of a fixture with one part changed. */
function edited(text: string, change: (json: Record<string, any>) => void): unknown {
  const json = JSON.parse(text) as Record<string, any>;
  change(json);
  return json;
}



describe('tokenizerFromJSON rejects what it cannot run', () => {
  it('names an unknown model type and lists the supported ones', () => {
    const err = errorOf(() => tokenizerFromJSON(edited(unigramText, (j) => (j.model.type = 'WordLevel'))));
    expect(err.code).toBe(ErrorCodes.TOKENIZER_INVALID);
    expect(err.message).toContain('"WordLevel"');
    expect(err.message).toContain('Unigram');
    expect(err.message).toContain('BPE');
  });

  it('names an unknown normaliser, pre-tokeniser and post-processor with its path', () => {
    const n = errorOf(() => tokenizerFromJSON(edited(unigramText, (j) => (j.normalizer.normalizers[1] = { type: 'ByteFold' }))));
    expect(n.code).toBe(ErrorCodes.TOKENIZER_INVALID);
    expect(n.message).toContain('normalizer.normalizers[1]');
    expect(n.message).toContain('"ByteFold"');
    const p = errorOf(() => tokenizerFromJSON(edited(bpeText, (j) => (j.pre_tokenizer.pretokenizers[0] = { type: 'UnicodeScripts' }))));
    expect(p.message).toContain('pre_tokenizer.pretokenizers[0]');
    expect(p.message).toContain('"UnicodeScripts"');
    const q = errorOf(() => tokenizerFromJSON(edited(bpeText, (j) => (j.post_processor = { type: 'Mystery' }))));
    expect(q.message).toContain('post_processor');
    expect(q.message).toContain('"Mystery"');
  });

  it('names bad fields: a merge outside the vocabulary, a non-numeric score, a bad split behaviour, a bad regex', () => {
    const merge = errorOf(() => tokenizerFromJSON(edited(bpeText, (j) => (j.model.merges[5] = ['zzz_not_a_token', 'a']))));
    expect(merge.code).toBe(ErrorCodes.TOKENIZER_INVALID);
    expect(merge.message).toContain('model.merges[5]');
    expect(merge.message).toContain('zzz_not_a_token');
    const score = errorOf(() => tokenizerFromJSON(edited(unigramText, (j) => (j.model.vocab[7][1] = 'high'))));
    expect(score.message).toContain('model.vocab[7][1]');
    const behaviour = errorOf(() => tokenizerFromJSON(edited(bpeText, (j) => (j.pre_tokenizer.pretokenizers[0].behavior = 'Sideways'))));
    expect(behaviour.message).toContain('Sideways');
    const regex = errorOf(() => tokenizerFromJSON(edited(bpeText, (j) => (j.pre_tokenizer.pretokenizers[0].pattern = { Regex: '([a-z' }))));
    expect(regex.message).toContain('pre_tokenizer.pretokenizers[0].pattern.Regex');
    const unk = errorOf(() => tokenizerFromJSON(edited(unigramText, (j) => (j.model.unk_id = 10 ** 6))));
    expect(unk.message).toContain('unk_id');
  });

  it('rejects a document that is not a tokenizer', () => {
    expect(errorOf(() => tokenizerFromJSON([1, 2])).code).toBe(ErrorCodes.TOKENIZER_INVALID);
    expect(errorOf(() => tokenizerFromJSON({ version: '1.0' })).message).toContain('model');
  });
});

describe('loadTokenizer', () => {
  it('reports a missing file as E_MODEL_NOT_FOUND with its path', async () => {
    const path = join(tmp, 'nope', 'tokenizer.json');
    const err = await asyncErrorOf(loadTokenizer(path));
    expect(err.code).toBe(ErrorCodes.MODEL_NOT_FOUND);
    expect(err.message).toContain(path);
  });

  it('reports malformed JSON as E_TOKENIZER_INVALID with its path', async () => {
    const path = join(tmp, 'broken.json');
    writeFileSync(path, unigramText.slice(0, 500));
    const err = await asyncErrorOf(loadTokenizer(path));
    expect(err.code).toBe(ErrorCodes.TOKENIZER_INVALID);
    expect(err.message).toContain(path);
  });

  it('prefixes component errors with the file path', async () => {
    const path = join(tmp, 'wordpiece.json');
    writeFileSync(path, JSON.stringify(edited(unigramText, (j) => (j.model.type = 'WordPiece'))));
    const err = await asyncErrorOf(loadTokenizer(path));
    expect(err.code).toBe(ErrorCodes.TOKENIZER_INVALID);
    expect(err.message).toContain(path);
    expect(err.message).toContain('"WordPiece"');
  });
});

describe('Tokenizer lookups and options', () => {
  const xlmr = tokenizerFromJSON(JSON.parse(unigramText));
  const clip = tokenizerFromJSON(JSON.parse(bpeText));

  it('maps the XLM-R specials to their fixed ids and back', () => {
    expect(['<s>', '<pad>', '</s>', '<unk>'].map((t) => xlmr.tokenToId(t))).toEqual([0, 1, 2, 3]);
    expect(xlmr.idToToken(2)).toBe('</s>');
    expect(xlmr.tokenToId('not a piece at all')).toBeUndefined();
    expect(xlmr.idToToken(xlmr.vocabSize)).toBeUndefined();
    const eos = clip.tokenToId('<|endoftext|>')!;
    expect(clip.idToToken(eos)).toBe('<|endoftext|>');
  });

  it('round-trips every id of both vocabularies through idToToken / tokenToId', () => {
    for (const tok of [xlmr, clip]) {
      for (let id = 0; id < tok.vocabSize; id++) expect(tok.tokenToId(tok.idToToken(id)!)).toBe(id);
    }
  });

  it('keeps both specials when maxLength leaves no room for content, and refuses less', () => {
    const enc = xlmr.encode('a long enough caption about an airport', { maxLength: 2 });
    expect(enc.ids).toEqual([0, 2]);
    const err = errorOf(() => xlmr.encode('airport', { maxLength: 1 }));
    expect(err.code).toBe(ErrorCodes.BAD_ARGUMENT);
    expect(err.message).toContain('maxLength');
  });

  it('does not cut when maxLength is absent, however long the text', () => {
    const text = 'many buildings near a river '.repeat(40);
    expect(clip.encode(text).ids.length).toBeGreaterThan(77);
    expect(clip.encode(text, { maxLength: 77 }).ids.length).toBe(77);
  });
});

describe('component registries', () => {
  it('take a new normaliser as one entry, used by name from tokenizer.json', () => {
    normalizerRegistry.Uppercase = () => (text) => text.toUpperCase();
    try {
      const plain = tokenizerFromJSON(edited(unigramText, (j) => (j.normalizer = null)));
      const upper = tokenizerFromJSON(edited(unigramText, (j) => (j.normalizer = { type: 'Uppercase' })));
      expect(upper.encode('airport').ids).toEqual(plain.encode('AIRPORT').ids);
      expect(upper.encode('airport').ids).not.toEqual(plain.encode('airport').ids);
    } finally {
      delete normalizerRegistry.Uppercase;
    }
  });
});
