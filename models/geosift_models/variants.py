"""Adds reduced-precision graphs to an existing model package, without exporting it again.

    python -m geosift_models.variants add-int8 PACKAGE_DIR [--probe IMG ...]

writes PACKAGE_DIR/vision.int8.onnx (onnxruntime dynamic quantization of the MatMul weights, as `export --int8` does),
lists it in model.json `files` (sha256 and size, so the engine checks it like every other file) and in
`provenance.variants` with its cosine to the fp32 graph on probe images, then verifies the package. The engine runs it
with `--precision int8` (`visionPrecision: 'int8'`). Cosines on a few probes are not a quality measure: measure the
zero-shot accuracy of both graphs on an evaluation set before relying on int8 (issue 7 asks for a loss under 1 point).
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from .errors import ExportError
from .export import MANIFEST_FILE, _session, _sha256, cosines, verify_package

INT8_VISION = 'vision.int8.onnx'


def _probes(m: dict, images: Sequence[Path]) -> np.ndarray:
    """Probe pixels in the package's own preprocessing (squash-resized, normalised), else seeded noise."""
    v = m['vision']
    size = v['imageSize']
    if images:
        from PIL import Image

        mean = np.array(v['mean'], np.float32)[:, None, None]
        std = np.array(v['std'], np.float32)[:, None, None]
        out = []
        for f in images:
            a = np.asarray(Image.open(f).convert('RGB').resize((size, size), Image.BICUBIC), np.float32) / 255
            out.append((a.transpose(2, 0, 1) - mean) / std)
        return np.stack(out).astype(np.float32)
    return np.random.default_rng(0).standard_normal((3, 3, size, size)).astype(np.float32)


def add_int8_vision(package: Path, probe_images: Sequence[Path] = (), force: bool = False) -> dict:
    """Quantizes the package's vision graph and records it; returns the variant's manifest entry."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    package = Path(package)
    mpath = package / MANIFEST_FILE
    if not mpath.is_file():
        raise ExportError(f'{package} is not a model package: {MANIFEST_FILE} is missing')
    m = json.loads(mpath.read_text('utf-8'))
    base = m['vision']['file']
    out = package / INT8_VISION
    if out.exists() and not force:
        raise ExportError(f'{out} exists; pass --force to quantize again')
    logging.getLogger().setLevel(logging.ERROR)  # quantize_dynamic's pre-processing advice is noise here
    tmp = package / (INT8_VISION + '.tmp')
    quantize_dynamic(str(package / base), str(tmp), op_types_to_quantize=['MatMul'], weight_type=QuantType.QInt8)
    pixels = _probes(m, probe_images)
    inp = m['vision']['input']
    cos = cosines(_session(tmp).run(None, {inp: pixels})[0], _session(package / base).run(None, {inp: pixels})[0])
    tmp.replace(out)
    entry = {'file': INT8_VISION, 'of': base, 'kind': 'int8-dynamic-matmul', 'bytes': out.stat().st_size,
             'minCosineVsFp32': float(cos.min()), 'meanCosineVsFp32': float(cos.mean()),
             'meanCosineLoss': float(1 - cos.mean()),
             'note': 'onnxruntime dynamic quantization of MatMul weights, added by geosift_models.variants; cosine vs the '
                     'fp32 graph on ' + (f'{len(probe_images)} probe images' if probe_images else '3 noise probes')}
    m['files'][INT8_VISION] = {'sha256': _sha256(out), 'bytes': out.stat().st_size}
    m['files'] = dict(sorted(m['files'].items()))
    prov = m.setdefault('provenance', {})
    prov['variants'] = [v for v in prov.get('variants', []) if v.get('file') != INT8_VISION] + [entry]
    tmpm = package / (MANIFEST_FILE + '.tmp')
    tmpm.write_text(json.dumps(m, indent=2, ensure_ascii=False) + '\n', encoding='utf-8')
    tmpm.replace(mpath)
    problems = verify_package(package, run=False)
    if problems:
        raise ExportError('package failed its check after adding the int8 graph: ' + '; '.join(problems))
    return entry


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog='python -m geosift_models.variants', description=__doc__.split('\n\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    a = sub.add_parser('add-int8', help='add vision.int8.onnx to a package')
    a.add_argument('package', type=Path)
    a.add_argument('--probe', type=Path, nargs='*', default=[], help='images to compare fp32 and int8 embeddings on')
    a.add_argument('--force', action='store_true', help='replace an existing int8 graph')
    args = ap.parse_args(argv)
    try:
        e = add_int8_vision(args.package, args.probe, args.force)
    except ExportError as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(f"{args.package / e['file']}: {e['bytes'] / 1e6:.1f} MB, cosine vs fp32 min {e['minCosineVsFp32']:.5f} "
          f"mean {e['meanCosineVsFp32']:.5f}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
