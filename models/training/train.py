"""Train geosift-rs-mini: CLIP contrastive + DINO self-distillation on the multilingual caption corpus (seeded, resumable)."""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import random
import shutil
import signal
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import LANGS, assert_not_eval, data_dir  # noqa: E402
from model import DinoLoss, MiniClip, ModelConfig, clip_loss, count_params  # noqa: E402

MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)
CORPUS = HERE / "build"
TOKENIZER = HERE / "data" / "tokenizer.json"
RUNS = HERE / "runs"
UCM_STORE = 128   # UC Merced kept in memory at this size; random-resized crops come from it
# English templates for checkpoint selection on the val split (the manifest carries the per-language sets)
VAL_TEMPLATES = ["a satellite image of {}.", "an aerial photo of {}.", "{}"]


# ---------------------------------------------------------------- data

def load_image(path: Path, size: int | None) -> np.ndarray:
    from PIL import Image
    assert_not_eval(path)
    with Image.open(path) as im:
        im = im.convert("RGB")
        if size is not None and im.size != (size, size):
            im = im.resize((size, size), Image.BICUBIC)
        return np.asarray(im, dtype=np.uint8)


def image_cache(paths: list[str], size: int | None, cache: Path) -> torch.Tensor:
    """All images as one uint8 NCHW tensor, cached as .npy (decoding 20k JPEGs costs a minute)."""
    if cache.exists():
        arr = np.load(cache)
        if arr.shape[0] == len(paths):
            return torch.from_numpy(arr)
    root = data_dir()
    arr = np.stack([load_image(root / p, size) for p in paths]).transpose(0, 3, 1, 2).copy()
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, arr)
    return torch.from_numpy(arr)


class Corpus:
    """Images grouped by source (UC Merced 256 px, EuroSAT 64 px), each with its captions per language."""

    def __init__(self, rows: list[dict], langs: list[str], cache_tag: str):
        by_img: dict[str, dict] = {}
        for r in rows:
            if r["lang"] not in langs:
                continue
            e = by_img.setdefault(r["image"], {"label": r["label"], "caps": {}})
            e["caps"].setdefault(r["lang"], []).append(r["caption"])
        self.groups = {}
        for name, pred, size in (("ucm", lambda p: p.startswith("ucmerced/"), UCM_STORE),
                                 ("eurosat", lambda p: p.startswith("eurosat"), None)):
            paths = sorted(p for p in by_img if pred(p))
            if not paths:
                continue
            pix = image_cache(paths, size, RUNS / "cache" / f"{cache_tag}.{name}.{len(paths)}.npy")
            labels = [f"{name}:{by_img[p]['label']}" for p in paths]
            caps = [by_img[p]["caps"] for p in paths]
            self.groups[name] = {"paths": paths, "pix": pix, "labels": labels, "caps": caps}
        names = sorted({lab for g in self.groups.values() for lab in g["labels"]})
        self.label_id = {n: i for i, n in enumerate(names)}


def affine_crops(pix: torch.Tensor, out: int, scale: tuple, gen: torch.Generator, jitter: float = 0.3) -> torch.Tensor:
    """Random-resized crop + flip + 90-degree rotation as one batched affine resample, then colour jitter and normalise."""
    n = pix.shape[0]
    x = pix.float() / 255.0
    u = lambda *s: torch.rand(*s, generator=gen)  # noqa: E731
    area = scale[0] + (scale[1] - scale[0]) * u(n)
    logr = math.log(3 / 4) + (math.log(4 / 3) - math.log(3 / 4)) * u(n)
    ratio = torch.exp(logr)
    w = torch.sqrt(area * ratio).clamp(max=1.0)
    h = torch.sqrt(area / ratio).clamp(max=1.0)
    cx = (1 - w) * (2 * u(n) - 1)
    cy = (1 - h) * (2 * u(n) - 1)
    k = torch.randint(0, 4, (n,), generator=gen)
    flip = torch.where(u(n) < 0.5, -1.0, 1.0)
    cos = torch.tensor([1.0, 0.0, -1.0, 0.0])[k]
    sin = torch.tensor([0.0, 1.0, 0.0, -1.0])[k]
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = w * cos * flip
    theta[:, 0, 1] = -h * sin
    theta[:, 1, 0] = w * sin * flip
    theta[:, 1, 1] = h * cos
    theta[:, 0, 2] = cx
    theta[:, 1, 2] = cy
    grid = F.affine_grid(theta, (n, 3, out, out), align_corners=False)
    y = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    if jitter > 0:
        b = 1 + jitter * (2 * u(n, 1, 1, 1) - 1)
        c = 1 + jitter * (2 * u(n, 1, 1, 1) - 1)
        s = 1 + jitter * (2 * u(n, 1, 1, 1) - 1)
        y = y * b
        m = y.mean(dim=(1, 2, 3), keepdim=True)
        y = (y - m) * c + m
        g = y.mean(dim=1, keepdim=True)
        y = (y - g) * s + g
        y = y.clamp(0, 1)
    return normalise(y)


