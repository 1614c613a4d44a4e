"""Exports an open_clip model to a Geosift model package (vision.onnx, text.onnx, tokenizer.json, model.json)."""
from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import math
import os
import shutil
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np

from . import __version__
from ._env import import_open_clip
from .errors import ExportError
from .registry import SourceInfo, source_info
from .tokenizer_export import SAMPLE_SENTENCES, compare_tokenization, from_hf_tokenizer, from_simple_tokenizer

DEFAULT_OPSET = 17
# onnxruntime-node 1.30 runs opsets up to 23; the TorchScript exporter writes at most 20.
MAX_OPSET = 20
MIN_OPSET = 14
PARITY_MIN_COSINE = 0.9999
FORMAT_VERSION = 1

VISION_FILE, TEXT_FILE, TOKENIZER_FILE, MANIFEST_FILE, LICENSE_FILE = (
    'vision.onnx', 'text.onnx', 'tokenizer.json', 'model.json', 'LICENSE')
VISION_INPUT, VISION_OUTPUT = 'pixels', 'image_embedding'
TEXT_IDS, TEXT_MASK, TEXT_OUTPUT = 'input_ids', 'attention_mask', 'text_embedding'


@dataclass
class LoadedModel:
    """An open_clip model ready to export, with everything the manifest needs to describe it."""

    model: Any
    tokenizer: Any
    arch: str
    source: str
    info: SourceInfo
    preprocess: dict
    extra_provenance: dict = field(default_factory=dict)


@dataclass
class ExportOptions:
    opset: int = DEFAULT_OPSET
    fp16: bool = False
    int8: bool = False
    force: bool = False
    probe_images: Sequence[Path] = ()
    log: Any = None

    def say(self, msg: str) -> None:
        if self.log is not None:
            print(msg, file=self.log, flush=True)


@dataclass
class ExportResult:
    dir: Path
    manifest: dict
    timings_s: dict
    parity: dict


# ---------------------------------------------------------------- loading


def _is_path(value: str) -> bool:
    return os.sep in value or value.endswith(('.pt', '.pth', '.bin', '.safetensors', '.ckpt'))


