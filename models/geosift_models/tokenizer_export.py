"""Turns open_clip's tokenizers into Hugging Face tokenizer.json files that tokenize exactly as open_clip does."""
from __future__ import annotations

import gzip
import json
from typing import Any, Sequence

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

from .errors import ExportError

# Multilingual probe sentences: the ten RS-M-CLIP languages, emoji, curly quotes, full-width
# punctuation, messy whitespace, HTML entities and one input far past any context length.
SAMPLE_SENTENCES: list[str] = [
    'A residential area with houses.',
    'Many airplanes in the open area.',
    'Uma área residencial com casas.',
    'Una zona residencial con casas.',
    'Un campo de golf con bunkers.',
    'Une zone résidentielle avec des maisons près de l’aéroport.',
    'Ein Wohngebiet mit Häusern und Straßen.',
    'Een woonwijk met huizen en een haven.',
    'Una zona residenziale con case e un porto.',
    '一个有房屋的住宅区，旁边有一条河。',
    '집들이 있는 주거 지역과 비행장.',
    'Жилой район с домами и рекой.',
    'Ships 🚢 in a harbour 🌊 near a bridge 🌉!',
    '  leading, trailing   and\tinner\nwhitespace  ',
    '“Quoted” text with ‘single’ quotes &amp; an entity',
    'ＦＵＬＬ－ＷＩＤＴＨ ｌｅｔｔｅｒｓ ａｎｄ ｄｉｇｉｔｓ １２３',
    'UPPER case and MiXeD CaSe with numbers 12345 and 3.5 km',
    'a',
    '',
    ' '.join(['a very long caption about farmland, rivers and roads near the coast'] * 12),
]


def _ftfy_normalizers() -> list[Any]:
    # open_clip cleans every text with ftfy.fix_text + html.unescape before tokenizing. The parts of
    # that cleaning which are plain character mappings are written into the tokenizer itself so a
    # tokenizer.json consumer needs no ftfy; mojibake repair cannot be expressed and is left out.
    from ftfy import chardata

    out: list[Any] = []
    for _ in range(3):  # ftfy unescapes once, open_clip twice more
        for entity, char in (('&lt;', '<'), ('&gt;', '>'), ('&quot;', '"'), ('&#39;', "'"), ('&amp;', '&')):
            out.append(normalizers.Replace(entity, char))
    for code, text in sorted(chardata.WIDTH_MAP.items()):
        out.append(normalizers.Replace(chr(code), text))
    for code, text in sorted(chardata.LIGATURES.items()):
        out.append(normalizers.Replace(chr(code), text))
    out.append(normalizers.Replace(Regex('[\u02bc\u2018-\u201b]'), "'"))
    out.append(normalizers.Replace(Regex('[\u201c-\u201f]'), '"'))
    out.append(normalizers.NFC())
    return out


def cleaning_normalizers(lowercase: bool) -> list[Any]:
    """open_clip's text cleaning ('whitespace' or 'lower') as Hugging Face normalizers."""
    out = _ftfy_normalizers()
    out.append(normalizers.Replace(Regex(r'\s+'), ' '))
    out.append(normalizers.Strip())
    if lowercase:
        out.append(normalizers.Lowercase())
    return out


def _with_normalizers(tok: Tokenizer, first: list[Any]) -> Tokenizer:
    spec = json.loads(tok.to_str())
    existing = spec.get('normalizer')
    probe = Tokenizer.from_str(tok.to_str())
    probe.normalizer = normalizers.Sequence(first)
    merged = json.loads(probe.to_str())['normalizer']
    if existing is not None:
        merged['normalizers'].append(existing)
    spec['normalizer'] = merged
    return Tokenizer.from_str(json.dumps(spec))


def _set_truncation(tok: Tokenizer, context_length: int) -> Tokenizer:
    tok.no_padding()
    tok.enable_truncation(max_length=context_length)
    return tok


