"""Shared fixtures: offline Hugging Face, a local Unigram tokenizer, packages exported once per session."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ['HF_HUB_OFFLINE'] = '1'
os.environ['TRANSFORMERS_OFFLINE'] = '1'
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geosift_models.export import ExportOptions, data_dir, default_probe_images, write_package  # noqa: E402
from geosift_models.seeded import (TINY_CLIP_ARCH, TINY_XLMR_ARCH, build_unigram_tokenizer,  # noqa: E402
                                   seeded_loaded_model)

CACHE = Path(__file__).resolve().parents[1] / '.cache'


@pytest.fixture(scope='session')
def ucm_images() -> list[Path]:
    images = default_probe_images()
    assert len(images) == 3, f'UC Merced images missing under {data_dir()} (set GEOSIFT_DATA)'
    return images


@pytest.fixture(scope='session')
def tokenizer_dir(tmp_path_factory) -> Path:
    return build_unigram_tokenizer(tmp_path_factory.mktemp('unigram'))


@pytest.fixture(scope='session')
def tiny_xlmr(tokenizer_dir, tmp_path_factory, ucm_images):
    loaded = seeded_loaded_model(TINY_XLMR_ARCH, tokenizer_dir)
    res = write_package(loaded, tmp_path_factory.mktemp('pkg') / 'tiny-xlmr',
                        ExportOptions(int8=True, probe_images=ucm_images))
    return loaded, res


@pytest.fixture(scope='session')
def tiny_clip(tmp_path_factory, ucm_images):
    loaded = seeded_loaded_model(TINY_CLIP_ARCH)
    res = write_package(loaded, tmp_path_factory.mktemp('pkg') / 'tiny-clip', ExportOptions(probe_images=ucm_images))
    return loaded, res