def _checkpoint_mismatch(model: Any, path: Path) -> Optional[str]:
    """Describes how the checkpoint's tensors differ from the model's, or None when they fit."""
    from open_clip.factory import load_state_dict

    try:
        sd = load_state_dict(str(path), device='cpu', weights_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable file gets the same actionable message
        raise ExportError(f'cannot read checkpoint {path}: {e}') from e
    want = model.state_dict()
    ignorable = ('position_ids',)
    missing = [k for k in want if k not in sd and not k.endswith(ignorable)]
    unexpected = [k for k in sd if k not in want and not k.endswith(ignorable)]
    wrong = [f'{k} {tuple(sd[k].shape)} vs {tuple(want[k].shape)}' for k in want
             if k in sd and hasattr(sd[k], 'shape') and tuple(sd[k].shape) != tuple(want[k].shape)]
    if not (missing or unexpected or wrong):
        return None
    parts = []
    if missing:
        parts.append(f'{len(missing)} missing (e.g. {", ".join(missing[:3])})')
    if unexpected:
        parts.append(f'{len(unexpected)} unexpected (e.g. {", ".join(unexpected[:3])})')
    if wrong:
        parts.append(f'{len(wrong)} with other shapes (e.g. {"; ".join(wrong[:3])})')
    return '; '.join(parts)


def _preprocess_of(model: Any) -> dict:
    from open_clip.model import get_model_preprocess_cfg

    cfg = dict(get_model_preprocess_cfg(model))
    size = cfg.get('size', 224)
    if isinstance(size, (tuple, list)):
        if size[0] != size[1]:
            raise ExportError(f'non-square model input {size} is not supported by the Geosift manifest')
        size = size[0]
    resize = cfg.get('resize_mode', 'shortest')
    modes = {'shortest': 'shortest-center-crop', 'squash': 'squash'}
    if resize not in modes:
        raise ExportError(f"open_clip resize_mode '{resize}' has no Geosift equivalent (supported: shortest, squash)")
    interp = cfg.get('interpolation', 'bicubic')
    if interp not in ('bicubic', 'bilinear'):
        raise ExportError(f"open_clip interpolation '{interp}' has no Geosift equivalent (bicubic, bilinear)")
    return {'size': int(size), 'mean': [float(v) for v in cfg['mean']], 'std': [float(v) for v in cfg['std']],
            'resizeMode': modes[resize], 'interpolation': interp}


def load_model(model_name: str, pretrained: Optional[str] = None) -> LoadedModel:
    """Loads an open_clip model by built-in name (with a pretrained tag or checkpoint file) or hf-hub:/local-dir: id."""
    oc = import_open_clip()
    from open_clip.factory import parse_model_name

    schema, identifier = parse_model_name(model_name)
    if schema is None and model_name not in oc.list_models():
        close = difflib.get_close_matches(model_name, oc.list_models(), n=5, cutoff=0.5)
        hint = f' Close matches: {", ".join(close)}.' if close else ''
        raise ExportError(f"unknown open_clip model '{model_name}'.{hint} Use a name from open_clip.list_models() "
                          "or an 'hf-hub:org/repo' id.")
    extra: dict = {}
    try:
        return _load(oc, model_name, pretrained, schema, identifier, extra)
    except (OSError, RuntimeError, ValueError) as e:
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        offline = ' (HF_HUB_OFFLINE is set)' if os.environ.get('HF_HUB_OFFLINE') == '1' else ''
        raise ExportError(f"could not load '{model_name}': {first[:400]}. Weights and configs come from "
                          f'huggingface.co or the checkpoint URL and need internet access{offline}.') from e


def _load(oc: Any, model_name: str, pretrained: Optional[str], schema: Optional[str], identifier: str,
          extra: dict) -> LoadedModel:
    if schema is not None:
        model = oc.create_model(model_name)
        source = model_name
    elif pretrained and _is_path(pretrained):
        path = Path(pretrained)
        if not path.is_file():
            raise ExportError(f'checkpoint file not found: {path}')
        model = oc.create_model(model_name, pretrained=None, pretrained_text=False)
        mismatch = _checkpoint_mismatch(model, path)
        if mismatch:
            raise ExportError(f"checkpoint {path} does not fit architecture '{model_name}': {mismatch}. "
                              'Pick the model name the checkpoint was trained with.')
        from open_clip.factory import load_checkpoint

        load_checkpoint(model, str(path), strict=False)
        source = f'{model_name} + {path.name}'
        extra['checkpointSha256'] = _sha256(path)
    else:
        tags = oc.list_pretrained_tags_by_model(model_name)
        if not pretrained:
            raise ExportError(f"'{model_name}' needs --pretrained: a tag ({', '.join(tags) or 'none published'}) "
                              'or a checkpoint file')
        if pretrained not in tags:
            raise ExportError(f"'{pretrained}' is not a pretrained tag of '{model_name}' "
                              f"(tags: {', '.join(tags) or 'none'}) nor an existing checkpoint file")
        model = oc.create_model(model_name, pretrained=pretrained)
        source = f'open_clip:{model_name}:{pretrained}'
    model.eval()
    tokenizer = oc.get_tokenizer(model_name)
    info = source_info(model_name, pretrained) or SourceInfo(
        id=_slug(source), name=source, license='unknown (set it in model.json before distributing)', languages=['en'])
    arch = identifier if schema is None else model_name
    return LoadedModel(model, tokenizer, arch, source, info, _preprocess_of(model), extra)


def _slug(text: str) -> str:
    out = ''.join(c.lower() if c.isalnum() else '-' for c in text)
    return '-'.join(p for p in out.split('-') if p)[:64]


# ---------------------------------------------------------------- graphs


def _wrappers(model: Any):
    import torch
    import torch.nn.functional as F

    class Vision(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.m = model

        def forward(self, pixels):
            return F.normalize(self.m.encode_image(pixels), dim=-1)

    hf = getattr(getattr(model, 'text', None), 'transformer', None) is not None and hasattr(model.text, 'pooler')

    class HfText(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.t = model.text

        def forward(self, input_ids, attention_mask):
            out = self.t.transformer(input_ids=input_ids, attention_mask=attention_mask)
            return F.normalize(self.t.proj(self.t.pooler(out, attention_mask)), dim=-1)

    class CausalText(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.m = model

        def forward(self, input_ids):
            # Causal towers read features at the end-of-text token; traced nn.MultiheadAttention pins
            # the sequence length, so these graphs take contextLength-padded ids (the probe decides).
            return F.normalize(self.m.encode_text(input_ids), dim=-1)

    # eval(): torch.onnx.export restores each module's training flag afterwards, and a fresh wrapper
    # would otherwise switch the wrapped model into training mode (dropout on) once the export ends.
    return Vision().eval(), (HfText() if hf else CausalText()).eval(), hf


def _export(module: Any, args: tuple, path: Path, inputs: list[str], output: str, axes: dict, opset: int) -> None:
    import torch

    # nn.MultiheadAttention's fused inference fast path has no ONNX symbolic; the plain path does.
    fastpath = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter('ignore')
            torch.onnx.export(module, args, str(path), input_names=inputs, output_names=[output],
                              dynamic_axes=axes, opset_version=opset, do_constant_folding=True, dynamo=False)
    except Exception as e:  # noqa: BLE001
        text = str(e)
        if 'opset' in text.lower() or 'not supported' in text.lower() or type(e).__name__.startswith(('Unsupported', 'Symbolic')):
            raise ExportError(f'{path.name} cannot be written at ONNX opset {opset}: {text.splitlines()[0]}. '
                              f'Try a newer --opset (up to {MAX_OPSET}; onnxruntime-node 1.30 reads up to 23).') from e
        raise ExportError(f'exporting {path.name} failed: {text.splitlines()[0] if text else type(e).__name__}') from e
    finally:
        torch.backends.mha.set_fastpath_enabled(fastpath)


def _check_opset_range(opset: int) -> None:
    if not MIN_OPSET <= opset <= MAX_OPSET:
        raise ExportError(f'--opset {opset} is outside {MIN_OPSET}..{MAX_OPSET}: attention needs opset >= {MIN_OPSET}; '
                          f'the exporter writes at most {MAX_OPSET} (onnxruntime-node 1.30 reads up to 23)')


# ---------------------------------------------------------------- probes


def _probe_pixels(loaded: LoadedModel, images: Sequence[Path]) -> np.ndarray:
    """open_clip-preprocessed probe images (real ones when given, else seeded noise), NCHW float32."""
    import torch

    oc = import_open_clip()
    p = loaded.preprocess
    if images:
        from PIL import Image

        tf = oc.image_transform(p['size'], is_train=False, mean=p['mean'], std=p['std'],
                                resize_mode='shortest' if p['resizeMode'] == 'shortest-center-crop' else 'squash',
                                interpolation=p['interpolation'])
        return torch.stack([tf(Image.open(f).convert('RGB')) for f in images]).numpy()
    rng = np.random.default_rng(0)
    return rng.standard_normal((3, 3, p['size'], p['size'])).astype(np.float32)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=-1, keepdims=True)
    b = b / np.linalg.norm(b, axis=-1, keepdims=True)
    return (a * b).sum(-1)


def _pad(rows: list[list[int]], length: int, pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    ids = np.full((len(rows), length), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), length), dtype=np.int64)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = r
        mask[i, :len(r)] = 1
    return ids, mask


def _session(path: Path):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), opts, providers=['CPUExecutionProvider'])


