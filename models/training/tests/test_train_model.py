"""geosift-rs-mini training pieces: shapes, augmentation, a loss that falls on a tiny batch, ONNX export round trip."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))
from model import DinoLoss, MiniClip, ModelConfig  # noqa: E402
import train  # noqa: E402

TOKENIZER = HERE / "data" / "tokenizer.json"


def tiny_config(vocab: int = 12000) -> ModelConfig:
    return ModelConfig(vocab_size=vocab, embed_dim=32, stem=8, widths=[8, 16, 16, 24], depths=[1, 1, 1, 1],
                       image_size=32, text_width=32, text_layers=1, text_heads=2, context_length=16,
                       dino_hidden=32, dino_bottleneck=16, dino_prototypes=64)


def test_shapes_and_normalised_outputs():
    torch.manual_seed(0)
    m = MiniClip(tiny_config(100)).eval()
    img = m.encode_image(torch.randn(3, 3, 32, 32))
    ids = torch.tensor([[0, 5, 6, 2, 1], [0, 7, 2, 1, 1]])
    txt = m.encode_text(ids, (ids != 1).long())
    assert img.shape == (3, 32) and txt.shape == (2, 32)
    assert torch.allclose(img.norm(dim=1), torch.ones(3), atol=1e-5)
    # padding must not change a text's embedding (the package pads to the batch's longest text)
    short = m.encode_text(ids[1:, :3], torch.ones(1, 3, dtype=torch.long))
    assert torch.allclose(short, txt[1:], atol=1e-5)
    # the trunk pools globally, so DINO's small local crops go through the same network
    assert m.dino_head(m.visual(torch.randn(2, 3, 16, 16))).shape == (2, 64)


def test_augmentation_is_seeded_and_normalised():
    pix = torch.randint(0, 256, (4, 3, 40, 40), dtype=torch.uint8)
    a = train.affine_crops(pix, 24, (0.35, 1.0), torch.Generator().manual_seed(1))
    b = train.affine_crops(pix, 24, (0.35, 1.0), torch.Generator().manual_seed(1))
    assert a.shape == (4, 3, 24, 24) and torch.equal(a, b)
    lo = (0 - max(train.MEAN)) / min(train.STD)
    hi = (1 - min(train.MEAN)) / min(train.STD)
    assert a.min() >= lo - 1e-4 and a.max() <= hi + 1e-4


def test_loss_decreases_on_a_tiny_batch():
    torch.manual_seed(0)
    m = MiniClip(tiny_config(50))
    dino = DinoLoss(64)
    x = torch.randn(8, 3, 32, 32)
    ids = torch.randint(4, 50, (8, 6))
    ids[:, 0] = 0
    mask = torch.ones_like(ids)
    opt = torch.optim.AdamW(m.parameters(), lr=3e-3)
    losses = []
    for _ in range(25):
        feat = m.visual(x)
        img = torch.nn.functional.normalize(m.visual_proj(feat), dim=-1)
        txt = m.encode_text(ids, mask)
        logits = m.logit_scale.exp() * img @ txt.t()
        target = torch.arange(8)
        clip = 0.5 * (torch.nn.functional.cross_entropy(logits, target)
                      + torch.nn.functional.cross_entropy(logits.t(), target))
        with torch.no_grad():
            t_out = m.dino_head(m.visual(x.flip(-1)))
        loss = clip + 0.5 * dino([m.dino_head(feat)], [t_out], [-1])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(clip.item())
    assert losses[-1] < 0.5 * losses[0]


@pytest.mark.skipif(not TOKENIZER.exists(), reason="needs models/training/data/tokenizer.json (train_tokenizer.py)")
def test_export_round_trip(tmp_path):
    import onnxruntime as ort
    from export_package import export
    from tokenizers import Tokenizer
    torch.manual_seed(0)
    tok = Tokenizer.from_file(str(TOKENIZER))
    cfg = tiny_config(tok.get_vocab_size())
    m = MiniClip(cfg).eval()
    ck = tmp_path / "tiny.pt"
    torch.save({"model": m.state_dict(), "config": cfg.to_dict(), "args": {}, "mean": train.MEAN, "std": train.STD,
                "state": {"step": 0, "elapsed": 0.0, "best": 0.0, "history": []},
                "tokenizer": {"pad": 1, "bos": 0, "eos": 2, "context": 16}}, ck)
    out = tmp_path / "pkg"
    manifest = export(ck, out, TOKENIZER)
    on_disk = json.loads((out / "model.json").read_text("utf-8"))
    assert on_disk == json.loads(json.dumps(manifest))
    assert set(on_disk["files"]) == {"vision.onnx", "text.onnx", "tokenizer.json", "LICENSE"}
    assert on_disk["text"]["padId"] == tok.token_to_id("<pad>") and on_disk["embeddingDim"] == 32
    assert all(len(p) >= 3 and all("{}" in t for t in p) for p in on_disk["promptTemplates"].values())
    assert sorted(on_disk["promptTemplates"]) == sorted(on_disk["languages"])
    # batch axis is dynamic, and ONNX matches PyTorch
    vs = ort.InferenceSession(str(out / "vision.onnx"), providers=["CPUExecutionProvider"])
    x = torch.randn(5, 3, 32, 32)
    got = vs.run(None, {"pixels": x.numpy()})[0]
    with torch.no_grad():
        ref = m.encode_image(x).numpy()
    assert got.shape == (5, 32) and np.allclose(got, ref, atol=1e-4)
    assert not list(tmp_path.glob(".pkg.partial-*"))
