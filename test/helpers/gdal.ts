// GDAL command-line tools as an independent oracle in tests.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function gdalinfoJson(path: string): any {
  return JSON.parse(execFileSync('gdalinfo', ['-json', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
}

/** Pixel (col,row) -> lon/lat through GDAL (gdaltransform with the file's georeferencing). */
export function gdalPixelToWgs84(path: string, points: [number, number][]): [number, number][] {
  const out = execFileSync('gdaltransform', ['-t_srs', 'EPSG:4326', path], {
    input: points.map(([c, r]) => `${c} ${r}`).join('\n') + '\n',
    encoding: 'utf8',
  });
  // EPSG:4326 in GDAL 3 with traditional GIS order through gdaltransform is lon lat.
  return out.trim().split('\n').map((l) => l.trim().split(/\s+/).slice(0, 2).map(Number) as [number, number]);
}

/** Per-cell mean of every band (GDAL average resampling to a grid x grid image), values 0..255. */
export function gdalCellMeans(path: string, grid: number): number[][] {
  const dir = mkdtempSync(join(tmpdir(), 'cellmeans-'));
  try {
    // Convert to float first: GDAL averages in the source type, and bytes would round every mean.
    const float = join(dir, 'float.tif');
    const tif = join(dir, 'means.tif');
    execFileSync('gdal_translate', ['-q', '-ot', 'Float32', path, float]);
    execFileSync('gdal_translate', ['-q', '-r', 'average', '-outsize', String(grid), String(grid), float, tif]);
    const bands: number[][] = [];
    for (const b of [1, 2, 3]) {
      const xyz = join(dir, `b${b}.xyz`);
      execFileSync('gdal_translate', ['-q', '-b', String(b), '-of', 'XYZ', tif, xyz]);
      bands.push(readFileSync(xyz, 'utf8').trim().split('\n').map((l) => Number(l.trim().split(/\s+/)[2])));
    }
    return bands[0].map((_, i) => [bands[0][i], bands[1][i], bands[2][i]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
