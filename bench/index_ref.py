"""Reference indexing pipeline an analyst would write: rasterio window reads + the same network in PyTorch.

Reads the spec written by index-throughput.ts (scene, tile windows, level, stretch, normalisation, batch size,
threads, which torch model) and prints one JSON line: model-only and end-to-end tiles/s, and tile 0's embedding.
"""
import json
import sys
import time
from pathlib import Path

import numpy as np
import rasterio
import torch
import torch.nn.functional as F
from rasterio.windows import Window


def build_model(kind: str):
    if kind.startswith('seeded:'):
        _, arch, seed = kind.split(':')
        from geosift_models.seeded import create_seeded_model

        model = create_seeded_model(arch, int(seed))
        return lambda x: model.encode_image(x, normalize=True)
    if kind.startswith('mini:'):
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'models' / 'training'))
        from model import MiniClip, ModelConfig

        ck = torch.load(kind[5:], map_location='cpu', weights_only=False)
        model = MiniClip(ModelConfig(**ck['config']))
        model.load_state_dict(ck['model'])
        model.eval()
        return model.encode_image
    if kind.startswith('mini-arch:'):
        # No training checkpoint at hand (they are not committed): the same architecture, seeded weights. Its speed is
        # the trained model's (same layers, same shapes); its embeddings are not, so no cosine check is possible.
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'models' / 'training'))
        from model import MiniClip, ModelConfig

        manifest = json.load(open(kind[len('mini-arch:'):]))
        torch.manual_seed(0)
        model = MiniClip(ModelConfig(**manifest['provenance']['training']['config']))
        model.eval()
        return model.encode_image
    raise SystemExit(f'unknown torch model {kind}')


def main():
    spec = json.load(open(sys.argv[1]))
    torch.set_num_threads(spec['threads'])
    encode = build_model(spec['torch'])
    size, bs = spec['imageSize'], spec['batch']
    mean = torch.tensor(spec['mean']).view(1, 3, 1, 1)
    std = torch.tensor(spec['std']).view(1, 3, 1, 1)
    lo = np.array([s['min'] for s in spec['stretch']], dtype=np.float32).reshape(3, 1, 1)
    hi = np.array([s['max'] for s in spec['stretch']], dtype=np.float32).reshape(3, 1, 1)
    identity = bool(np.all(lo == 0) and np.all(hi == 255))
    level = spec['level']

    with rasterio.open(spec['scene']) as full:
        full_width = full.width

    def tiles(skip_empty=True):
        kw = {} if level == 0 else {'overview_level': level - 1}
        with rasterio.open(spec['scene'], **kw) as ds:
            scale_x = ds.width / full_width
            for x, y, w, h in spec['windows']:
                win = Window(x * scale_x, y * scale_x, w * scale_x, h * scale_x)
                a = ds.read(indexes=[1, 2, 3], window=win, boundless=True, fill_value=0,
                            out_shape=(3, spec['readSize'], spec['readSize']))
                mask = ds.read_masks(1, window=win, boundless=True, out_shape=(spec['readSize'], spec['readSize']))
                if skip_empty and (mask > 0).mean() < spec['minValid']:
                    continue
                if not identity:
                    a = np.clip((a.astype(np.float32) - lo) * (255.0 / (hi - lo)), 0, 255).round().astype(np.uint8)
                yield a

    def to_tensor(arrays):
        x = torch.from_numpy(np.stack(arrays)).float().div_(255.0)
        if x.shape[-1] != size:
            x = F.interpolate(x, size=(size, size), mode='bicubic', align_corners=False).clamp_(0, 1)
        return (x - mean) / std

    reps = int(spec.get('reps', 1))
    with torch.inference_mode():
        # Model-only: every tile of the grid, decoded, in memory as one normalised tensor (as ours).
        arrays = list(tiles(skip_empty=False))
        pixels = to_tensor(arrays)
        encode(pixels[:bs])  # warm-up
        first = encode(pixels[:1])[0].numpy()

        def model_pass():
            t0 = time.perf_counter()
            for i in range(0, len(pixels), bs):
                encode(pixels[i:i + bs])
            return len(pixels) / (time.perf_counter() - t0)

        def e2e_pass():
            # End-to-end: open, read windows, stretch, normalise, batch, encode, collect.
            t0 = time.perf_counter()
            out, buf = [], []
            for a in tiles():
                buf.append(a)
                if len(buf) == bs:
                    out.append(encode(to_tensor(buf)))
                    buf = []
            if buf:
                out.append(encode(to_tensor(buf)))
            emb = torch.cat(out).numpy()
            return len(emb) / (time.perf_counter() - t0), len(emb)

        # Alternated passes, medians reported (as ours).
        model_runs, e2e_runs, n = [], [], 0
        for _ in range(reps):
            model_runs.append(model_pass())
            rate, n = e2e_pass()
            e2e_runs.append(rate)
        model_only = float(np.median(model_runs))
        e2e = float(np.median(e2e_runs))
    print(json.dumps({'model_only_tiles_s': model_only, 'e2e_tiles_s': e2e, 'tiles': n, 'model_only_runs': model_runs, 'e2e_runs': e2e_runs, 'first': first.tolist(),
                      'torch': f'torch {torch.__version__} {spec["torch"].split(":")[0]}', 'threads': torch.get_num_threads()}))


if __name__ == '__main__':
    main()
