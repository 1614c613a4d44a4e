"""Train the SentencePiece Unigram tokenizer on the multilingual caption corpus plus the caption text of
RSICD/RSITMD/Sydney, export it as a Hugging Face tokenizer.json and check both agree."""
from __future__ import annotations

import argparse
import ast
import csv
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import APERTIUM_LANGS, BUILD_DIR, DATA_OUT, LANGS, SEED, open_data, read_jsonl  # noqa: E402
import glossary  # noqa: E402

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]  # ids 0..3, as XLM-R orders them
# Caption text only (no images exist for these); UCM text enters through the corpus's train split
# alone, so the UCM-captions test sentences used for retrieval never shape the vocabulary.
EXTRA_CAPTIONS = ["captions/rsicd/RSICD_VT-RSBS.csv", "captions/rsitmd/RSITMD_VT-RSBS.csv",
                  "captions/sydney/SIDNEY_VT-RSBS.csv"]


def corpus_lines(extra_mt: bool = True) -> list[str]:
    """Unique training sentences: corpus train captions, glossary terms and class names, extra captions
    and (extra_mt) their Apertium translations from `translate.py --extra`."""
    path = BUILD_DIR / "corpus.train.jsonl"
    if not path.exists():
        raise SystemExit(f"{path} missing: run build_captions.py first")
    seen: dict[str, None] = {}
    for r in read_jsonl(path):
        seen.setdefault(r["caption"])
    names = glossary.class_names()
    for lang in LANGS:
        for table in names[lang].values():
            for n in table.values():
                seen.setdefault(n)
        for t in glossary.TERMS[lang]:
            seen.setdefault(t)
    for rel in EXTRA_CAPTIONS:
        with open_data(rel) as f:
            for row in csv.DictReader(f):
                for s in ast.literal_eval(row["sentence"]):
                    s = " ".join(s.split())
                    if s:
                        seen.setdefault(s[:1].upper() + s[1:])
    if extra_mt:
        for lang in APERTIUM_LANGS:
            path = BUILD_DIR / f"extra_mt.{lang}.txt"
            if not path.exists():
                raise SystemExit(f"{path} missing: run `translate.py --extra` first (or --no-extra-mt)")
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    seen.setdefault(line)
    return list(seen)


def to_hf_json(sp) -> dict:
    """A tokenizer.json whose pipeline reproduces SentencePiece's: NFKC, trimmed and collapsed spaces,
    Metaspace, Unigram with SentencePiece's own pieces and scores, <s> $A </s>."""
    vocab = [[sp.id_to_piece(i), float(sp.get_score(i))] for i in range(sp.get_piece_size())]
    for i, s in enumerate(SPECIALS):
        assert vocab[i][0] == s, (i, vocab[i][0])
        vocab[i][1] = 0.0
    added = [{"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, s in enumerate(SPECIALS)]
    meta = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}
    # decoding (Python side only; the app's tokenizer only encodes): Llama's byte-fallback chain
    decoder = {"type": "Sequence", "decoders": [
        {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
        {"type": "ByteFallback"}, {"type": "Fuse"},
        {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "NFKC"},
            {"type": "Strip", "strip_left": True, "strip_right": True},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
        ]},
        "pre_tokenizer": meta,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "</s>", "type_id": 0}},
                     {"SpecialToken": {"id": "</s>", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}},
                     {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "special_tokens": {
                "<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]},
                "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]},
            },
        },
        "decoder": decoder,
        "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": True},
    }


def agreement(sp, hf, lines: list[str]) -> tuple[float, list[tuple[str, list[int], list[int]]]]:
    """Fraction of lines where the HF tokenizer yields exactly SentencePiece's ids (+ <s> </s>)."""
    bad = []
    for line in lines:
        want = [0, *sp.encode(line), 2]
        got = hf.encode(line).ids
        if want != got:
            bad.append((line, want, got))
    return 1 - len(bad) / max(1, len(lines)), bad


def sample_check_lines(n: int = 500) -> list[str]:
    rng = random.Random(SEED)
    rows = read_jsonl(BUILD_DIR / "corpus.val.jsonl")
    lines = [r["caption"] for r in rng.sample(rows, min(n - 20, len(rows)))]
    # odd spacing and compatibility characters exercise the normaliser
    lines += ["  A  river   crossing   fields  ", "ＵＣＭ  ｆｕｌｌｗｉｄｔｈ text", "tab\tseparated",
              "Ein Fluss — aus der Luft.", "港口的遥感图像。", "  강이 보이는 위성 영상. ", "Ёлки и ели",
              "naïve café", "x²", "ﬁeld of ﬂowers", "뷁 햏 쀍", "龘 and 🛰️ over Zürich's Straße"]
    return lines


def main() -> None:
    import sentencepiece as spm
    from tokenizers import Tokenizer

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vocab-size", type=int, default=12000)
    ap.add_argument("--no-extra-mt", action="store_true",
                    help="train without the translated RSICD/RSITMD/Sydney text (smaller vocabulary)")
    args = ap.parse_args()
    t0 = time.time()
    lines = corpus_lines(not args.no_extra_mt)
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    text_path = BUILD_DIR / "tokenizer_corpus.txt"
    text_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    prefix = BUILD_DIR / "spm_unigram"
    spm.SentencePieceTrainer.train(
        input=str(text_path), model_prefix=str(prefix), model_type="unigram",
        # every character seen is kept (German ß and umlauts are rare in this corpus), and unseen ones
        # (a Hangul syllable a user types) fall back to UTF-8 bytes instead of <unk>
        vocab_size=args.vocab_size, character_coverage=1.0, byte_fallback=True,
        normalization_rule_name="nfkc",
        remove_extra_whitespaces=True, bos_id=0, pad_id=1, eos_id=2, unk_id=3,
        bos_piece="<s>", pad_piece="<pad>", eos_piece="</s>", unk_piece="<unk>",
        input_sentence_size=0, shuffle_input_sentence=False, num_threads=2, seed_sentencepiece_size=200000,
        minloglevel=2,
    )
    sp = spm.SentencePieceProcessor(model_file=str(prefix) + ".model")
    out = DATA_OUT / "tokenizer.json"
    out.write_text(json.dumps(to_hf_json(sp), ensure_ascii=False, separators=(",", ":")) + "\n",
                   encoding="utf-8")
    hf = Tokenizer.from_file(str(out))
    check = sample_check_lines()
    rate, bad = agreement(sp, hf, check)
    report = {"sentences": len(lines), "vocab": sp.get_piece_size(), "agreement": rate,
              "checked": len(check), "mismatches": [b[0] for b in bad][:10],
              "bytes": out.stat().st_size, "seconds": round(time.time() - t0, 1)}
    (BUILD_DIR / "tokenizer_report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