def from_hf_tokenizer(oc_tokenizer: Any, context_length: int) -> Tokenizer:
    """tokenizer.json for an open_clip HFTokenizer: the model's own fast tokenizer plus open_clip's cleaning."""
    if getattr(oc_tokenizer, 'tokenizer_mode', '') not in ('', None):
        raise ExportError(
            f"open_clip tokenizer mode '{oc_tokenizer.tokenizer_mode}' is not supported by the exporter; "
            'only the standard Hugging Face tokenization can be written to tokenizer.json'
        )
    if getattr(oc_tokenizer, 'strip_sep_token', False):
        raise ExportError('open_clip tokenizer option strip_sep_token=True cannot be expressed in tokenizer.json')
    hf = oc_tokenizer.tokenizer
    backend = getattr(hf, 'backend_tokenizer', None)
    if backend is None:
        raise ExportError(
            f'the Hugging Face tokenizer {type(hf).__name__} has no fast (Rust) version, so no tokenizer.json exists for it'
        )
    import open_clip.tokenizer as oct

    clean = getattr(oc_tokenizer, 'clean_fn', oct._clean_whitespace)
    if clean not in (oct._clean_lower, oct._clean_whitespace):
        raise ExportError('open_clip tokenizer clean=canonicalize cannot be expressed in tokenizer.json')
    lowercase = clean is oct._clean_lower
    tok = _with_normalizers(Tokenizer.from_str(backend.to_str()), cleaning_normalizers(lowercase))
    return _set_truncation(tok, context_length)


def _bytes_to_unicode() -> dict[int, str]:
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def from_simple_tokenizer(oc_tokenizer: Any, context_length: int) -> Tokenizer:
    """Byte-level BPE tokenizer.json reproducing open_clip's SimpleTokenizer (OpenAI CLIP vocabulary)."""
    import open_clip.tokenizer as oct

    if getattr(oc_tokenizer, 'reduction_fn', None) is not None:
        raise ExportError('open_clip SimpleTokenizer with a reduction_mask cannot be expressed in tokenizer.json')
    merges_txt = gzip.open(oct.default_bpe()).read().decode('utf-8').split('\n')
    merges = [tuple(m.split()) for m in merges_txt[1 : 49152 - 256 - 2 + 1]]
    vocab = dict(oc_tokenizer.encoder)
    specials = [oc_tokenizer.decoder[i] for i in oc_tokenizer.all_special_ids]
    if len(merges) + 512 + len(specials) != len(vocab):
        raise ExportError('open_clip SimpleTokenizer vocabulary does not match its BPE merges file')
    bpe = models.BPE(vocab=vocab, merges=merges, end_of_word_suffix='</w>', continuing_subword_prefix='', fuse_unk=False)
    tok = Tokenizer(bpe)
    clean = getattr(oc_tokenizer, 'clean_fn', None)
    lowercase = clean is None or clean is oct._clean_lower
    if clean is not None and clean not in (oct._clean_lower, oct._clean_whitespace):
        raise ExportError('open_clip SimpleTokenizer clean=canonicalize cannot be expressed in tokenizer.json')
    tok.normalizer = normalizers.Sequence(cleaning_normalizers(lowercase))
    specials_re = '|'.join(s.replace('|', r'\|') for s in specials)
    pattern = specials_re + r"""|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(pattern), behavior='removed', invert=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    bos, eos = specials[0], specials[1]
    tok.post_processor = processors.TemplateProcessing(
        single=f'{bos} $A {eos}', pair=f'{bos} $A {eos} $B {eos}',
        special_tokens=[(bos, vocab[bos]), (eos, vocab[eos])],
    )
    tok.add_special_tokens(specials)
    return _set_truncation(tok, context_length)


def open_clip_ids(oc_tokenizer: Any, texts: Sequence[str], context_length: int, eos_id: int) -> list[list[int]]:
    """open_clip's own token ids for texts, cut after the first end-of-sequence token (padding removed)."""
    rows = oc_tokenizer(list(texts), context_length=context_length).tolist()
    out = []
    for row in rows:
        end = row.index(eos_id) + 1 if eos_id in row else len(row)
        out.append(row[:end])
    return out


def compare_tokenization(tok: Tokenizer, oc_tokenizer: Any, texts: Sequence[str], context_length: int, eos_id: int) -> list[str]:
    """Texts on which tokenizer.json and open_clip disagree, each with both id lists (empty when all agree)."""
    want = open_clip_ids(oc_tokenizer, texts, context_length, eos_id)
    got = [e.ids for e in tok.encode_batch(list(texts))]
    return [f'{t!r}: open_clip {w} vs tokenizer.json {g}' for t, w, g in zip(texts, want, got) if w != g]