def _text_feed(sess: Any, ids: np.ndarray, mask: np.ndarray) -> dict:
    names = [i.name for i in sess.get_inputs()]
    feed = {TEXT_IDS: ids}
    if TEXT_MASK in names:
        feed[TEXT_MASK] = mask
    return feed


# ---------------------------------------------------------------- package


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def _special_ids(loaded: LoadedModel) -> tuple[int, Optional[int], Optional[int], str]:
    tok = loaded.tokenizer
    if hasattr(tok, 'tokenizer'):  # open_clip HFTokenizer
        hf = tok.tokenizer
        bos = hf.bos_token_id if hf.bos_token_id is not None else hf.cls_token_id
        eos = hf.eos_token_id if hf.eos_token_id is not None else hf.sep_token_id
        pad = hf.pad_token_id
        if pad is None:
            raise ExportError(f'tokenizer {type(hf).__name__} has no pad token')
        return int(pad), bos, eos, 'huggingface'
    if hasattr(tok, 'sot_token_id'):
        return 0, int(tok.sot_token_id), int(tok.eot_token_id), 'open_clip SimpleTokenizer (OpenAI CLIP BPE)'
    raise ExportError(f'tokenizer {type(tok).__name__} is not supported (only HFTokenizer and SimpleTokenizer)')


