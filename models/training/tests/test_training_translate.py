"""Apertium translation: cached files complete and clean, one call keeps lines aligned, fixes apply."""
from __future__ import annotations

import pytest

import build_captions
import translate
from common import APERTIUM_LANGS, data_dir


def _cache(lang):
    return build_captions.load_translations(lang)


def test_caches_cover_every_english_sentence_and_are_clean():
    plan, _ = build_captions.ucm_split_plan(data_dir())
    sentences = build_captions.english_sentences(plan)
    for lang in APERTIUM_LANGS:
        cache = _cache(lang)
        assert list(cache) == sentences, f"translations.{lang}.tsv is stale: rerun translate.py"
        values = list(cache.values())
        assert all(v.strip() for v in values)
        assert not any(ch in v for v in values for ch in "*#@"), lang
        same = sum(1 for en, tr in cache.items() if en == tr)
        assert same < 0.01 * len(cache), (lang, same)


def test_line_count_guard():
    assert translate.split_output("a\nb\n", 2, "eng-cat") == ["a", "b"]
    with pytest.raises(RuntimeError, match="misaligned"):
        translate.split_output("a b\n", 2, "eng-cat")
    with pytest.raises(ValueError, match="newline"):
        translate.apertium("eng-cat", ["one\ntwo"])


def test_one_call_translates_many_lines_in_order():
    lines = ["There is a river.", "A forest.", "Two tennis courts."]
    out = translate.translate_all(lines, ["es", "fr"])
    assert len(out["es"]) == len(out["fr"]) == 3
    assert "río" in out["es"][0] and "bosque" in out["es"][1] and "tenis" in out["es"][2]
    assert "court" in out["fr"][2] or "tennis" in out["fr"][2]


def test_fix_tables():
    assert translate.strip_marks("Un *overpass amb #construir @x") == "Un overpass amb construir x"
    assert translate.fix_ca("Hi ha dos talls de tennis.") == "Hi ha dues pistes de tennis."
    assert translate.fix_ca("Un forestal.") == "Un bosc."
    assert translate.fix_ca("Moltes cases van arranjar amb cura.") == "Moltes cases disposades amb cura."
    assert translate.pre_edit("It is a piece of cropland.") == "It is a piece of farmland."
    assert translate.fix_lang("it", "i soffitti") == "I tetti"
