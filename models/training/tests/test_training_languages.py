"""Every language is served: captions per language, class-name tables, glossary grammar."""
from __future__ import annotations

import json
from collections import Counter

import glossary
from common import DATA_OUT, LANGS


def test_every_language_has_enough_captions(corpus):
    rows, _ = corpus
    for split, minimum in (("train", 25000), ("val", 4500)):
        per_lang = Counter(r["lang"] for r in rows[split])
        assert set(per_lang) == set(LANGS), per_lang
        for lang in LANGS:
            assert per_lang[lang] >= minimum, (split, lang, per_lang[lang])
    for lang in LANGS:
        unique = {r["caption"] for r in rows["train"] if r["lang"] == lang}
        assert len(unique) >= 300, (lang, len(unique))
        assert all(c.strip() and "\n" not in c and "\t" not in c for c in unique)


def test_every_language_covers_every_class(corpus):
    rows, _ = corpus
    labels = Counter((r["lang"], r["label"]) for r in rows["train"])
    for lang in LANGS:
        for cls in glossary.UCM_CLASSES + glossary.EUROSAT_CLASSES:
            assert labels[(lang, cls)] > 0, (lang, cls)


def test_class_name_tables_complete():
    data = json.loads((DATA_OUT / "classnames.json").read_text(encoding="utf-8"))
    assert data["languages"] == LANGS
    expected = {"ucmerced": glossary.UCM_CLASSES, "eurosat": glossary.EUROSAT_CLASSES,
                "rsscn7": glossary.RSSCN7_CLASSES}
    assert data == json.loads(json.dumps(
        {"languages": LANGS, "classes": glossary.class_names(), "prompts": glossary.PROMPTS},
        ensure_ascii=False)), "classnames.json is stale: rerun build_captions.py"
    for lang in LANGS:
        for ds, classes in expected.items():
            names = data["classes"][lang][ds]
            assert list(names) == classes
            assert len(set(names.values())) == len(classes), (lang, ds)  # distinguishable
        assert all("{}" in p for p in data["prompts"][lang])


def test_glossary_grammar_details():
    assert glossary.josa("강", "이/가") == "이" and glossary.josa("비행기", "이/가") == "가"
    assert glossary.josa("숲", "을/를") == "을" and glossary.josa("항구", "을/를") == "를"
    ru = glossary.glossary_captions("ru", "buildings")
    assert "Участок местности со зданиями." in ru
    assert "Участок местности с рекой." in glossary.glossary_captions("ru", "river")
    de = glossary.glossary_captions("de", "buildings")
    assert "Auf dem Bild sind mehrere Gebäude zu sehen." in de
    assert "Luftbild mit einem Fluss." in glossary.glossary_captions("de", "river")
    assert "航拍图中有一条河流。" in glossary.glossary_captions("zh", "river")
    assert "Op deze foto zijn gebouwen te zien." in glossary.glossary_captions("nl", "buildings")
    for lang in glossary.TEMPLATES:
        for cls in glossary.UCM_CLASSES + glossary.EUROSAT_CLASSES:
            caps = glossary.glossary_captions(lang, cls)
            assert len(set(caps)) == len(glossary.TEMPLATES[lang])
            assert not any("{" in c or "}" in c for c in caps)
    assert all(len(glossary.TERMS[lang]) == len(glossary.TERM_KEYS) for lang in LANGS)