def _context_length(loaded: LoadedModel) -> int:
    cl = getattr(loaded.tokenizer, 'context_length', None) or getattr(loaded.model, 'context_length', None)
    if not cl:
        raise ExportError('cannot tell the text context length of this model')
    return int(cl)


def write_package(loaded: LoadedModel, out: Path, options: ExportOptions) -> ExportResult:
    """Exports, verifies against PyTorch, and only then renames the finished package to out."""
    _check_opset_range(options.opset)
    out = Path(out)
    if out.exists() and not options.force:
        raise ExportError(f'{out} already exists; pass --force to replace it')
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f'.{out.name}.partial-', dir=out.parent))
    try:
        result = _build(loaded, tmp, options)
        os.chmod(tmp, 0o755)  # mkdtemp makes it owner-only
        if out.exists():
            trash = Path(tempfile.mkdtemp(prefix=f'.{out.name}.old-', dir=out.parent))
            os.rename(out, trash / 'pkg')
            os.rename(tmp, out)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.rename(tmp, out)
        result.dir = out
        return result
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _build(loaded: LoadedModel, d: Path, options: ExportOptions) -> ExportResult:
    import torch

    model = loaded.model.eval()
    timings: dict = {}
    pad_id, bos_id, eos_id, tok_kind = _special_ids(loaded)
    ctx = _context_length(loaded)
    size = loaded.preprocess['size']

    # tokenizer.json first: it is cheap and its mismatch is the commonest silent failure
    t0 = time.perf_counter()
    if tok_kind == 'huggingface':
        tok = from_hf_tokenizer(loaded.tokenizer, ctx)
    else:
        tok = from_simple_tokenizer(loaded.tokenizer, ctx)
    bad = compare_tokenization(tok, loaded.tokenizer, SAMPLE_SENTENCES, ctx, eos_id)
    if bad:
        raise ExportError('tokenizer.json does not reproduce open_clip tokenization: ' + ' | '.join(bad[:3]))
    tok.save(str(d / TOKENIZER_FILE))
    timings['tokenizer'] = time.perf_counter() - t0

    vision, text, hf_text = _wrappers(model)
    options.say(f'exporting {VISION_FILE} (opset {options.opset})...')
    t0 = time.perf_counter()
    _export(vision, (torch.zeros(2, 3, size, size),), d / VISION_FILE, [VISION_INPUT], VISION_OUTPUT,
            {VISION_INPUT: {0: 'batch'}, VISION_OUTPUT: {0: 'batch'}}, options.opset)
    timings['exportVision'] = time.perf_counter() - t0

    # trace with padding present so that no "mask is all ones" shortcut gets baked into the graph
    rows = [e.ids for e in tok.encode_batch(['a satellite photo of a harbour.', 'golf'])]
    sample_ids, sample_mask = _pad(rows, ctx, pad_id)
    options.say(f'exporting {TEXT_FILE}...')
    t0 = time.perf_counter()
    if hf_text:
        _export(text, (torch.from_numpy(sample_ids), torch.from_numpy(sample_mask)), d / TEXT_FILE,
                [TEXT_IDS, TEXT_MASK], TEXT_OUTPUT,
                {TEXT_IDS: {0: 'batch', 1: 'sequence'}, TEXT_MASK: {0: 'batch', 1: 'sequence'},
                 TEXT_OUTPUT: {0: 'batch'}}, options.opset)
    else:
        _export(text, (torch.from_numpy(sample_ids),), d / TEXT_FILE, [TEXT_IDS], TEXT_OUTPUT,
                {TEXT_IDS: {0: 'batch', 1: 'sequence'}, TEXT_OUTPUT: {0: 'batch'}}, options.opset)
    timings['exportText'] = time.perf_counter() - t0

    # ---- verify against PyTorch (open_clip's own encode_* on open_clip's own padded tokens)
    model.eval()
    t0 = time.perf_counter()
    pixels = _probe_pixels(loaded, options.probe_images)
    with torch.no_grad():
        ref_img = torch.nn.functional.normalize(model.encode_image(torch.from_numpy(pixels)), dim=-1).numpy()
        oc_ids = loaded.tokenizer(SAMPLE_SENTENCES, context_length=ctx)
        ref_txt = torch.nn.functional.normalize(model.encode_text(oc_ids), dim=-1).numpy()
    t_sess = time.perf_counter()
    vs = _session(d / VISION_FILE)
    ts = _session(d / TEXT_FILE)
    timings['sessionStart'] = time.perf_counter() - t_sess
    got_img = np.concatenate([vs.run(None, {VISION_INPUT: pixels[i:i + 1]})[0] for i in range(len(pixels))]
                             + [vs.run(None, {VISION_INPUT: pixels})[0]])
    img_cos = cosines(got_img, np.concatenate([ref_img, ref_img]))
    rows = [e.ids for e in tok.encode_batch(SAMPLE_SENTENCES)]
    full_ids, full_mask = _pad(rows, ctx, pad_id)
    got_full = ts.run(None, _text_feed(ts, full_ids, full_mask))[0]
    # padding only to the batch's longest text is allowed when it gives the same embeddings
    keep = [i for i, r in enumerate(rows) if len(r) < ctx]
    short_ids, short_mask = _pad([rows[i] for i in keep], max(len(rows[i]) for i in keep), pad_id)
    try:
        got_short = ts.run(None, _text_feed(ts, short_ids, short_mask))[0]
        short_cos = cosines(got_short, ref_txt[keep])
    except Exception:  # noqa: BLE001 - a graph with a fixed sequence length fails here; that decides padding
        short_cos = np.zeros(len(rows))
    full_cos = cosines(got_full, ref_txt)
    pad_to_ctx = bool(short_cos.min() < PARITY_MIN_COSINE)
    if img_cos.min() < PARITY_MIN_COSINE or full_cos.min() < PARITY_MIN_COSINE:
        worst = SAMPLE_SENTENCES[int(full_cos.argmin())]
        raise ExportError(f'ONNX Runtime output differs from PyTorch: min cosine image {img_cos.min():.6f}, '
                          f'text {full_cos.min():.6f} (worst text {worst[:40]!r}; per text {np.round(full_cos, 4).tolist()}) '
                          f'(need >= {PARITY_MIN_COSINE})')
    parity = {
        'minCosineImage': float(img_cos.min()), 'minCosineText': float(full_cos.min()),
        'minCosineTextPaddedToLongest': float(short_cos.min()),
        'maxAbsDiffImage': float(np.abs(got_img - np.concatenate([ref_img, ref_img])).max()),
        'maxAbsDiffText': float(np.abs(got_full - ref_txt).max()),
        'probeImages': [Path(p).name for p in options.probe_images] or 'seeded noise',
        'probeTexts': len(SAMPLE_SENTENCES),
    }
    timings['verify'] = time.perf_counter() - t0

    # ---- latency (CPU, single image / single query after one warm-up run)
    one_img = pixels[:1]
    q_ids, q_mask = _pad([rows[0]], ctx if pad_to_ctx else len(rows[0]), pad_id)
    vs.run(None, {VISION_INPUT: one_img})
    ts.run(None, _text_feed(ts, q_ids, q_mask))
    t0 = time.perf_counter()
    for _ in range(3):
        vs.run(None, {VISION_INPUT: one_img})
    timings['cpuImageLatency'] = (time.perf_counter() - t0) / 3
    t0 = time.perf_counter()
    for _ in range(5):
        ts.run(None, _text_feed(ts, q_ids, q_mask))
    timings['cpuQueryLatency'] = (time.perf_counter() - t0) / 5
    del vs, ts

    variants = []
    if options.int8:
        variants += _int8_variants(d, pixels, ref_img, full_ids, full_mask, ref_txt, options)
    if options.fp16:
        variants += _fp16_variants(d, pixels, ref_img, full_ids, full_mask, ref_txt, options)

    info = loaded.info
    (d / LICENSE_FILE).write_text(
        f'Model weights: {info.license}\nSource: {loaded.source}\n'
        + (f"Cite: {info.provenance['citation']}\n" if 'citation' in info.provenance else '')
        + 'The ONNX graphs are a format conversion of these weights and carry the same licence.\n',
        encoding='utf-8')
    files = {}
    for p in sorted(d.iterdir()):
        if p.is_file() and p.name != MANIFEST_FILE:
            files[p.name] = {'sha256': _sha256(p), 'bytes': p.stat().st_size}
    logit_scale = float(model.logit_scale.exp().item()) if hasattr(model, 'logit_scale') else 100.0
    import onnxruntime
    import open_clip
    import transformers

    manifest = {
        'format': 'geosift-model',
        'formatVersion': FORMAT_VERSION,
        'id': info.id,
        'name': info.name,
        **({'description': info.description} if info.description else {}),
        'source': loaded.source,
        'license': info.license,
        'embeddingDim': int(ref_img.shape[1]),
        'outputsNormalized': True,
        'logitScale': logit_scale,
        'vision': {
            'file': VISION_FILE, 'input': VISION_INPUT, 'output': VISION_OUTPUT, 'imageSize': size,
            'mean': loaded.preprocess['mean'], 'std': loaded.preprocess['std'],
            'resizeMode': loaded.preprocess['resizeMode'], 'interpolation': loaded.preprocess['interpolation'],
            'bands': ['red', 'green', 'blue'], 'preferredGsdM': info.preferred_gsd_m,
        },
        'text': {
            'file': TEXT_FILE, 'inputIds': TEXT_IDS, 'attentionMask': TEXT_MASK if hf_text else None,
            'output': TEXT_OUTPUT, 'tokenizer': TOKENIZER_FILE, 'contextLength': ctx,
            'padToContextLength': pad_to_ctx, 'padId': pad_id, 'bosId': bos_id, 'eosId': eos_id,
            'pooling': 'inside-graph',
        },
        'languages': list(info.languages),
        'promptTemplates': info.templates(),
        'files': files,
        'provenance': {
            **info.provenance,
            **loaded.extra_provenance,
            'architecture': loaded.arch,
            'exporter': f'geosift_models.export {__version__}',
            'exportedAt': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
            'libraries': {'torch': torch.__version__, 'open_clip': open_clip.__version__,
                          'transformers': transformers.__version__, 'onnxruntime': onnxruntime.__version__},
            'opset': options.opset,
            'tokenizer': {
                'kind': tok_kind, 'truncation': f'to contextLength ({ctx}) including bos/eos',
                'padding': 'padId up to contextLength' if pad_to_ctx else 'padId up to the longest text in the batch',
                'textCleaning': 'ftfy character-width/ligature/quote fixes, HTML entities, NFC, whitespace collapse'
                                + (', lowercase' if 'Lowercase' in (d / TOKENIZER_FILE).read_text('utf-8') else '')
                                + ' are normalizers inside tokenizer.json; ftfy mojibake repair is not',
            },
            'textPooling': 'masked mean over tokens + projection' if hf_text
            else 'causal transformer, features at the end-of-text token + projection',
            'parity': parity,
            'timingsS': {k: round(v, 4) for k, v in timings.items()},
            'variants': variants,
        },
    }
    (d / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + '\n', encoding='utf-8')
    problems = verify_package(d)
    if problems:
        raise ExportError('package failed its own check: ' + '; '.join(problems))
    return ExportResult(d, manifest, timings, parity)


