"""The exact RS-M-CLIP architecture (xlm-roberta-base-ViT-B-32) with seeded weights: export once, check parity.

The export takes minutes on two cores, so it is cached under models/.cache/parity (git-ignored) and
rebuilt only when the exporter's source changes."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest

from geosift_models.export import _session, verify_package
from geosift_models.parity_fixture import build, source_hash

CACHE = Path(__file__).resolve().parents[1] / '.cache' / 'parity'


@pytest.fixture(scope='module')
def fixture_dir() -> Path:
    exp = CACHE / 'expected.json'
    if not (exp.is_file() and json.loads(exp.read_text('utf-8')).get('sourceHash') == source_hash()
            and verify_package(CACHE / 'package', run=False) == []):
        build(CACHE)
    return CACHE


def test_package_has_the_rs_m_clip_shapes(fixture_dir):
    m = json.loads((fixture_dir / 'package' / 'model.json').read_text('utf-8'))
    assert m['embeddingDim'] == 512 and m['vision']['imageSize'] == 224
    assert m['vision']['mean'] == pytest.approx([0.48145466, 0.4578275, 0.40821073])
    assert m['vision']['std'] == pytest.approx([0.26862954, 0.26130258, 0.27577711])
    t = m['text']
    assert (t['contextLength'], t['padToContextLength'], t['padId'], t['bosId'], t['eosId']) == (77, False, 1, 0, 2)
    assert m['provenance']['architecture'] == 'xlm-roberta-base-ViT-B-32'
    assert verify_package(fixture_dir / 'package') == []
    text = onnx.load(str(fixture_dir / 'package' / 'text.onnx'), load_external_data=False)
    shapes = {tuple(i.dims) for i in text.graph.initializer}
    assert (250002, 768) in shapes and (514, 768) in shapes  # full XLM-R base vocabulary and positions
    assert (640, 768) in shapes or (768, 640) in shapes  # MLP projection hidden size (768 + 512) / 2


def test_onnx_runtime_matches_pytorch_on_ucmerced_and_multilingual_queries(fixture_dir):
    exp = json.loads((fixture_dir / 'expected.json').read_text('utf-8'))
    pk = fixture_dir / 'package'
    m = json.loads((pk / 'model.json').read_text('utf-8'))
    pixels = np.stack([np.frombuffer((fixture_dir / e['pixelsFile']).read_bytes(), '<f4').reshape(e['pixelsShape'])
                       for e in exp['images']])
    img = _session(pk / 'vision.onnx').run(None, {m['vision']['input']: pixels})[0]
    ref_img = np.array([e['embedding'] for e in exp['images']], np.float32)
    ts = _session(pk / 'text.onnx')
    cos_txt = []
    for e in exp['texts']:  # one at a time, unpadded: the sequence axis is dynamic
        ids = np.array([e['ids']], np.int64)
        out = ts.run(None, {'input_ids': ids, 'attention_mask': np.ones_like(ids)})[0][0]
        cos_txt.append(float(out @ np.array(e['embedding'], np.float32)))
    cos_img = (img * ref_img).sum(-1)
    print(f'image cos min {cos_img.min():.7f} max|diff| {np.abs(img - ref_img).max():.2e}; '
          f'text cos min {min(cos_txt):.7f}')
    assert cos_img.min() >= 0.9999 and min(cos_txt) >= 0.9999
    assert exp['pythonOnnxRuntime']['minCosineImage'] >= 0.9999
    assert exp['pythonOnnxRuntime']['minCosineText'] >= 0.9999
    assert len(exp['texts']) >= 6 and len(exp['images']) == 3
