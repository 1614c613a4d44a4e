"""Runs the RS-M-CLIP authors' two published examples through an exported package with ONNX Runtime (Python)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from .export import _pad, _session, data_dir

# The RS-M-CLIP README computes softmax(100 * cosine), not the checkpoint's learned logit scale.
README_SCALE = 100.0


def _pixels(manifest: dict, image: Path) -> np.ndarray:
    from ._env import import_open_clip

    v = manifest['vision']
    tf = import_open_clip().image_transform(
        v['imageSize'], is_train=False, mean=v['mean'], std=v['std'],
        resize_mode='shortest' if v['resizeMode'] == 'shortest-center-crop' else 'squash',
        interpolation=v['interpolation'])
    from PIL import Image

    return tf(Image.open(image).convert('RGB')).numpy()[None]


def run(package: Path, samples: Path) -> list[dict]:
    """Per example: each query's percentage from the package next to the authors' printed percentage."""
    from tokenizers import Tokenizer

    m = json.loads((package / 'model.json').read_text('utf-8'))
    expected = json.loads((samples / 'expected_outputs.json').read_text('utf-8'))
    vs, ts = _session(package / m['vision']['file']), _session(package / m['text']['file'])
    tok = Tokenizer.from_file(str(package / m['text']['tokenizer']))
    t = m['text']
    results = []
    for ex in expected['examples']:
        img = vs.run(None, {m['vision']['input']: _pixels(m, samples / ex['image'])})[0][0]
        queries = [q['text'] for q in ex['queries']]
        rows = [e.ids for e in tok.encode_batch(queries)]
        ids, mask = _pad(rows, t['contextLength'] if t['padToContextLength'] else max(map(len, rows)), t['padId'])
        feed = {t['inputIds']: ids, **({t['attentionMask']: mask} if t['attentionMask'] else {})}
        txt = ts.run(None, feed)[0]
        img = img / np.linalg.norm(img)
        txt = txt / np.linalg.norm(txt, axis=1, keepdims=True)
        logits = README_SCALE * (txt @ img)
        probs = np.exp(logits - logits.max())
        probs = 100 * probs / probs.sum()
        results.append({'image': ex['image'], 'language': ex['language'], 'queries': [
            {'text': q['text'], 'percent': round(float(p), 1), 'expected': q['prob_percent']}
            for q, p in zip(ex['queries'], probs)]})
    return results


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog='python -m geosift_models.reference_check', description=__doc__)
    ap.add_argument('package', type=Path, help='exported package folder (contains model.json)')
    ap.add_argument('--samples', type=Path, default=None, help='folder with expected_outputs.json and figs/')
    args = ap.parse_args(argv)
    samples = args.samples or data_dir() / 'rs-m-clip-samples'
    ok = True
    for ex in run(args.package, samples):
        print(f"{ex['image']} ({ex['language']})")
        for q in ex['queries']:
            good = abs(q['percent'] - q['expected']) <= 0.1
            ok &= good
            print(f"  {q['text']:<60} {q['percent']:5.1f}%  expected {q['expected']:5.1f}%  {'ok' if good else 'DIFFERS'}")
    print('reference check ' + ('passed' if ok else 'FAILED (expected with anything but the real RS-M-CLIP weights)'))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
