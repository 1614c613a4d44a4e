"""Build the seeded image-caption corpus (train and val only) from UC Merced + UCM-captions and EuroSAT,
in ten languages: English sources, Apertium caches for es/pt/it/fr, glossary templates for the rest."""
from __future__ import annotations

import argparse
import csv
import functools
import hashlib
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (APERTIUM_LANGS, BUILD_DIR, DATA_OUT, GLOSSARY_LANGS, LANGS, SEED,  # noqa: E402
                    data_dir, open_data, write_jsonl)
import glossary  # noqa: E402

# Spelling slips in UCM-captions found by listing the words Apertium could not analyse.
EN_TYPOS = {
    "formland": "farmland", "surounded": "surrounded", "surrouded": "surrounded",
    "surrounde": "surrounded", "parellel": "parallel", "paralle": "parallel",
    "buildding": "building", "bulidings": "buildings", "residental": "residential",
    "aeroplane": "airplane", "pallel": "parallel", "arround": "around",
    "containters": "containers", "ars": "are", "parrallel": "parallel", "roofss": "roofs",
    "sorrounded": "surrounded", "suttounded": "surrounded", "plamts": "plants",
    "plantss": "plants", "lugage": "luggage", "foasm": "foam", "flurish": "flourish",
    "differenet": "different", "coursea": "course", "withe": "with", "wothe": "with the",
    "tress": "trees", "tres": "trees", "spase": "sparse", "snds": "sands", "smalle": "small", "foofs": "roofs",
    "cornersd": "corners", "besid": "beside", "geso": "goes",
}

# Slips that are real words elsewhere, fixed only in their phrase.
EN_PHRASE_FIXES = {"next ro ": "next to ", "roads fo through": "roads go through"}

# EuroSAT: natural English phrasings per class as (noun phrase, plural?).
EUROSAT_PHRASES: dict[str, list[tuple[str, bool]]] = {
    "AnnualCrop": [("annual crops", True), ("an annual crop field", False), ("cropland", False),
                   ("cultivated fields", True), ("farmland with seasonal crops", False),
                   ("agricultural fields", True)],
    "Forest": [("a forest", False), ("dense woodland", False), ("trees", True),
               ("a wooded area", False), ("forest land", False)],
    "HerbaceousVegetation": [("herbaceous vegetation", False), ("natural grassland", False),
                             ("shrubs and grass", True), ("low vegetation", False),
                             ("wild herbaceous plants", True)],
    "Highway": [("a highway", False), ("a road", False), ("a motorway", False), ("highway", False),
                ("a highway between fields", False), ("a major road", False)],
    "Industrial": [("an industrial area", False), ("industrial buildings", True),
                   ("factories", True), ("an industrial zone", False),
                   ("warehouses and factories", True)],
    "Pasture": [("a pasture", False), ("grazing land", False), ("meadows", True),
                ("pasture land", False), ("grassland used for grazing", False)],
    "PermanentCrop": [("permanent crops", True), ("an orchard", False), ("vineyards", True),
                      ("orchards and vineyards", True), ("permanent cropland", False)],
    "Residential": [("a residential area", False), ("houses", True), ("a town", False),
                    ("residential buildings", True), ("a suburb", False)],
    "River": [("a river", False), ("a stream", False), ("a river with its banks", False),
              ("a meandering river", False)],
    "SeaLake": [("a lake", False), ("the sea", False), ("a body of water", False),
                ("open water", False), ("a sea or lake", False), ("the shore of a lake", False)],
}

# Our own English caption templates for EuroSAT; {np}/{NP} noun phrase, {be} is/are.
EN_TEMPLATES = [
    "a satellite image of {np}.", "a satellite photo of {np}.", "an aerial view of {np}.",
    "{NP} seen from space.", "a Sentinel-2 image of {np}.", "a remote sensing image of {np}.",
    "a low-resolution satellite image of {np}.", "this image shows {np}.",
    "there {be} {np} in this image.", "a view from above of {np}.", "{NP} as seen from orbit.",
    "an overhead image of {np}.", "a satellite scene showing {np}.",
    "satellite images of {np}.", "a true-colour satellite image of {np}.",
    "a photograph of {np} from a satellite.", "an image from space showing {np}.",
    "a patch of Sentinel-2 imagery covering {np}.", "an overhead view of {np}.",
    "{NP} seen from above.", "an image of {np} at 10 m resolution.",
    "an Earth observation image of {np}.", "the satellite captured {np}.",
    "this satellite image contains {np}.", "a small satellite image of {np}.",
    "{NP} in a satellite image.", "a coarse satellite view of {np}.",
    "from above, {np} can be seen.", "in this satellite image, {np} {be} visible.",
    "a view from space of {np}.", "an orbital photograph of {np}.",
    "a Copernicus Sentinel-2 image of {np}.", "an aerial image showing {np}.",
    "a remotely sensed scene of {np}.", "{NP} from a satellite's perspective.",
    "a recent satellite image of {np}.", "an image of {np} seen from above.",
    "a land cover sample of {np}.", "an overhead photograph of {np}.",
    "here we see {np} from space.",
]


