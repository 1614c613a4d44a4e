"""Shared paths, language list and the eval-folder guard for the training-data scripts."""
from __future__ import annotations

import json
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA_OUT = HERE / "data"          # committed, small, text-only artefacts
BUILD_DIR = HERE / "build"        # regenerated corpus (git-ignored, rebuilt in seconds)

LANGS = ["en", "pt", "es", "fr", "de", "nl", "it", "zh", "ko", "ru"]
APERTIUM_LANGS = ["es", "pt", "it", "fr"]
GLOSSARY_LANGS = ["de", "nl", "zh", "ko", "ru"]
SEED = 42


def data_dir() -> Path:
    """The read-only data folder: $GEOSIFT_DATA, else ../shared/data beside the checkout."""
    env = os.environ.get("GEOSIFT_DATA")
    root = Path(env) if env else HERE.parent.parent.parent / "shared" / "data"
    root = root.resolve()
    if not root.is_dir():
        raise SystemExit(f"data folder {root} not found: set GEOSIFT_DATA to the shared data folder")
    assert_not_eval(root)
    return root


def assert_not_eval(path: str | os.PathLike) -> None:
    """The evaluation folder must never feed training: refuse any path that reaches into it."""
    p = str(Path(path).resolve()).replace("\\", "/")
    if "/eval/" in p + "/":
        raise RuntimeError(f"refusing to read {p}: the eval folder is never used for training data")


def open_data(rel: str, mode: str = "r"):
    """Open a file under the data folder after the eval guard."""
    path = data_dir() / rel
    assert_not_eval(path)
    return open(path, mode, encoding=None if "b" in mode else "utf-8")


def write_jsonl(path: Path, rows) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
            n += 1
    return n


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