def _variant_entry(d: Path, name: str, kind: str, base: str, cos: np.ndarray, note: str) -> dict:
    p = d / name
    if not np.isfinite(cos).all():  # JSON has no NaN
        return {'file': name, 'of': base, 'kind': kind, 'bytes': p.stat().st_size, 'minCosineVsFp32': None,
                'meanCosineVsFp32': None, 'meanCosineLoss': None, 'note': note}
    return {'file': name, 'of': base, 'kind': kind, 'bytes': p.stat().st_size,
            'minCosineVsFp32': float(cos.min()), 'meanCosineVsFp32': float(cos.mean()),
            'meanCosineLoss': float(1 - cos.mean()), 'note': note}


def _int8_variants(d: Path, pixels, ref_img, ids, mask, ref_txt, options: ExportOptions) -> list[dict]:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out = []
    for base, name in ((VISION_FILE, 'vision.int8.onnx'), (TEXT_FILE, 'text.int8.onnx')):
        options.say(f'quantizing {name}...')
        quantize_dynamic(str(d / base), str(d / name), op_types_to_quantize=['MatMul'], weight_type=QuantType.QInt8)
        s = _session(d / name)
        if base == VISION_FILE:
            cos = cosines(s.run(None, {VISION_INPUT: pixels})[0], ref_img)
        else:
            cos = cosines(s.run(None, _text_feed(s, ids, mask))[0], ref_txt)
        out.append(_variant_entry(d, name, 'int8-dynamic-matmul', base, cos,
                                  'onnxruntime dynamic quantization of MatMul weights; cosine vs PyTorch fp32 on the probes'))
    return out