def clean_en(raw: str) -> str:
    """UCM-captions are tokenised ('farmland .'); rejoin punctuation, fix slips, capitalise."""
    s = re.sub(r"\s+", " ", raw).strip()
    s = re.sub(r"\s+([.,;:!?])", r"\1", s)
    s = re.sub(r"[A-Za-z]+", lambda m: _fix_word(m.group(0)), s)
    for bad, good in EN_PHRASE_FIXES.items():
        s = s.replace(bad, good)
    if s and s[-1] not in ".!?":
        s += "."
    return s[:1].upper() + s[1:]


def _fix_word(w: str) -> str:
    fixed = EN_TYPOS.get(w.lower())
    if fixed is None:
        return w
    return fixed[:1].upper() + fixed[1:] if w[:1].isupper() else fixed


def render_en(template: str, phrase: str, plural: bool) -> str:
    s = template.format(np=phrase, NP=phrase, be="are" if plural else "is")
    return s[:1].upper() + s[1:]


@functools.lru_cache(maxsize=None)
def eurosat_en_captions(cls: str) -> tuple[str, ...]:
    return tuple(render_en(t, p, pl) for t in EN_TEMPLATES for p, pl in EUROSAT_PHRASES[cls])


@functools.lru_cache(maxsize=None)
def glossary_pool(lang: str, cls: str) -> tuple[str, ...]:
    return tuple(glossary.glossary_captions(lang, cls))


def _pixel_hash(path: Path) -> str:
    with Image.open(path) as im:
        return hashlib.md5(im.convert("RGB").tobytes()).hexdigest()


def ucm_split_plan(root: Path) -> tuple[dict[str, dict], dict]:
    """Decide the split of every UC Merced image from BOTH split files; report disagreements.

    train: UCM-captions 'train' and UC Merced not 'test'; val: UCM-captions 'val' and UC Merced
    not 'test'; everything else (either split says test) is excluded. Pixel-identical images are
    excluded from train when a copy is held out.
    """
    caps = json.load(open_data("captions/ucm/dataset_ucm_modified.json"))
    mapping = {r["caption_filename"]: r for r in csv.DictReader(open_data("captions/ucm/imgs_to_ucmerced.csv"))}
    ucm_split = {r["filepath"]: r for r in csv.DictReader(open_data("ucmerced/labels_split.csv"))}
    plan: dict[str, dict] = {}
    crosstab: Counter = Counter()
    for im in caps["images"]:
        m = mapping[im["filename"]]
        rel = m["ucmerced_path"]
        key = rel.removeprefix("ucmerced/images/")
        lab = ucm_split[key]
        crosstab[f"captions={im['split']}/ucmerced={lab['split']}"] += 1
        if im["split"] == "train" and lab["split"] != "test":
            split = "train"
        elif im["split"] == "val" and lab["split"] != "test":
            split = "val"
        else:
            split = "excluded"
        plan[rel] = {"image": rel, "label": lab["label"], "split": split,
                     "captions_split": im["split"], "ucmerced_split": lab["split"],
                     "mapping": m["original_name_status"],
                     "sentences": [s["raw"] for s in im["sentences"]]}
    # Exact duplicates: a train image identical to a held-out one would leak it.
    by_hash: dict[str, list[str]] = defaultdict(list)
    for rel in plan:
        by_hash[_pixel_hash(root / rel)].append(rel)
    dup_groups, dropped = [], []
    for group in by_hash.values():
        if len(group) < 2:
            continue
        dup_groups.append([(g, plan[g]["split"]) for g in group])
        splits = {plan[g]["split"] for g in group}
        if len(splits) > 1:
            # keep the group out of train and val alike when any copy is held out
            held = "excluded" if "excluded" in splits else "val"
            for g in group:
                if plan[g]["split"] != held:
                    dropped.append((g, plan[g]["split"], held))
                    plan[g]["split"] = held
    report = {"crosstab": dict(sorted(crosstab.items())), "pixel_duplicates": dup_groups,
              "moved_for_duplicates": dropped,
              "counts": dict(Counter(p["split"] for p in plan.values()))}
    return plan, report


