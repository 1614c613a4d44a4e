"""Split hygiene: no held-out image reaches training, the eval folder is never touched."""
from __future__ import annotations

import csv
import json

import pytest

import build_captions
from common import assert_not_eval, data_dir, open_data


def test_no_ucm_test_or_captions_val_test_image_in_train(corpus):
    rows, _ = corpus
    caps = json.load(open_data("captions/ucm/dataset_ucm_modified.json"))
    mapping = {r["caption_filename"]: r["ucmerced_path"]
               for r in csv.DictReader(open_data("captions/ucm/imgs_to_ucmerced.csv"))}
    caption_split = {mapping[im["filename"]]: im["split"] for im in caps["images"]}
    ucm_split = {"ucmerced/images/" + r["filepath"]: r["split"]
                 for r in csv.DictReader(open_data("ucmerced/labels_split.csv"))}
    train = {r["image"] for r in rows["train"] if r["image"].startswith("ucmerced/")}
    val = {r["image"] for r in rows["val"] if r["image"].startswith("ucmerced/")}
    assert len(train) > 1000 and len(val) > 100
    assert not train & val
    for img in train:
        assert ucm_split[img] != "test", img
        assert caption_split[img] == "train", img
    for img in val:
        assert ucm_split[img] != "test", img
        assert caption_split[img] == "val", img


def test_eurosat_rows_follow_the_split_file(corpus):
    rows, _ = corpus
    split = {"eurosat_rgb/" + r["filepath"]: r["split"]
             for r in csv.DictReader(open_data("eurosat_rgb/split_flybulll_seed42.csv"))}
    for name in ("train", "val"):
        imgs = {r["image"] for r in rows[name] if r["image"].startswith("eurosat_rgb/")}
        assert imgs, name
        assert all(split[i] == name for i in imgs)
    assert len({r["image"] for r in rows["train"] if r["source"].startswith("eurosat")}) == 18900


def test_every_image_exists_and_none_is_under_eval(corpus):
    rows, _ = corpus
    root = data_dir()
    images = {r["image"] for rs in rows.values() for r in rs}
    for img in images:
        assert "/eval/" not in "/" + img and ".." not in img
        assert (root / img).is_file(), img
    assert "/eval/" not in str(root) + "/"


def test_eval_guard_refuses_the_eval_folder():
    evil = data_dir().parent / "eval" / "rsscn7" / "grass"
    with pytest.raises(RuntimeError, match="eval folder"):
        assert_not_eval(evil)
    assert_not_eval(data_dir() / "ucmerced")  # the data folder itself passes


def test_pixel_duplicates_never_straddle_train_and_held_out(corpus):
    plan, report = build_captions.ucm_split_plan(data_dir())
    for group in report["pixel_duplicates"]:
        splits = {plan[img]["split"] for img, _ in group}
        assert len(splits) == 1, group
    # the README's known pair (airplane01 == airplane02) is detected
    flat = {img for group in report["pixel_duplicates"] for img, _ in group}
    assert "ucmerced/images/airplane/airplane01.jpg" in flat


def test_corpus_is_reproducible(corpus):
    rows, _ = corpus
    again, _ = build_captions.corpus_rows(check_eurosat_duplicates=False)
    assert again["train"][:500] == rows["train"][:500]
    assert again["val"][-500:] == rows["val"][-500:]
