"""Exports a geosift-rs-mini checkpoint to a Geosift model package (ONNX + tokenizer + model.json), written atomically."""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from geosift_models.export import (  # noqa: E402  the export tooling's own writer and checker
    LICENSE_FILE, MANIFEST_FILE, TEXT_FILE, TEXT_IDS, TEXT_MASK, TEXT_OUTPUT, TOKENIZER_FILE, VISION_FILE,
    VISION_INPUT, VISION_OUTPUT, _export, _sha256, verify_package)
from model import MiniClip, ModelConfig, TextExport, VisionExport, count_params  # noqa: E402

LANGS = ["en", "pt", "es", "fr", "de", "nl", "it", "zh", "ko", "ru"]
# Written for this model, per language, before any evaluation; the first of each list is the single-prompt form.
PROMPTS = {
    "en": ["a satellite image of {}.", "an aerial photo of {}.", "a remote sensing image of {}.", "an overhead view of {}."],
    "pt": ["uma imagem de satélite de {}.", "uma foto aérea de {}.", "uma imagem de sensoriamento remoto de {}.",
           "uma vista de cima de {}."],
    "es": ["una imagen de satélite de {}.", "una foto aérea de {}.", "una imagen de teledetección de {}.",
           "una vista cenital de {}."],
    "fr": ["une image satellite de {}.", "une photo aérienne de {}.", "une image de télédétection de {}.",
           "une vue du dessus de {}."],
    "de": ["ein Satellitenbild: {}.", "ein Luftbild: {}.", "ein Fernerkundungsbild: {}.", "{} von oben gesehen."],
    "nl": ["een satellietbeeld van {}.", "een luchtfoto van {}.", "een aardobservatiebeeld van {}.",
           "een bovenaanzicht van {}."],
    "it": ["un'immagine satellitare di {}.", "una foto aerea di {}.", "un'immagine telerilevata di {}.",
           "una vista dall'alto di {}."],
    "zh": ["{}的卫星图像。", "{}的航拍照片。", "{}的遥感图像。", "从空中看到的{}。"],
    "ko": ["{}의 위성 영상.", "{}의 항공 사진.", "{}의 원격 탐사 영상.", "위에서 본 {}."],
    "ru": ["спутниковый снимок: {}.", "аэрофотоснимок: {}.", "снимок дистанционного зондирования: {}.", "вид сверху: {}."],
}
MIT = """MIT License

Copyright (c) 2026 the Geosift authors

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without limitation the
rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit
persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of the
Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE
WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

The weights were trained on UC Merced Land Use (Yang & Newsam 2010, USGS public-domain imagery, research use),
UCM-captions (Qu et al. 2016, research, non-commercial) and EuroSAT (Helber et al. 2019, MIT). Cite those data sets;
the terms of UCM-captions may restrict commercial use of these weights.
"""


def load_checkpoint(path: Path) -> tuple[MiniClip, dict]:
    ck = torch.load(path, map_location="cpu", weights_only=False)
    model = MiniClip(ModelConfig(**ck["config"]))
    model.load_state_dict(ck["model"])
    return model.eval(), ck


