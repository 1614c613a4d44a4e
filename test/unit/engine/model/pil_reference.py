#!/usr/bin/env python3
"""open_clip's image transform done with PIL + numpy, for the preprocessing parity test.

Usage: pil_reference.py JOBS.json. Each job: {"jpeg": path} or {"raw": path, "width", "height"}, plus
"size", "mode" ("shortest-center-crop" | "squash"), "interpolation" ("bicubic" | "bilinear"), "out" (uint8 HWC
bytes written there), optional "decoded" (PIL's own decode of the JPEG, written as HWC bytes) and optional
"normalized" with "mean"/"std" (float32 CHW as torchvision's ToTensor + Normalize computes it).
"""
import json
import sys

import numpy as np
from PIL import Image

FILTERS = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR}


def transform(img, size, mode, interp):
    if mode == "squash":
        return img.resize((size, size), interp)
    # torchvision Resize(int) then CenterCrop, as open_clip's 'shortest' mode uses them.
    w, h = img.size
    if w <= h:
        nw, nh = size, int(size * h / w)
    else:
        nw, nh = int(size * w / h), size
    r = img.resize((nw, nh), interp)
    top = int(round((nh - size) / 2.0))
    left = int(round((nw - size) / 2.0))
    return r.crop((left, top, left + size, top + size))


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    for job in jobs:
        if "jpeg" in job:
            img = Image.open(job["jpeg"]).convert("RGB")
            if job.get("decoded"):
                with open(job["decoded"], "wb") as f:
                    f.write(np.asarray(img, np.uint8).tobytes())
        else:
            with open(job["raw"], "rb") as f:
                img = Image.frombytes("RGB", (job["width"], job["height"]), f.read())
        out = np.asarray(transform(img, job["size"], job["mode"], FILTERS[job["interpolation"]]), np.uint8)
        with open(job["out"], "wb") as f:
            f.write(out.tobytes())
        if job.get("normalized"):
            x = out.transpose(2, 0, 1).astype(np.float32) / np.float32(255)
            mean = np.array(job["mean"], np.float32).reshape(3, 1, 1)
            std = np.array(job["std"], np.float32).reshape(3, 1, 1)
            with open(job["normalized"], "wb") as f:
                f.write(((x - mean) / std).astype(np.float32).tobytes())


if __name__ == "__main__":
    main()