_FP16_PROBE = """
import sys, numpy as np, onnxruntime as ort
o = ort.SessionOptions(); o.log_severity_level = 3
s = ort.InferenceSession(sys.argv[1], o, providers=ort.get_available_providers())
feed = dict(np.load(sys.argv[2]))
np.save(sys.argv[3], s.run(None, {k: v for k, v in feed.items() if k in [i.name for i in s.get_inputs()]})[0])
"""


def _run_isolated(model: Path, feed: dict, work: Path) -> np.ndarray:
    # fp16 graphs can crash ONNX Runtime's CPU provider outright (segfault), so they run in a child process.
    import subprocess

    np.savez(work / 'feed.npz', **feed)
    r = subprocess.run([sys.executable, '-c', _FP16_PROBE, str(model), str(work / 'feed.npz'), str(work / 'out.npy')],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f'exit code {r.returncode}: {(r.stderr.strip().splitlines() or [""])[-1][:160]}')
    return np.load(work / 'out.npy')


def _fp16_variants(d: Path, pixels, ref_img, ids, mask, ref_txt, options: ExportOptions) -> list[dict]:
    import onnx
    from onnxruntime.transformers.float16 import convert_float_to_float16

    out = []
    with tempfile.TemporaryDirectory() as work:
        for base, name in ((VISION_FILE, 'vision.fp16.onnx'), (TEXT_FILE, 'text.fp16.onnx')):
            options.say(f'converting {name}...')
            m = convert_float_to_float16(onnx.load(str(d / base)), keep_io_types=True)
            onnx.save(m, str(d / name))
            feed = {VISION_INPUT: pixels} if base == VISION_FILE else {TEXT_IDS: ids, TEXT_MASK: mask}
            ref = ref_img if base == VISION_FILE else ref_txt
            try:
                cos = cosines(_run_isolated(d / name, feed, Path(work)), ref)
                note = 'fp16 weights and activations, fp32 inputs/outputs, for GPU providers; cosine vs PyTorch fp32'
            except Exception as e:  # noqa: BLE001
                cos = np.array([math.nan])
                note = f'fp16 for GPU providers; ONNX Runtime here could not run it on CPU ({e})'
            out.append(_variant_entry(d, name, 'fp16', base, cos, note))
    return out


