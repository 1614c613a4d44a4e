"""Decoding baseline: the same windows read with rasterio (GDAL), single thread; prints MPix/s per codec and level as JSON."""
import json
import os
import statistics
import sys
import time

os.environ.setdefault('GDAL_NUM_THREADS', '1')
import rasterio  # noqa: E402
from rasterio.windows import Window  # noqa: E402


def once(path, level, windows):
    kw = {} if level == 0 else {'overview_level': level - 1}
    # A fresh dataset per pass: GDAL's block cache is dropped with it, as our reader keeps none.
    with rasterio.open(path, **kw) as ds:
        t0 = time.perf_counter()
        c0 = time.process_time()
        pixels = 0
        for x, y, w, h in windows:
            a = ds.read(indexes=[1, 2, 3], window=Window(x, y, w, h))
            pixels += a.shape[1] * a.shape[2]
        return pixels / 1e6 / (time.perf_counter() - t0), pixels / 1e6 / (time.process_time() - c0)


def main():
    spec = json.load(open(sys.argv[1]))
    out = []
    for job in spec['jobs']:
        once(job['file'], job['level'], job['windows'])
        rates = [once(job['file'], job['level'], job['windows']) for _ in range(spec['reps'])]
        out.append({'codec': job['codec'], 'level': job['level'], 'mpix_s': statistics.median(r[0] for r in rates),
                    'mpix_cpu_s': statistics.median(r[1] for r in rates)})
    print(json.dumps({'results': out, 'gdal': rasterio.__gdal_version__, 'rasterio': rasterio.__version__}))


if __name__ == '__main__':
    main()