def normalise(y: torch.Tensor) -> torch.Tensor:
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return ((y - mean) / std).contiguous(memory_format=torch.channels_last)


def eval_pixels(pix: torch.Tensor, size: int) -> torch.Tensor:
    """Deterministic eval transform: bicubic resize of the (square) image to size."""
    x = pix.float() / 255.0
    if x.shape[-1] != size:
        x = F.interpolate(x, size=(size, size), mode="bicubic", align_corners=False, antialias=True).clamp(0, 1)
    return normalise(x)


class Tokenizer:
    def __init__(self, path: Path, context_length: int):
        from tokenizers import Tokenizer as HfTok
        self.tok = HfTok.from_file(str(path))
        self.tok.enable_truncation(max_length=context_length)
        self.vocab_size = self.tok.get_vocab_size()
        self.pad_id = self.tok.token_to_id("<pad>")
        self.bos_id = self.tok.token_to_id("<s>")
        self.eos_id = self.tok.token_to_id("</s>")
        self.cache: dict[str, list[int]] = {}

    def __call__(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            for t, enc in zip(missing, self.tok.encode_batch([" ".join(t.split()) for t in missing])):
                self.cache[t] = enc.ids
        rows = [self.cache[t] for t in texts]
        n = max(len(r) for r in rows)
        ids = torch.full((len(rows), n), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), n), dtype=torch.long)
        for i, r in enumerate(rows):
            ids[i, :len(r)] = torch.tensor(r)
            mask[i, :len(r)] = 1
        return ids, mask


# ---------------------------------------------------------------- zero-shot (val)

@torch.no_grad()
def zero_shot(model: MiniClip, tok: Tokenizer, pix: torch.Tensor, labels: list[int], classnames: list[str],
              templates: list[str], size: int, batch: int = 256) -> float:
    model.eval()
    feats = torch.cat([model.encode_image(eval_pixels(pix[i:i + batch], size)) for i in range(0, len(pix), batch)])
    cls = []
    for name in classnames:
        ids, mask = tok([t.replace("{}", name) for t in templates])
        cls.append(F.normalize(model.encode_text(ids, mask).mean(0), dim=-1))
    pred = (feats @ torch.stack(cls).t()).argmax(1)
    return float((pred == torch.tensor(labels)).float().mean())


def val_sets(max_eurosat: int = 1000, seed: int = 0) -> list[dict]:
    """UC Merced val + a fixed EuroSAT val subset, with English class names from classnames.json."""
    rows = [json.loads(l) for l in open(CORPUS / "corpus.val.jsonl", encoding="utf-8")]
    names = json.load(open(HERE / "data" / "classnames.json", encoding="utf-8"))["classes"]["en"]
    out = []
    for ds, prefix, size in (("ucmerced", "ucmerced/", UCM_STORE), ("eurosat", "eurosat", None)):
        paths = sorted({r["image"] for r in rows if r["image"].startswith(prefix)})
        label_of = {r["image"]: r["label"] for r in rows if r["image"].startswith(prefix)}
        if ds == "eurosat" and len(paths) > max_eurosat:
            paths = sorted(random.Random(seed).sample(paths, max_eurosat))
        classes = sorted(names[ds])
        pix = image_cache(paths, size, RUNS / "cache" / f"val.{ds}.{len(paths)}.npy")
        out.append({"name": ds, "pix": pix, "labels": [classes.index(label_of[p]) for p in paths],
                    "classnames": [names[ds][c] for c in classes]})
    return out


# ---------------------------------------------------------------- training

