"""geosift-rs-mini: a compact CNN image encoder, a small transformer text encoder, a DINO head, CLIP + DINO losses."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class ModelConfig:
    vocab_size: int = 12000
    embed_dim: int = 256
    # vision: channels per stage (each stage halves the resolution), blocks per stage
    stem: int = 32
    widths: list = field(default_factory=lambda: [48, 96, 192, 320])
    depths: list = field(default_factory=lambda: [1, 1, 2, 1])
    image_size: int = 128
    # text
    text_width: int = 256
    text_layers: int = 3
    text_heads: int = 4
    context_length: int = 40
    pad_id: int = 1
    # DINO head
    dino_hidden: int = 512
    dino_bottleneck: int = 128
    dino_prototypes: int = 1024

    def to_dict(self) -> dict:
        return asdict(self)


class BasicBlock(nn.Module):
    """ResNet basic block (two 3x3 convs, BN, residual)."""

    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        nn.init.zeros_(self.bn2.weight)  # start as identity: stabler from scratch
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.short is None else self.short(x)))


class VisionTrunk(nn.Module):
    """Image -> pooled feature (any input size: global average pooling), used by CLIP and DINO."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, cfg.stem, 3, 2, 1, bias=False), nn.BatchNorm2d(cfg.stem), nn.ReLU(inplace=True))
        layers = []
        cin = cfg.stem
        for w, d in zip(cfg.widths, cfg.depths):
            for i in range(d):
                layers.append(BasicBlock(cin, w, 2 if i == 0 else 1))
                cin = w
        self.layers = nn.Sequential(*layers)
        self.out_dim = cin

    def forward(self, x):
        return self.layers(self.stem(x)).mean(dim=(2, 3))


class TextEncoder(nn.Module):
    """Token ids + mask -> mean of the masked token states -> linear projection."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.tok = nn.Embedding(cfg.vocab_size, cfg.text_width)
        self.pos = nn.Parameter(torch.randn(cfg.context_length, cfg.text_width) * 0.01)
        layer = nn.TransformerEncoderLayer(cfg.text_width, cfg.text_heads, cfg.text_width * 4, dropout=0.0,
                                           activation="gelu", batch_first=True, norm_first=True)
        self.blocks = nn.ModuleList([_clone_layer(layer) for _ in range(cfg.text_layers)])
        self.norm = nn.LayerNorm(cfg.text_width)
        self.proj = nn.Linear(cfg.text_width, cfg.embed_dim, bias=False)
        nn.init.normal_(self.tok.weight, std=0.02)

    def forward(self, ids, mask):
        length = ids.shape[1]
        x = self.tok(ids) + self.pos[:length]
        maskf = mask.to(x.dtype)
        # additive key mask: -inf-like on padding so pooling ignores it; no fused fast path (export-friendly)
        bias = (1.0 - maskf)[:, None, None, :] * -1e4
        for blk in self.blocks:
            x = _block(blk, x, bias)
        x = self.norm(x)
        pooled = (x * maskf[:, :, None]).sum(1) / maskf.sum(1, keepdim=True).clamp(min=1.0)
        return self.proj(pooled)


def _clone_layer(layer):
    import copy
    return copy.deepcopy(layer)


def _block(blk: nn.TransformerEncoderLayer, x, bias):
    """Pre-norm transformer block written out with plain ops (the same weights as nn.TransformerEncoderLayer)."""
    h = blk.norm1(x)
    n, l, d = h.shape
    heads = blk.self_attn.num_heads
    qkv = F.linear(h, blk.self_attn.in_proj_weight, blk.self_attn.in_proj_bias)
    q, k, v = qkv.reshape(n, l, 3, heads, d // heads).permute(2, 0, 3, 1, 4)
    att = (q @ k.transpose(-1, -2)) / math.sqrt(d // heads) + bias
    att = att.softmax(-1)
    o = (att @ v).transpose(1, 2).reshape(n, l, d)
    x = x + blk.self_attn.out_proj(o)
    x = x + blk.linear2(F.gelu(blk.linear1(blk.norm2(x))))
    return x


class DinoHead(nn.Module):
    """DINO projection head: MLP -> bottleneck -> L2 norm -> weight-normalised prototypes."""

    def __init__(self, cin: int, cfg: ModelConfig):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(cin, cfg.dino_hidden), nn.GELU(),
                                 nn.Linear(cfg.dino_hidden, cfg.dino_hidden), nn.GELU(),
                                 nn.Linear(cfg.dino_hidden, cfg.dino_bottleneck))
        self.last = nn.utils.parametrizations.weight_norm(nn.Linear(cfg.dino_bottleneck, cfg.dino_prototypes, bias=False))
        self.last.parametrizations.weight.original0.data.fill_(1.0)
        self.last.parametrizations.weight.original0.requires_grad = False

    def forward(self, x):
        return self.last(F.normalize(self.mlp(x), dim=-1))


class MiniClip(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.visual = VisionTrunk(cfg)
        self.visual_proj = nn.Linear(self.visual.out_dim, cfg.embed_dim, bias=False)
        self.text = TextEncoder(cfg)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        self.dino_head = DinoHead(self.visual.out_dim, cfg)

    def encode_image(self, x):
        return F.normalize(self.visual_proj(self.visual(x)), dim=-1)

    def encode_text(self, ids, mask):
        return F.normalize(self.text(ids, mask), dim=-1)


class VisionExport(nn.Module):
    def __init__(self, m: MiniClip):
        super().__init__()
        self.visual, self.proj = m.visual, m.visual_proj

    def forward(self, pixels):
        return F.normalize(self.proj(self.visual(pixels)), dim=-1)


class TextExport(nn.Module):
    def __init__(self, m: MiniClip):
        super().__init__()
        self.text = m.text

    def forward(self, input_ids, attention_mask):
        return F.normalize(self.text(input_ids, attention_mask), dim=-1)


def clip_loss(img, txt, logit_scale, labels=None):
    """Symmetric InfoNCE. With labels, pairs of the same caption group (same image) are not negatives."""
    scale = logit_scale.exp().clamp(max=100.0)
    logits = scale * img @ txt.t()
    target = torch.arange(img.shape[0], device=img.device)
    return 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target))


class DinoLoss(nn.Module):
    """Cross-entropy between the sharpened, centred teacher and the student, over all pairs of different views."""

    def __init__(self, out_dim: int, teacher_temp=0.04, student_temp=0.1, center_momentum=0.9):
        super().__init__()
        self.tt, self.st, self.m = teacher_temp, student_temp, center_momentum
        self.register_buffer("center", torch.zeros(1, out_dim))

    def forward(self, student_views: list, teacher_views: list, teacher_index: list):
        """teacher_index[i] = which student view is the same view as teacher view i (skipped), or -1."""
        t_out = [F.softmax((t - self.center) / self.tt, dim=-1).detach() for t in teacher_views]
        total, n = 0.0, 0
        for ti, t in enumerate(t_out):
            for si, s in enumerate(student_views):
                if si == teacher_index[ti]:
                    continue
                total = total + torch.sum(-t * F.log_softmax(s / self.st, dim=-1), dim=-1).mean()
                n += 1
        with torch.no_grad():
            c = torch.cat(teacher_views).mean(0, keepdim=True)
            self.center.mul_(self.m).add_(c, alpha=1 - self.m)
        return total / max(n, 1)


def count_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())