def eurosat_plan(root: Path, check_duplicates: bool) -> tuple[list[dict], dict]:
    rows = [r for r in csv.DictReader(open_data("eurosat_rgb/split_flybulll_seed42.csv"))]
    out = [{"image": "eurosat_rgb/" + r["filepath"], "label": r["label"], "split": r["split"]}
           for r in rows]
    report: dict = {"counts": dict(Counter(r["split"] for r in out))}
    if check_duplicates:
        by_hash: dict[str, list[dict]] = defaultdict(list)
        for r in out:
            by_hash[_pixel_hash(root / r["image"])].append(r)
        groups = [g for g in by_hash.values() if len(g) > 1]
        moved = []
        for g in groups:
            splits = {r["split"] for r in g}
            if "train" in splits and len(splits) > 1:
                for r in g:
                    if r["split"] == "train":
                        r["split"] = "excluded"
                        moved.append(r["image"])
        report["pixel_duplicate_groups"] = [[(r["image"], r["split"]) for r in g] for g in groups]
        report["train_removed_for_duplicates"] = moved
    return [r for r in out if r["split"] in ("train", "val")], report


def english_sentences(plan: dict[str, dict]) -> list[str]:
    """Every English sentence the corpus uses (train + val), deduplicated, in a stable order."""
    seen: dict[str, None] = {}
    for p in plan.values():
        if p["split"] in ("train", "val"):
            for s in p["sentences"]:
                seen.setdefault(clean_en(s))
    for cls in glossary.EUROSAT_CLASSES:
        for s in eurosat_en_captions(cls):
            seen.setdefault(s)
    return list(seen)


def load_translations(lang: str) -> dict[str, str]:
    path = DATA_OUT / f"translations.{lang}.tsv"
    if not path.exists():
        raise SystemExit(f"{path} missing: run translate.py first (needs apertium)")
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            en, _, tr = line.rstrip("\n").partition("\t")
            out[en] = tr
    return out


def corpus_rows(check_eurosat_duplicates: bool = True) -> tuple[dict[str, list[dict]], dict]:
    """All (image, lang, caption, source, split) rows of the train and val splits, plus the split report."""
    root = data_dir()
    rng = random.Random(SEED)
    plan, ucm_report = ucm_split_plan(root)
    euro, euro_report = eurosat_plan(root, check_eurosat_duplicates)
    trans = {lang: load_translations(lang) for lang in APERTIUM_LANGS}
    rows: dict[str, list[dict]] = {"train": [], "val": []}

    def emit(image, label, source, split, lang, caption):
        # the root passed the eval guard in data_dir(); relative paths must not climb back into it
        if "/eval/" in "/" + image or ".." in image:
            raise RuntimeError(f"refusing image path {image!r}: outside the training data")
        rows[split].append({"image": image, "label": label, "source": source, "split": split,
                            "lang": lang, "caption": caption})

    for rel in sorted(plan):
        p = plan[rel]
        if p["split"] not in rows:
            continue
        ens = [clean_en(s) for s in p["sentences"]]
        for en in ens:
            emit(rel, p["label"], "ucm-captions", p["split"], "en", en)
            for lang in APERTIUM_LANGS:
                emit(rel, p["label"], "ucm-captions/apertium", p["split"], lang, trans[lang][en])
        for lang in GLOSSARY_LANGS:
            for cap in rng.sample(glossary_pool(lang, p["label"]), len(ens)):
                emit(rel, p["label"], "ucm-glossary", p["split"], lang, cap)

    for r in euro:
        en = rng.choice(eurosat_en_captions(r["label"]))
        emit(r["image"], r["label"], "eurosat-template", r["split"], "en", en)
        for lang in APERTIUM_LANGS:
            emit(r["image"], r["label"], "eurosat-template/apertium", r["split"], lang, trans[lang][en])
        for lang in GLOSSARY_LANGS:
            emit(r["image"], r["label"], "eurosat-glossary", r["split"], lang,
                 rng.choice(glossary_pool(lang, r["label"])))

    return rows, {"ucm": ucm_report, "eurosat": euro_report}


def build(check_eurosat_duplicates: bool = True) -> dict:
    rows, report = corpus_rows(check_eurosat_duplicates)
    counts = {}
    for split, rs in rows.items():
        write_jsonl(BUILD_DIR / f"corpus.{split}.jsonl", rs)
        counts[split] = {f"{lang}/{src}": n for (lang, src), n in
                         sorted(Counter((r["lang"], r["source"]) for r in rs).items())}
    report["rows"] = counts
    (BUILD_DIR / "split_report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return report


def write_class_names() -> Path:
    """Zero-shot class-name tables and prompt templates for every language (names only)."""
    path = DATA_OUT / "classnames.json"
    payload = {"languages": LANGS, "classes": glossary.class_names(), "prompts": glossary.PROMPTS}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--skip-eurosat-dup-check", action="store_true",
                    help="skip hashing the 27000 EuroSAT images for exact duplicates")
    args = ap.parse_args()
    t0 = time.time()
    write_class_names()
    report = build(not args.skip_eurosat_dup_check)
    print(json.dumps({k: v for k, v in report.items()}, indent=1, ensure_ascii=False)[:6000])
    print(f"build_captions: {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