def lr_at(progress: float, base: float, warm: float = 0.04) -> float:
    if progress < warm:
        return base * progress / warm
    p = min(1.0, (progress - warm) / (1 - warm))
    return base * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * p)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--run", required=True, help="run name (folder under runs/)")
    ap.add_argument("--minutes", type=float, default=60, help="training budget in wall-clock minutes (the LR schedule follows it)")
    ap.add_argument("--steps", type=int, default=0, help="step budget instead of --minutes (the LR schedule follows it; used for equal-budget ablations)")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--ucm-fraction", type=float, default=0.4, help="share of each batch drawn from UC Merced")
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--wd", type=float, default=0.05)
    ap.add_argument("--image-size", type=int, default=96)
    ap.add_argument("--local-size", type=int, default=48)
    ap.add_argument("--local-crops", type=int, default=2)
    ap.add_argument("--dino-weight", type=float, default=0.5, help="0 disables self-distillation (ablation)")
    ap.add_argument("--langs", default=",".join(LANGS), help="comma list; 'en' alone = no translated captions (ablation)")
    ap.add_argument("--text-layers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ckpt-minutes", type=float, default=4)
    ap.add_argument("--val-minutes", type=float, default=8)
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (tests)")
    ap.add_argument("--tokenizer", default=str(TOKENIZER))
    ap.add_argument("--snapshot-minutes", default="", help="comma list of budgets (minutes) at which to keep a copy of the weights")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    run_dir = RUNS / args.run
    run_dir.mkdir(parents=True, exist_ok=True)
    log_f = open(run_dir / "train.log", "a", encoding="utf-8")

    def log(msg: str) -> None:
        line = f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {msg}"
        print(line, flush=True)
        log_f.write(line + "\n")
        log_f.flush()

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    langs = [l for l in args.langs.split(",") if l]
    rows = [json.loads(l) for l in open(CORPUS / "corpus.train.jsonl", encoding="utf-8")]
    assert all(r["split"] == "train" for r in rows), "corpus.train.jsonl holds a non-train row"
    corpus = Corpus(rows, langs, "train")
    del rows
    # the run keeps its own copy: data/tokenizer.json may be regenerated while a run (or its resume) is going on
    run_tok = run_dir / "tokenizer.json"
    if not run_tok.exists():
        shutil.copyfile(args.tokenizer, run_tok)
    tok = Tokenizer(run_tok, 40)
    cfg = ModelConfig(vocab_size=tok.vocab_size, image_size=args.image_size, text_layers=args.text_layers,
                      pad_id=tok.pad_id)
    model = MiniClip(cfg).to(memory_format=torch.channels_last)
    teacher = copy.deepcopy(torch.nn.ModuleDict({"visual": model.visual, "head": model.dino_head}))
    for p in teacher.parameters():
        p.requires_grad = False
    dino = DinoLoss(cfg.dino_prototypes)
    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim >= 2 and "pos" not in n]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and (p.ndim < 2 or "pos" in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.wd}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.98))
    state = {"step": 0, "elapsed": 0.0, "best": -1.0, "history": [], "snapshots_done": []}
    gen = torch.Generator().manual_seed(args.seed)
    rng = random.Random(args.seed)
    ckpt = run_dir / "last.pt"
    if ckpt.exists():
        s = torch.load(ckpt, weights_only=False)
        model.load_state_dict(s["model"])
        teacher.load_state_dict(s["teacher"])
        dino.load_state_dict(s["dino"])
        opt.load_state_dict(s["opt"])
        state = s["state"]
        gen.set_state(s["gen"])
        rng.setstate(s["rng"])
        log(f"resumed from {ckpt} at step {state['step']} ({state['elapsed'] / 60:.1f} min)")
    log(f"args {json.dumps(vars(args))}")
    log(f"config {json.dumps(cfg.to_dict())}")
    log(f"params total {count_params(model)} vision {count_params(model.visual) + count_params(model.visual_proj)} "
        f"text {count_params(model.text)} dino-head {count_params(model.dino_head)}")
    log("images " + ", ".join(f"{k}={len(g['paths'])}" for k, g in corpus.groups.items()) + f" langs={langs}")
    vals = val_sets()

    stop = {"flag": False}

    def on_signal(signum, frame):
        stop["flag"] = True
        log(f"signal {signum}: checkpointing and stopping")
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    def save(path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        torch.save({"model": model.state_dict(), "teacher": teacher.state_dict(), "dino": dino.state_dict(),
                    "opt": opt.state_dict(), "state": state, "gen": gen.get_state(), "rng": rng.getstate(),
                    "config": cfg.to_dict(), "args": vars(args), "mean": MEAN, "std": STD,
                    "tokenizer": {"pad": tok.pad_id, "bos": tok.bos_id, "eos": tok.eos_id, "context": 40}}, tmp)
        os.replace(tmp, path)

    def validate() -> float:
        res = {v["name"]: zero_shot(model, tok, v["pix"], v["labels"], v["classnames"], VAL_TEMPLATES, args.image_size)
               for v in vals}
        score = sum(res.values()) / len(res)
        state["history"].append({"step": state["step"], "minutes": round(state["elapsed"] / 60, 2), **res, "mean": score})
        log(f"val step {state['step']} min {state['elapsed'] / 60:.1f} " + " ".join(f"{k}={v:.4f}" for k, v in res.items())
            + f" mean={score:.4f}")
        if score > state["best"]:
            state["best"] = score
            save(run_dir / "best.pt")
            log(f"new best {score:.4f} -> best.pt")
        model.train()
        return score

    budget = args.minutes * 60
    snaps = [float(x) for x in args.snapshot_minutes.split(",") if x]
    n_ucm = round(args.batch * args.ucm_fraction) if "ucm" in corpus.groups else 0
    n_es = args.batch - n_ucm
    t_last_ckpt = t_last_val = time.time()
    model.train()
    def progress_now() -> float:
        return state["step"] / args.steps if args.steps else state["elapsed"] / budget

    while progress_now() < 1.0 and not stop["flag"]:
        t0 = time.time()
        progress = progress_now()
        lr = lr_at(progress, args.lr)
        for g in opt.param_groups:
            g["lr"] = lr
        # batch: images from each source, one caption per image in a uniformly drawn language
        parts = []
        for name, n in (("ucm", n_ucm), ("eurosat", n_es)):
            if n == 0:
                continue
            g = corpus.groups[name]
            idx = torch.randint(0, len(g["paths"]), (n,), generator=gen)
            caps, labs = [], []
            for i in idx.tolist():
                by_lang = g["caps"][i]
                lang = rng.choice([l for l in langs if l in by_lang])
                caps.append(rng.choice(by_lang[lang]))
                labs.append(corpus.label_id[g["labels"][i]])
            pix = g["pix"][idx]
            glob = affine_crops(pix, args.image_size, (0.35, 1.0), gen)
            glob2 = affine_crops(pix, args.image_size, (0.35, 1.0), gen) if args.dino_weight > 0 else None
            locs = [affine_crops(pix, args.local_size, (0.08, 0.35), gen) for _ in range(args.local_crops)] \
                if args.dino_weight > 0 else []
            parts.append((glob, glob2, locs, caps, labs))
        glob = torch.cat([p[0] for p in parts])
        caps = sum((p[3] for p in parts), [])
        labels = torch.tensor(sum((p[4] for p in parts), []))
        ids, mask = tok(caps)
        feat = model.visual(glob)
        img = F.normalize(model.visual_proj(feat), dim=-1)
        txt = model.encode_text(ids, mask)
        # several images of one class share near-identical template captions: treat same-class pairs as
        # positives (uniform soft targets) instead of as false negatives
        same = (labels[:, None] == labels[None, :]).float()
        target = same / same.sum(1, keepdim=True)
        scale = model.logit_scale.exp().clamp(max=100.0)
        logits = scale * img @ txt.t()
        l_clip = 0.5 * (torch.sum(-target * F.log_softmax(logits, 1), 1).mean()
                        + torch.sum(-target * F.log_softmax(logits.t(), 1), 1).mean())
        loss = l_clip
        l_dino = torch.tensor(0.0)
        if args.dino_weight > 0:
            glob2 = torch.cat([p[1] for p in parts])
            locs = [torch.cat([p[2][j] for p in parts]) for j in range(args.local_crops)]
            with torch.no_grad():
                t_out = teacher["head"](teacher["visual"](glob2))
            s_views = [model.dino_head(feat)] + [model.dino_head(model.visual(l)) for l in locs]
            l_dino = dino(s_views, [t_out], [-1])
            loss = loss + args.dino_weight * l_dino
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 3.0)
        opt.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100.0))
            if args.dino_weight > 0:
                mom = 1 - (1 - 0.99) * (math.cos(math.pi * min(1.0, progress)) + 1) / 2
                student = {"visual": model.visual, "head": model.dino_head}
                for k in ("visual", "head"):
                    for pt, ps in zip(teacher[k].parameters(), student[k].parameters()):
                        pt.mul_(mom).add_(ps.detach(), alpha=1 - mom)
                    for bt, bs in zip(teacher[k].buffers(), student[k].buffers()):
                        bt.copy_(bs)
        dt = time.time() - t0
        state["elapsed"] += dt
        state["step"] += 1
        if state["step"] % 10 == 0 or state["step"] <= 3:
            log(f"step {state['step']} min {state['elapsed'] / 60:.2f} lr {lr:.2e} loss {loss.item():.4f} "
                f"clip {l_clip.item():.4f} dino {l_dino.item():.4f} scale {scale.item():.2f} "
                f"{args.batch / dt:.1f} img/s")
        for sm in snaps:
            if state["elapsed"] >= sm * 60 and sm not in state["snapshots_done"]:
                state["snapshots_done"].append(sm)
                save(run_dir / f"snap{sm:g}min.pt")
                log(f"snapshot at {sm:g} min (step {state['step']})")
        if time.time() - t_last_val > args.val_minutes * 60:
            validate()
            t_last_val = time.time()
        if time.time() - t_last_ckpt > args.ckpt_minutes * 60:
            save(ckpt)
            t_last_ckpt = time.time()
        if args.max_steps and state["step"] >= args.max_steps:
            break
    if not stop["flag"]:
        validate()
    save(ckpt)
    log(f"done: step {state['step']} elapsed {state['elapsed'] / 60:.1f} min best val {state['best']:.4f}")
    (run_dir / "history.json").write_text(json.dumps(state["history"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
