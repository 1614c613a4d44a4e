"""Imports torch, torchvision and open_clip safely; works around a CUDA-only torchvision build on CPU torch."""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path


def offline() -> None:
    """Forbids Hugging Face network access for this process (tests, parity fixtures)."""
    os.environ['HF_HUB_OFFLINE'] = '1'
    os.environ['TRANSFORMERS_OFFLINE'] = '1'
    os.environ.setdefault('HF_DATASETS_OFFLINE', '1')


def _patch_torchvision_without_ops() -> None:
    # PyPI's torchvision wheel links its C++ ops against CUDA torch; on the CPU torch build the
    # ops library fails to load and torchvision then crashes registering fake kernels for nms.
    # open_clip only needs torchvision's pure-Python transforms, so declaring the two op schemas
    # lets the import succeed. Nothing here runs nms.
    if 'torchvision' in sys.modules:
        return
    spec = importlib.util.find_spec('torchvision')
    if spec is None or spec.origin is None:
        return
    import torch

    lib = Path(spec.origin).parent / '_C.so'
    try:
        torch.ops.load_library(str(lib))
        return
    except (OSError, RuntimeError):
        pass
    for op in ('nms', 'qnms'):
        try:
            torch.library.define(
                f'torchvision::{op}', '(Tensor dets, Tensor scores, float iou_threshold) -> Tensor'
            )
        except RuntimeError:
            pass  # already defined by an earlier call


def import_open_clip():
    """Returns the open_clip module, importing torchvision first with the CPU workaround."""
    _patch_torchvision_without_ops()
    import open_clip

    return open_clip
