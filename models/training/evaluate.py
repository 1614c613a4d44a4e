"""Evaluates an exported model package with ONNX Runtime: zero-shot top-1 (UC Merced test, EuroSAT test, RSSCN7) per
language with and without prompt ensembling, and UCM-captions test retrieval R@1/5/10 per language."""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
RUNS = HERE / "runs"


def shared_root() -> Path:
    env = os.environ.get("GEOSIFT_DATA")
    return Path(env).resolve() if env else (HERE.parent.parent.parent / "shared" / "data").resolve()


class Package:
    """The package as the engine sees it: manifest, ONNX sessions, tokenizer, PIL-style preprocessing."""

    def __init__(self, d: Path, threads: int = 1, vision_file: str = ""):
        import onnxruntime as ort
        from tokenizers import Tokenizer
        self.dir = Path(d)
        self.m = json.loads((self.dir / "model.json").read_text("utf-8"))
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        v, t = self.m["vision"], self.m["text"]
        # vision_file: another vision graph of the package (an int8 variant, geosift_models.variants) in its place.
        self.vs = ort.InferenceSession(str(self.dir / (vision_file or v["file"])), so, providers=["CPUExecutionProvider"])
        self.ts = ort.InferenceSession(str(self.dir / t["file"]), so, providers=["CPUExecutionProvider"])
        self.tok = Tokenizer.from_file(str(self.dir / t["tokenizer"]))
        self.tok.enable_truncation(max_length=t["contextLength"])
        self.mean = np.array(v["mean"], np.float32).reshape(1, 3, 1, 1)
        self.std = np.array(v["std"], np.float32).reshape(1, 3, 1, 1)

    def pixels(self, path: Path) -> np.ndarray:
        from PIL import Image
        v = self.m["vision"]
        size = v["imageSize"]
        resample = Image.BICUBIC if v["interpolation"] == "bicubic" else Image.BILINEAR
        with Image.open(path) as im:
            im = im.convert("RGB")
            if v["resizeMode"] == "squash":
                im = im.resize((size, size), resample)
            else:
                w, h = im.size
                s = size / min(w, h)
                im = im.resize((max(size, int(w * s)), max(size, int(h * s))), resample)
                w, h = im.size
                left, top = int(round((w - size) / 2.0)), int(round((h - size) / 2.0))
                im = im.crop((left, top, left + size, top + size))
            return np.asarray(im, np.float32).transpose(2, 0, 1) / 255.0

    def encode_images(self, paths: list[Path], batch: int = 128) -> np.ndarray:
        v = self.m["vision"]
        out = []
        for i in range(0, len(paths), batch):
            x = (np.stack([self.pixels(p) for p in paths[i:i + batch]]) - self.mean) / self.std
            out.append(self.vs.run([v["output"]], {v["input"]: x.astype(np.float32)})[0])
        return _norm(np.concatenate(out))

    def encode_texts(self, texts: list[str], batch: int = 256) -> np.ndarray:
        t = self.m["text"]
        out = []
        for i in range(0, len(texts), batch):
            rows = [e.ids for e in self.tok.encode_batch([" ".join(s.split()) for s in texts[i:i + batch]])]
            n = t["contextLength"] if t["padToContextLength"] else max(map(len, rows))
            ids = np.full((len(rows), n), t["padId"], np.int64)
            mask = np.zeros((len(rows), n), np.int64)
            for j, r in enumerate(rows):
                ids[j, :len(r)] = r
                mask[j, :len(r)] = 1
            feed = {t["inputIds"]: ids}
            if t["attentionMask"]:
                feed[t["attentionMask"]] = mask
            out.append(self.ts.run([t["output"]], feed)[0])
        return _norm(np.concatenate(out))


def _norm(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True).clip(1e-12)


