"""The exported tokenizer.json: structure, special ids, and a round trip in all ten languages."""
from __future__ import annotations

import json

import pytest
from tokenizers import Tokenizer

from common import DATA_OUT, LANGS

PATH = DATA_OUT / "tokenizer.json"


@pytest.fixture(scope="module")
def tok():
    return Tokenizer.from_file(str(PATH))


def test_structure_and_special_ids(tok):
    j = json.loads(PATH.read_text(encoding="utf-8"))
    assert [n["type"] for n in j["normalizer"]["normalizers"]] == ["NFKC", "Strip", "Replace"]
    assert j["pre_tokenizer"]["type"] == "Metaspace"
    assert j["model"]["type"] == "Unigram" and j["model"]["unk_id"] == 3
    assert j["post_processor"]["type"] == "TemplateProcessing"
    assert [tok.token_to_id(t) for t in ("<s>", "<pad>", "</s>", "<unk>")] == [0, 1, 2, 3]
    assert 8000 <= tok.get_vocab_size() <= 16000


def test_round_trip_in_every_language(tok, corpus):
    rows, _ = corpus
    by_lang = {lang: [r["caption"] for r in rows["val"] if r["lang"] == lang][:40] for lang in LANGS}
    unk = total = 0
    for lang, caps in by_lang.items():
        assert caps, lang
        for cap in caps:
            enc = tok.encode(cap)
            assert enc.ids[0] == 0 and enc.ids[-1] == 2
            unk += enc.ids.count(3)
            total += len(enc.ids)
            assert tok.decode(enc.ids) == cap, (lang, cap)
    assert unk / total < 0.001


def test_normaliser_trims_and_collapses_spaces(tok):
    assert tok.encode("  a   river  ").ids == tok.encode("a river").ids
    assert tok.encode("ﬁeld").ids == tok.encode("field").ids  # NFKC