def export(ckpt: Path, out: Path, tokenizer: Path, extra_provenance: dict | None = None, opset: int = 17,
           force: bool = False) -> dict:
    model, ck = load_checkpoint(ckpt)
    cfg = ModelConfig(**ck["config"])
    if out.exists() and not force:
        raise SystemExit(f"{out} exists: pass --force to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        size = cfg.image_size
        torch.manual_seed(0)
        pix = torch.randn(2, 3, size, size)
        ids = torch.tensor([[0, 10, 11, 12, 2], [0, 20, 2, 1, 1]])
        mask = (ids != cfg.pad_id).long()
        _export(VisionExport(model).eval(), (pix,), tmp / VISION_FILE, [VISION_INPUT], VISION_OUTPUT,
                {VISION_INPUT: {0: "batch"}, VISION_OUTPUT: {0: "batch"}}, opset)
        _export(TextExport(model).eval(), (ids, mask), tmp / TEXT_FILE, [TEXT_IDS, TEXT_MASK], TEXT_OUTPUT,
                {TEXT_IDS: {0: "batch", 1: "sequence"}, TEXT_MASK: {0: "batch", 1: "sequence"}, TEXT_OUTPUT: {0: "batch"}},
                opset)
        parity = _parity(model, tmp, pix, ids, mask, cfg)
        shutil.copyfile(tokenizer, tmp / TOKENIZER_FILE)
        (tmp / LICENSE_FILE).write_text(MIT, "utf-8")
        tk = ck["tokenizer"]
        st = ck["state"]
        manifest = {
            "format": "geosift-model", "formatVersion": 1,
            "id": "geosift-rs-mini",
            "name": "Geosift RS mini (multilingual remote-sensing CLIP, trained here)",
            "description": "A small CNN + transformer CLIP trained from scratch with the RS-M-CLIP recipe (contrastive + "
                           "DINO self-distillation, machine-translated captions) on UC Merced, UCM-captions and EuroSAT.",
            "source": "geosift models/training (train.py, this repository)",
            "license": "MIT",
            "embeddingDim": cfg.embed_dim,
            "outputsNormalized": True,
            "logitScale": round(float(model.logit_scale.detach().exp().clamp(max=100.0)), 4),
            "vision": {"file": VISION_FILE, "input": VISION_INPUT, "output": VISION_OUTPUT, "imageSize": size,
                       "mean": list(ck["mean"]), "std": list(ck["std"]), "resizeMode": "shortest-center-crop",
                       "interpolation": "bicubic", "bands": ["red", "green", "blue"], "preferredGsdM": None},
            "text": {"file": TEXT_FILE, "inputIds": TEXT_IDS, "attentionMask": TEXT_MASK, "output": TEXT_OUTPUT,
                     "tokenizer": TOKENIZER_FILE, "contextLength": tk["context"], "padToContextLength": False,
                     "padId": tk["pad"], "bosId": tk["bos"], "eosId": tk["eos"], "pooling": "inside-graph"},
            "languages": LANGS,
            "promptTemplates": PROMPTS,
            "files": {},
            "provenance": {
                "training": {"code": "models/training/train.py", "checkpoint": ckpt.name, "steps": st["step"],
                             "trainMinutes": round(st["elapsed"] / 60, 1), "args": ck["args"], "config": ck["config"],
                             "parameters": count_params(VisionExport(model)) + count_params(TextExport(model)),
                             "bestVal": st["best"], "valHistory": st["history"]},
                "data": ["UC Merced Land Use train split (Yang & Newsam 2010)", "UCM-captions train split (Qu et al. 2016)",
                         "EuroSAT RGB train split (Helber et al. 2019)",
                         "captions in 10 languages: Apertium (es/pt/it/fr via Catalan) and a reviewed glossary (de/nl/zh/ko/ru)"],
                "tokenizer": "the tokenizer.json the run trained with (train.py copies it into the run folder at start); "
                             "data/tokenizer.json can differ if it was regenerated later",
                "exportParity": parity,
                "exported": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                **(extra_provenance or {}),
            },
        }
        for name in (VISION_FILE, TEXT_FILE, TOKENIZER_FILE, LICENSE_FILE):
            p = tmp / name
            manifest["files"][name] = {"sha256": _sha256(p), "bytes": p.stat().st_size}
        (tmp / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
        tmp.chmod(0o755)  # mkdtemp makes it private; the package is meant to be shared
        problems = verify_package(tmp)
        if problems:
            raise SystemExit("package check failed: " + "; ".join(problems))
        if out.exists():
            old = out.with_name(f".{out.name}.old-{int(time.time())}")
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _parity(model: MiniClip, d: Path, pix, ids, mask, cfg) -> dict:
    """ONNX Runtime vs PyTorch on the probe inputs, plus padded-vs-unpadded text (padToContextLength false must hold)."""
    import onnxruntime as ort
    vs = ort.InferenceSession(str(d / VISION_FILE), providers=["CPUExecutionProvider"])
    ts = ort.InferenceSession(str(d / TEXT_FILE), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        ref_i = model.encode_image(pix).numpy()
        ref_t = model.encode_text(ids, mask).numpy()
    got_i = vs.run(None, {VISION_INPUT: pix.numpy()})[0]
    got_t = ts.run(None, {TEXT_IDS: ids.numpy(), TEXT_MASK: mask.numpy()})[0]
    pad = np.full((2, cfg.context_length), cfg.pad_id, np.int64)
    pmask = np.zeros_like(pad)
    pad[:, :ids.shape[1]] = ids.numpy()
    pmask[:, :ids.shape[1]] = mask.numpy()
    got_p = ts.run(None, {TEXT_IDS: pad, TEXT_MASK: pmask})[0]
    cos = lambda a, b: float(np.min((a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)))  # noqa: E731
    res = {"visionMinCosine": cos(ref_i, got_i), "textMinCosine": cos(ref_t, got_t), "paddedMinCosine": cos(got_t, got_p)}
    if min(res.values()) < 0.9999:
        raise SystemExit(f"ONNX export disagrees with PyTorch: {res}")
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--out", default=str(HERE.parent / "geosift-rs-mini"))
    ap.add_argument("--tokenizer", default="", help="default: the tokenizer.json the run trained with (beside --ckpt)")
    ap.add_argument("--evaluation", default="", help="evaluate.py JSON to record in provenance")
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args(argv)
    extra = {}
    if args.evaluation:
        extra["evaluation"] = json.loads(Path(args.evaluation).read_text("utf-8"))
    tokenizer = Path(args.tokenizer) if args.tokenizer else Path(args.ckpt).parent / "tokenizer.json"
    m = export(Path(args.ckpt), Path(args.out), tokenizer, extra, force=args.force)
    total = sum(f["bytes"] for f in m["files"].values())
    print(f"wrote {args.out}: {total / 1e6:.1f} MB, logitScale {m['logitScale']}, parity {m['provenance']['exportParity']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