def zero_shot_sets(root: Path, eval_root: Path, limit: int = 0) -> dict[str, dict]:
    """Test splits only: UC Merced test (labels_split.csv), EuroSAT test (split csv), RSSCN7 (eval folder, all)."""
    sets = {}
    with open(root / "ucmerced" / "labels_split.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["split"] == "test"]
    sets["ucmerced"] = [(root / "ucmerced" / "images" / r["filepath"], r["label"]) for r in rows]
    with open(root / "eurosat_rgb" / "split_flybulll_seed42.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["split"] == "test"]
    sets["eurosat"] = [(root / "eurosat_rgb" / r["filepath"], r["label"]) for r in rows]
    rs = eval_root / "rsscn7"
    if rs.is_dir():
        sets["rsscn7"] = [(p, c.name) for c in sorted(rs.iterdir()) if c.is_dir() for p in sorted(c.glob("*.jpg"))]
    if limit:
        sets = {k: v[::max(1, len(v) // limit)] for k, v in sets.items()}
    return sets


def ucm_caption_test(root: Path) -> tuple[list[Path], list[list[str]]]:
    """UCM-captions test split: its 210 images (as UC Merced files) and their 5 English sentences, cleaned as in training."""
    from build_captions import clean_en
    d = json.loads((root / "captions" / "ucm" / "dataset_ucm_modified.json").read_text("utf-8"))
    with open(root / "captions" / "ucm" / "imgs_to_ucmerced.csv", encoding="utf-8") as f:
        to_file = {r["caption_filename"]: r["ucmerced_path"] for r in csv.DictReader(f)}
    imgs, caps = [], []
    for im in d["images"]:
        if im["split"] == "test":
            imgs.append(root / to_file[im["filename"]])
            caps.append([clean_en(s["raw"]) for s in im["sentences"]])
    return imgs, caps


def translated_captions(caps: list[list[str]], langs: list[str]) -> dict[str, list[list[str]]]:
    """Apertium translations (the training pipeline's own path): the committed tables, the rest translated now and cached."""
    out = {}
    flat = [s for c in caps for s in c]
    cache_path = RUNS / "eval_cache" / "ucm_test_mt.json"
    cache = json.loads(cache_path.read_text("utf-8")) if cache_path.exists() else {}
    for lang in langs:
        table_path = HERE / "data" / f"translations.{lang}.tsv"
        if not table_path.exists():
            continue
        table = dict(line.rstrip("\n").split("\t", 1) for line in open(table_path, encoding="utf-8") if "\t" in line)
        table.update(cache.get(lang, {}))
        missing = sorted({s for s in flat if s not in table})
        if missing:
            try:
                import translate
                res = translate.translate_all(missing, [lang])[lang]
            except Exception as e:  # noqa: BLE001 - Apertium absent: that language is skipped and reported
                print(f"retrieval {lang}: {len(missing)} sentences untranslated ({e}); skipped", file=sys.stderr)
                continue
            cache.setdefault(lang, {}).update(dict(zip(missing, res)))
            table.update(cache[lang])
        out[lang] = [[table[s] for s in c] for c in caps]
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    cache_path.write_text(json.dumps(cache, ensure_ascii=False), "utf-8")
    return out


def retrieval(img: np.ndarray, txt: np.ndarray, per_image: int) -> dict[str, float]:
    """R@K text->image (caption finds its image) and image->text (image finds any of its captions)."""
    sim = txt @ img.T  # captions x images
    owner = np.repeat(np.arange(img.shape[0]), per_image)
    rank_t2i = (sim > sim[np.arange(len(owner)), owner][:, None]).sum(1)
    simT = sim.T  # images x captions
    best_own = np.array([simT[i, owner == i].max() for i in range(img.shape[0])])
    rank_i2t = (simT > best_own[:, None]).sum(1)
    out = {}
    for k in (1, 5, 10):
        out[f"t2i_R@{k}"] = round(100 * float((rank_t2i < k).mean()), 2)
        out[f"i2t_R@{k}"] = round(100 * float((rank_i2t < k).mean()), 2)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default=str(HERE.parent / "geosift-rs-mini"), help="package folder")
    ap.add_argument("--out", default="", help="write the results as JSON here")
    ap.add_argument("--eval-root", default="", help="folder holding rsscn7/ (default: ../eval beside the data folder)")
    ap.add_argument("--limit", type=int, default=0, help="at most about this many images per data set (quick runs)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--vision-file", default="", help="evaluate this vision graph of the package instead (e.g. vision.int8.onnx)")
    args = ap.parse_args(argv)
    t0 = time.time()
    root = shared_root()
    eval_root = Path(args.eval_root) if args.eval_root else root.parent / "eval"
    pkg = Package(Path(args.model), args.threads, args.vision_file)
    names = json.loads((HERE / "data" / "classnames.json").read_text("utf-8"))["classes"]
    langs = pkg.m["languages"]
    prompts = pkg.m["promptTemplates"]
    res: dict = {"model": pkg.m["id"], "vision_file": args.vision_file or pkg.m["vision"]["file"], "zero_shot": {}, "retrieval": {}, "notes": []}
    for ds, items in zero_shot_sets(root, eval_root, args.limit).items():
        classes = sorted({c for _, c in items})
        y = np.array([classes.index(c) for _, c in items])
        emb = pkg.encode_images([p for p, _ in items])
        res["zero_shot"][ds] = {"images": len(items), "classes": len(classes)}
        for lang in langs:
            cls_names = [names[lang][ds][c] for c in classes]
            single = pkg.encode_texts([prompts[lang][0].replace("{}", n) for n in cls_names])
            ens = []
            for n in cls_names:
                e = pkg.encode_texts([t.replace("{}", n) for t in prompts[lang]])
                ens.append(_norm(e.mean(0, keepdims=True))[0])
            acc1 = float(((emb @ single.T).argmax(1) == y).mean())
            acc_e = float(((emb @ np.stack(ens).T).argmax(1) == y).mean())
            res["zero_shot"][ds][lang] = {"single": round(100 * acc1, 2), "ensemble": round(100 * acc_e, 2)}
            print(f"zero-shot {ds:9s} {lang}: single {100 * acc1:6.2f}  ensemble {100 * acc_e:6.2f}", flush=True)
    imgs, caps = ucm_caption_test(root)
    if args.limit:
        imgs, caps = imgs[:args.limit], caps[:args.limit]
    iemb = pkg.encode_images(imgs)
    per_lang = {"en": caps, **translated_captions(caps, [l for l in langs if l != "en"])}
    for lang, cl in per_lang.items():
        temb = pkg.encode_texts([s for c in cl for s in c])
        res["retrieval"][lang] = retrieval(iemb, temb, 5)
        print(f"retrieval {lang}: {res['retrieval'][lang]}", flush=True)
    skipped = [l for l in langs if l not in per_lang]
    if skipped:
        res["notes"].append(f"retrieval not measured in {', '.join(skipped)}: no sentence translator for these "
                            "languages here (their training captions come from a class-level glossary)")
    res["retrieval_images"] = len(imgs)
    res["seconds"] = round(time.time() - t0, 1)
    if args.out:
        Path(args.out).write_text(json.dumps(res, indent=1, ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