# ---------------------------------------------------------------- checking a package


_MANIFEST_KEYS = {
    'format', 'formatVersion', 'id', 'name', 'source', 'license', 'embeddingDim', 'outputsNormalized',
    'logitScale', 'vision', 'text', 'languages', 'promptTemplates', 'files'}
_VISION_KEYS = {'file', 'input', 'output', 'imageSize', 'mean', 'std', 'resizeMode', 'interpolation', 'bands'}
_TEXT_KEYS = {'file', 'inputIds', 'attentionMask', 'output', 'tokenizer', 'contextLength', 'padToContextLength',
              'padId', 'bosId', 'eosId', 'pooling'}


def verify_package(d: Path, run: bool = True) -> list[str]:
    """Problems with the package in d (empty list = valid): manifest shape, hashes, ONNX names and shapes, a probe run."""
    d = Path(d)
    mpath = d / MANIFEST_FILE
    if not mpath.is_file():
        return [f'{mpath} is missing']
    try:
        m = json.loads(mpath.read_text('utf-8'))
    except json.JSONDecodeError as e:
        return [f'{mpath} is not valid JSON: {e}']
    problems = [f'model.json lacks field {k}' for k in sorted(_MANIFEST_KEYS - set(m))]
    problems += [f'model.json vision lacks {k}' for k in sorted(_VISION_KEYS - set(m.get('vision', {})))]
    problems += [f'model.json text lacks {k}' for k in sorted(_TEXT_KEYS - set(m.get('text', {})))]
    if problems:
        return problems
    if m['format'] != 'geosift-model' or m['formatVersion'] != FORMAT_VERSION:
        problems.append(f"model.json format {m['format']!r} v{m['formatVersion']} is not geosift-model v1")
    for name, entry in m['files'].items():
        p = d / name
        if not p.is_file():
            problems.append(f'{name} listed in model.json is missing')
        elif p.stat().st_size != entry['bytes'] or _sha256(p) != entry['sha256']:
            problems.append(f'{name} does not match its sha256/size in model.json')
    for f in (m['vision']['file'], m['text']['file'], m['text']['tokenizer']):
        if f not in m['files']:
            problems.append(f'{f} is not listed in model.json files')
    if problems or not run:
        return problems
    from tokenizers import Tokenizer

    v, t = m['vision'], m['text']
    vs, ts = _session(d / v['file']), _session(d / t['file'])
    if [i.name for i in vs.get_inputs()] != [v['input']] or [o.name for o in vs.get_outputs()] != [v['output']]:
        problems.append(f"{v['file']} inputs/outputs are not [{v['input']}] -> [{v['output']}]")
    want_text = [t['inputIds']] + ([t['attentionMask']] if t['attentionMask'] else [])
    if [i.name for i in ts.get_inputs()] != want_text:
        problems.append(f"{t['file']} inputs are {[i.name for i in ts.get_inputs()]}, manifest says {want_text}")
    if problems:
        return problems
    n = 2
    emb = vs.run(None, {v['input']: np.zeros((n, 3, v['imageSize'], v['imageSize']), np.float32)})[0]
    if emb.shape != (n, m['embeddingDim']):
        problems.append(f"{v['file']} gives shape {emb.shape}, expected ({n}, {m['embeddingDim']})")
    tok = Tokenizer.from_file(str(d / t['tokenizer']))
    rows = [e.ids for e in tok.encode_batch(['probe', 'a longer probe sentence'])]
    length = t['contextLength'] if t['padToContextLength'] else max(map(len, rows))
    ids, mask = _pad(rows, length, t['padId'])
    feed = {t['inputIds']: ids, **({t['attentionMask']: mask} if t['attentionMask'] else {})}
    temb = ts.run(None, feed)[0]
    if temb.shape != (n, m['embeddingDim']):
        problems.append(f"{t['file']} gives shape {temb.shape}, expected ({n}, {m['embeddingDim']})")
    if not np.isfinite(emb).all() or not np.isfinite(temb).all():
        problems.append('probe embeddings contain NaN or infinity')
    return problems


