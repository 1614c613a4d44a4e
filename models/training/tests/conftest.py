"""Shared fixtures for the training-data tests: the corpus is built once per session, in memory."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


@pytest.fixture(scope="session")
def corpus():
    import build_captions
    rows, report = build_captions.corpus_rows(check_eurosat_duplicates=False)
    return rows, report
