"""Export of seeded tiny open_clip models: package shape, PyTorch/ONNX Runtime parity, tokenizers, errors."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from geosift_models._env import import_open_clip
from geosift_models.errors import ExportError
from geosift_models.export import (LoadedModel, ExportOptions, _export, _pad, _session, _wrappers, cosines, load_model,
                                   main, verify_package, write_package)
from geosift_models.seeded import TINY_XLMR_ARCH, seeded_loaded_model
from geosift_models.tokenizer_export import SAMPLE_SENTENCES, compare_tokenization, from_simple_tokenizer

REPO = Path(__file__).resolve().parents[2]


def ts_manifest_fields() -> tuple[set[str], set[str], set[str]]:
    """Field names of ModelManifest and its vision/text blocks, read from the engine's TypeScript type."""
    src = (REPO / 'main' / 'engine' / 'model' / 'types.ts').read_text('utf-8')
    body = src[src.index('export interface ModelManifest {'):]
    body = body[:body.index('\n}\n')]
    body = re.sub(r'/\*\*.*?\*/', '', body, flags=re.S)
    vision = body[body.index('vision: {'):body.index('};', body.index('vision: {'))]
    text = body[body.index('text: {'):body.index('};', body.index('text: {'))]
    top = body.replace(vision, '').replace(text, '')
    names = lambda s: set(re.findall(r'^\s+(\w+)\??:', s, flags=re.M))  # noqa: E731
    return names(top) | {'vision', 'text'}, names(vision) - {'vision'}, names(text) - {'text'}


def test_manifest_has_exactly_the_typescript_shape(tiny_xlmr):
    _, res = tiny_xlmr
    top, vision, text = ts_manifest_fields()
    m = json.loads((res.dir / 'model.json').read_text('utf-8'))
    assert set(m) <= top and top - set(m) <= {'description'}
    assert set(m['vision']) == vision
    assert set(m['text']) == text
    assert m['format'] == 'geosift-model' and m['formatVersion'] == 1
    assert m['vision']['resizeMode'] == 'shortest-center-crop' and m['vision']['interpolation'] == 'bicubic'
    assert m['text']['pooling'] == 'inside-graph'
    assert set(m['promptTemplates']) == set(m['languages']) and len(m['languages']) == 10
    assert all('{}' in t for ts in m['promptTemplates'].values() for t in ts)
    assert set(m['files']) == {'vision.onnx', 'text.onnx', 'tokenizer.json', 'LICENSE',
                               'vision.int8.onnx', 'text.int8.onnx'}
    assert verify_package(res.dir) == []


def test_xlmr_text_graph_takes_any_length_and_matches_pytorch(tiny_xlmr, ucm_images):
    loaded, res = tiny_xlmr
    m = res.manifest
    assert m['text']['attentionMask'] == 'attention_mask' and m['text']['padToContextLength'] is False
    assert (m['text']['contextLength'], m['text']['padId'], m['text']['bosId'], m['text']['eosId']) == (77, 1, 0, 2)
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(res.dir / 'tokenizer.json'))
    texts = SAMPLE_SENTENCES[:12]
    rows = [e.ids for e in tok.encode_batch(texts)]
    ids, mask = _pad(rows, max(map(len, rows)), 1)
    got = _session(res.dir / 'text.onnx').run(None, {'input_ids': ids, 'attention_mask': mask})[0]
    with torch.no_grad():
        ref = torch.nn.functional.normalize(loaded.model.encode_text(loaded.tokenizer(texts)), dim=-1).numpy()
    assert cosines(got, ref).min() >= 0.9999
    # one text alone, unpadded, gives the same embedding as inside a padded batch
    alone = _session(res.dir / 'text.onnx').run(None, {'input_ids': ids[:1, :len(rows[0])],
                                                       'attention_mask': mask[:1, :len(rows[0])]})[0]
    assert cosines(alone, got[:1]).min() >= 0.9999
    p = res.parity
    assert p['minCosineImage'] >= 0.9999 and p['minCosineText'] >= 0.9999
    assert p['probeImages'] == [f.name for f in ucm_images]


def test_unigram_tokenizer_json_matches_open_clip_on_ten_languages(tiny_xlmr):
    from tokenizers import Tokenizer

    loaded, res = tiny_xlmr
    tok = Tokenizer.from_file(str(res.dir / 'tokenizer.json'))
    assert compare_tokenization(tok, loaded.tokenizer, SAMPLE_SENTENCES, 77, 2) == []
    long = tok.encode(SAMPLE_SENTENCES[-1]).ids
    assert len(long) == 77 and (long[0], long[-1]) == (0, 2)  # truncated like open_clip, <s> ... </s>
    # open_clip's whitespace and quote cleaning lives in the tokenizer's normalizers
    assert tok.encode('  l’aéroport \t du  port ').ids == tok.encode("l'aéroport du port").ids


