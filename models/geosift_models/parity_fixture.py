"""Writes the seeded RS-M-CLIP-architecture package plus PyTorch reference outputs for the TypeScript parity check."""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from ._env import import_open_clip, offline
from .export import (PARITY_MIN_COSINE, ExportOptions, _pad, _session, data_dir, verify_package,
                     write_package)
from .seeded import RS_M_CLIP_ARCH, build_unigram_tokenizer, seeded_loaded_model
from .tokenizer_export import SAMPLE_SENTENCES

SEED = 0
IMAGES = ['airplane/airplane00.jpg', 'golfcourse/golfcourse00.jpg', 'harbor/harbor00.jpg']
QUERIES = [SAMPLE_SENTENCES[i] for i in (0, 3, 5, 9, 10, 11, 12, 19)]


def source_hash() -> str:
    """Hash of the exporter's own source, so cached fixtures are rebuilt when the tooling changes."""
    h = hashlib.sha256()
    for f in sorted(Path(__file__).parent.glob('*.py')):
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()


def build(out: Path, arch: str = RS_M_CLIP_ARCH, log=None) -> dict:
    """Exports the package to out/package and writes out/expected.json and out/pixels-*.f32; returns the summary."""
    import torch

    offline()
    oc = import_open_clip()
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    tok_dir = build_unigram_tokenizer(out / 'tokenizer-src')
    loaded = seeded_loaded_model(arch, tok_dir, SEED)
    build_s = time.perf_counter() - t0
    root = data_dir() / 'ucmerced' / 'images'
    images = [root / p for p in IMAGES]
    missing = [str(p) for p in images if not p.is_file()]
    if missing:
        raise SystemExit(f'UC Merced images not found: {", ".join(missing)} (set GEOSIFT_DATA)')
    t0 = time.perf_counter()
    res = write_package(loaded, out / 'package', ExportOptions(force=True, probe_images=images, log=log))
    export_s = time.perf_counter() - t0
    man = res.manifest
    p = loaded.preprocess
    from PIL import Image

    tf = oc.image_transform(p['size'], is_train=False, mean=p['mean'], std=p['std'],
                            resize_mode='shortest', interpolation=p['interpolation'])
    model = loaded.model.eval()
    img_entries = []
    pixels = []
    for rel, path in zip(IMAGES, images):
        t = tf(Image.open(path).convert('RGB'))
        arr = t.numpy().astype('<f4')
        pixels.append(arr)
        name = f"pixels-{rel.split('/')[-1].rsplit('.', 1)[0]}.f32"
        (out / name).write_bytes(arr.tobytes())
        with torch.no_grad():
            emb = torch.nn.functional.normalize(model.encode_image(t[None]), dim=-1)[0].numpy()
        img_entries.append({
            'image': f'ucmerced/images/{rel}', 'sourceSize': list(Image.open(path).size),
            'pixelsFile': name, 'pixelsShape': list(arr.shape), 'pixelsDtype': 'float32-le',
            'pixelsSha256': hashlib.sha256(arr.tobytes()).hexdigest(),
            'pixelsMean': float(arr.mean()), 'embedding': [float(v) for v in emb]})
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(out / 'package' / 'tokenizer.json'))
    rows = [e.ids for e in tok.encode_batch(QUERIES)]
    ids, mask = _pad(rows, max(map(len, rows)), man['text']['padId'])
    with torch.no_grad():
        oc_ids = loaded.tokenizer(QUERIES, context_length=man['text']['contextLength'])
        temb = torch.nn.functional.normalize(model.encode_text(oc_ids), dim=-1).numpy()
    text_entries = [{'text': q, 'ids': r, 'attentionMask': [1] * len(r), 'embedding': [float(v) for v in e]}
                    for q, r, e in zip(QUERIES, rows, temb)]

    # ONNX Runtime (Python) on the same inputs, and CPU latency per image and per query
    pk = out / 'package'
    vs, ts = _session(pk / man['vision']['file']), _session(pk / man['text']['file'])
    ort_img = vs.run(None, {man['vision']['input']: np.stack(pixels)})[0]
    ort_txt = ts.run(None, {man['text']['inputIds']: ids, man['text']['attentionMask']: mask})[0]
    ref_img = np.array([e['embedding'] for e in img_entries], np.float32)
    cos_img, cos_txt = (ort_img * ref_img).sum(-1), (ort_txt * temb).sum(-1)
    one = np.stack(pixels)[:1]
    vs.run(None, {man['vision']['input']: one})
    t0 = time.perf_counter()
    for _ in range(5):
        vs.run(None, {man['vision']['input']: one})
    img_ms = (time.perf_counter() - t0) / 5 * 1000
    q_ids, q_mask = ids[:1, :len(rows[0])], mask[:1, :len(rows[0])]
    ts.run(None, {man['text']['inputIds']: q_ids, man['text']['attentionMask']: q_mask})
    t0 = time.perf_counter()
    for _ in range(10):
        ts.run(None, {man['text']['inputIds']: q_ids, man['text']['attentionMask']: q_mask})
    q_ms = (time.perf_counter() - t0) / 10 * 1000

    expected = {
        'about': 'PyTorch (open_clip) reference outputs for the seeded RS-M-CLIP-architecture package in package/. '
                 'Random weights and a local Unigram tokenizer: this checks the pipeline, not the real model.',
        'generator': 'python -m geosift_models.parity_fixture',
        'architecture': arch, 'seed': SEED, 'sourceHash': source_hash(),
        'dataDirRelative': 'images are relative to the data dir (env GEOSIFT_DATA or <repo>/../shared/data)',
        'preprocess': {'resize': f"shortest side to {p['size']}, {p['interpolation']} (PIL, antialiased)",
                       'crop': 'centre', 'mean': p['mean'], 'std': p['std'], 'layout': 'CHW'},
        'minCosine': PARITY_MIN_COSINE,
        'images': img_entries,
        'texts': text_entries,
        'pythonOnnxRuntime': {
            'minCosineImage': float(cos_img.min()), 'minCosineText': float(cos_txt.min()),
            'maxAbsDiffImage': float(np.abs(ort_img - ref_img).max()),
            'maxAbsDiffText': float(np.abs(ort_txt - temb).max())},
        'timings': {'buildSeededModelS': round(build_s, 2), 'exportAndVerifyS': round(export_s, 2),
                    'sessionStartS': round(res.timings_s.get('sessionStart', 0), 3),
                    'cpuMsPerImage': round(img_ms, 1), 'cpuMsPerQuery': round(q_ms, 1)},
        'fileBytes': {k: v['bytes'] for k, v in man['files'].items()},
    }
    (out / 'expected.json').write_text(json.dumps(expected, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')
    problems = verify_package(pk, run=False)
    if problems:
        raise SystemExit('package check failed: ' + '; '.join(problems))
    return expected


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog='python -m geosift_models.parity_fixture', description=__doc__)
    ap.add_argument('--out', required=True, type=Path)
    args = ap.parse_args(argv)
    e = build(args.out, log=sys.stderr)
    print(json.dumps({'pythonOnnxRuntime': e['pythonOnnxRuntime'], 'timings': e['timings'],
                      'fileBytes': e['fileBytes']}, indent=1))
    return 0


if __name__ == '__main__':
    sys.exit(main())