# ---------------------------------------------------------------- CLI


def data_dir() -> Path:
    env = os.environ.get('GEOSIFT_DATA')
    return Path(env) if env else Path(__file__).resolve().parents[3] / 'shared' / 'data'


def default_probe_images(count: int = 3) -> list[Path]:
    root = data_dir() / 'ucmerced' / 'images'
    picks = ['airplane/airplane00.jpg', 'golfcourse/golfcourse00.jpg', 'harbor/harbor00.jpg'][:count]
    return [root / p for p in picks if (root / p).is_file()]


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog='python -m geosift_models.export',
                                 description='Export an open_clip model to a Geosift model package.')
    ap.add_argument('model', help="open_clip model name (e.g. ViT-B-32) or 'hf-hub:org/repo' / 'local-dir:PATH'")
    ap.add_argument('--out', required=True, type=Path, help='package folder to create')
    ap.add_argument('--pretrained', help='pretrained tag (e.g. openai) or checkpoint file, for built-in names')
    ap.add_argument('--opset', type=int, default=DEFAULT_OPSET, help=f'ONNX opset (default {DEFAULT_OPSET})')
    ap.add_argument('--fp16', action='store_true', help='also write fp16 graphs (for GPU providers)')
    ap.add_argument('--int8', action='store_true', help='also write int8 dynamically quantized graphs')
    ap.add_argument('--force', action='store_true', help='replace an existing package')
    ap.add_argument('--id', help='package id (default from the known-source table or the model name)')
    ap.add_argument('--license', help='licence of the weights, when the exporter does not know it')
    args = ap.parse_args(argv)
    try:
        _check_opset_range(args.opset)
        t0 = time.perf_counter()
        loaded = load_model(args.model, args.pretrained)
        if args.id or args.license:
            from dataclasses import replace

            loaded.info = replace(loaded.info, **({'id': args.id} if args.id else {}),
                                  **({'license': args.license} if args.license else {}))
        load_s = time.perf_counter() - t0
        res = write_package(loaded, args.out, ExportOptions(
            opset=args.opset, fp16=args.fp16, int8=args.int8, force=args.force,
            probe_images=default_probe_images(), log=sys.stderr))
    except ExportError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    sizes = ', '.join(f"{k} {v['bytes'] / 1e6:.1f} MB" for k, v in res.manifest['files'].items())
    print(f'wrote {res.dir} (load {load_s:.1f} s; ' + ', '.join(f'{k} {v:.2f} s' for k, v in res.timings_s.items())
          + f')\nfiles: {sizes}\nparity: {json.dumps(res.parity)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