def test_int8_variant_records_measured_loss(tiny_xlmr):
    _, res = tiny_xlmr
    variants = {v['file']: v for v in res.manifest['provenance']['variants']}
    assert set(variants) == {'vision.int8.onnx', 'text.int8.onnx'}
    for v in variants.values():
        assert 0.9 < v['minCosineVsFp32'] <= 1.0 + 1e-6
        assert v['meanCosineLoss'] == pytest.approx(1 - v['meanCosineVsFp32'])


def test_openai_clip_tokenizer_json_matches_simple_tokenizer():
    oc = import_open_clip()
    simple = oc.get_tokenizer('ViT-B-32')
    tok = from_simple_tokenizer(simple, 77)
    assert tok.get_vocab_size() == 49408
    assert compare_tokenization(tok, simple, SAMPLE_SENTENCES, 77, simple.eot_token_id) == []
    long = tok.encode(SAMPLE_SENTENCES[-1]).ids
    assert len(long) == 77 and long[0] == 49406 and long[-1] == 49407


def test_causal_clip_package_pads_to_context_length(tiny_clip):
    loaded, res = tiny_clip
    t = res.manifest['text']
    # the traced nn.MultiheadAttention pins the sequence length, so the probe must have chosen fixed padding
    assert t['attentionMask'] is None and t['padToContextLength'] is True
    assert (t['padId'], t['bosId'], t['eosId']) == (0, 49406, 49407)
    assert res.parity['minCosineText'] >= 0.9999 and res.parity['minCosineImage'] >= 0.9999
    assert verify_package(res.dir) == []


def test_unknown_model_name_lists_close_matches(capsys, tmp_path):
    with pytest.raises(ExportError, match=r"unknown open_clip model 'ViT-B-33'.*ViT-B-32"):
        load_model('ViT-B-33')
    assert main(['ViT-B-33', '--out', str(tmp_path / 'x')]) == 2
    assert 'Close matches' in capsys.readouterr().err
    assert not (tmp_path / 'x').exists()


def test_checkpoint_for_another_architecture_is_refused(tmp_path):
    ckpt = tmp_path / 'tiny.pt'
    torch.save(seeded_loaded_model('geosift-tiny-clip').model.state_dict(), ckpt)
    with pytest.raises(ExportError, match=r'does not fit architecture .ViT-B-32.*missing|does not fit.*shapes'):
        load_model('ViT-B-32', pretrained=str(ckpt))


def test_opset_outside_range_or_too_old_for_an_operator(tokenizer_dir, tmp_path):
    loaded = seeded_loaded_model(TINY_XLMR_ARCH, tokenizer_dir)
    with pytest.raises(ExportError, match='outside 14..20'):
        write_package(loaded, tmp_path / 'p', ExportOptions(opset=9))
    _, text, _ = _wrappers(loaded.model)
    ids = torch.tensor([[0, 5, 6, 2]])
    # scaled-dot-product attention needs opset 14: the exporter's refusal becomes an actionable message
    with pytest.raises(ExportError, match=r'cannot be written at ONNX opset 13.*newer --opset'):
        _export(text, (ids, torch.ones_like(ids)), tmp_path / 't.onnx', ['input_ids', 'attention_mask'], 'e', {}, 13)


def test_failed_export_leaves_nothing_that_looks_like_a_package(tokenizer_dir, tmp_path):
    loaded = seeded_loaded_model(TINY_XLMR_ARCH, tokenizer_dir)
    broken = LoadedModel(loaded.model, loaded.tokenizer, loaded.arch, loaded.source, loaded.info,
                         dict(loaded.preprocess, size=48))  # wrong input size: the vision graph cannot be traced
    with pytest.raises(ExportError):
        write_package(broken, tmp_path / 'pkg', ExportOptions())
    assert list(tmp_path.iterdir()) == []


def test_existing_package_is_not_replaced_without_force(tiny_clip, tmp_path):
    _, res = tiny_clip
    with pytest.raises(ExportError, match='already exists; pass --force'):
        write_package(tiny_clip[0], res.dir, ExportOptions())
    assert verify_package(res.dir, run=False) == []


def test_tampered_file_fails_the_package_check(tiny_clip, tmp_path):
    import shutil

    _, res = tiny_clip
    copy = tmp_path / 'copy'
    shutil.copytree(res.dir, copy)
    with open(copy / 'tokenizer.json', 'a', encoding='utf-8') as f:
        f.write(' ')
    assert verify_package(copy, run=False) == ['tokenizer.json does not match its sha256/size in model.json']
    (copy / 'model.json').unlink()
    assert 'is missing' in verify_package(copy)[0]


def test_reference_check_runs_the_published_examples_through_a_package(tiny_xlmr):
    from geosift_models.export import data_dir
    from geosift_models.reference_check import run

    _, res = tiny_xlmr
    results = run(res.dir, data_dir() / 'rs-m-clip-samples')
    assert [r['language'] for r in results] == ['en', 'es']
    for r in results:
        assert len(r['queries']) in (5, 6)
        assert sum(q['percent'] for q in r['queries']) == pytest.approx(100, abs=0.5)
