// GDAL command-line tools as the test oracle: gdalinfo -json, raw windows via gdal_translate, points via gdaltransform.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatedDir, repoRoot } from '../../../helpers/paths.js';

export const rasterFixtures = join(generatedDir, 'rasters');

/** The generated raster fixtures (built by scripts/make-fixtures.mjs; rebuilt here if missing so the file runs alone). */
export function rasterFixture(name: string): string {
  const path = join(rasterFixtures, name);
  if (!existsSync(path)) {
    execFileSync(process.execPath, [join(repoRoot, 'test', 'fixtures', 'make-rasters.mjs'), '--out', rasterFixtures], { stdio: 'inherit' });
  }
  return path;
}

export interface GdalInfo {
  size: [number, number];
  geoTransform?: number[];
  cornerCoordinates?: Record<string, [number, number]>;
  wgs84Extent?: { type: 'Polygon'; coordinates: [number, number][][] };
  stac?: Record<string, unknown>;
  metadata?: Record<string, Record<string, string>>;
  bands: {
    band: number;
    block: [number, number];
    type: string;
    description?: string;
    colorInterpretation?: string;
    noDataValue?: number | string;
    overviews?: { size: [number, number] }[];
    mask?: { flags: string[] };
  }[];
}

export function gdalinfo(path: string): GdalInfo {
  const out = execFileSync('gdalinfo', ['-json', '--config', 'GDAL_PAM_ENABLED', 'NO', path], { stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out.toString()) as GdalInfo;
}

export const GDAL_TYPES: Record<string, string> = {
  Byte: 'uint8',
  Int8: 'int8',
  UInt16: 'uint16',
  Int16: 'int16',
  UInt32: 'uint32',
  Int32: 'int32',
  Float32: 'float32',
  Float64: 'float64',
};

/** Reads a window with GDAL: one array per band (bands 1-based, or 'mask'), row-major, via gdal_translate to raw ENVI. */
export function gdalWindow(
  path: string,
  win: { x: number; y: number; width: number; height: number },
  bands: (number | 'mask')[],
  options: { overview?: number } = {},
): Float64Array[] {
  const dir = mkdtempSync(join(tmpdir(), 'geosift-gdal-'));
  try {
    // One gdal_translate for all bands: ENVI writes them band-sequential.
    const out = join(dir, 'w.raw');
    const args = ['-q', '--config', 'GDAL_PAM_ENABLED', 'NO', '-of', 'ENVI', '-co', 'INTERLEAVE=BSQ', '-ot', 'Float64'];
    for (const b of bands) args.push('-b', String(b));
    if (options.overview !== undefined) args.push('-oo', `OVERVIEW_LEVEL=${options.overview}`);
    args.push('-srcwin', String(win.x), String(win.y), String(win.width), String(win.height), path, out);
    execFileSync('gdal_translate', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const buf = readFileSync(out);
    const all = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const n = win.width * win.height;
    return bands.map((_, i) => all.slice(i * n, (i + 1) * n));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pixel (col, row) -> WGS84 lon/lat with GDAL's gdaltransform; NaN where GDAL cannot transform. */
export function gdalPixelToWgs84(path: string, points: [number, number][]): [number, number][] {
  const out = execFileSync('gdaltransform', ['-t_srs', 'OGC:CRS84', path], {
    input: points.map((p) => `${p[0]} ${p[1]}`).join('\n') + '\n',
    stdio: ['pipe', 'pipe', 'ignore'],
  }).toString();
  return out
    .trim()
    .split('\n')
    .map((l) => {
      const [a, b] = l.trim().split(/\s+/).map(Number);
      return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a) !== Infinity ? ([a, b] as [number, number]) : ([NaN, NaN] as [number, number]);
    });
}

/** CRS -> CRS points with gdaltransform (e.g. EPSG:2227 -> OGC:CRS84). */
export function gdalTransform(sSrs: string, tSrs: string, points: [number, number][]): [number, number][] {
  const out = execFileSync('gdaltransform', ['-s_srs', sSrs, '-t_srs', tSrs], {
    input: points.map((p) => `${p[0]} ${p[1]}`).join('\n') + '\n',
    stdio: ['pipe', 'pipe', 'ignore'],
  }).toString();
  return out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number).slice(0, 2) as [number, number]);
}

/** Great-circle distance in metres. */
export function distanceM(a: [number, number] | number[], b: [number, number] | number[]): number {
  const R = 6371008.8;
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLon = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Byte offset and size of the first tile of a tiled TIFF's first image, for tests that damage it. */
async function firstTile(path: string): Promise<{ offset: number; count: number }> {
  const { fromFile } = await import('geotiff');
  const tiff = await fromFile(path);
  try {
    const image = await tiff.getImage(0);
    const offset = Number(await image.fileDirectory.loadValueIndexed('TileOffsets', 0));
    const count = Number(await image.fileDirectory.loadValueIndexed('TileByteCounts', 0));
    return { offset, count };
  } finally {
    await tiff.close();
  }
}

/** The stored (compressed) bytes of a TIFF's first tile. */
export async function firstTileBytes(path: string): Promise<Uint8Array> {
  const { offset, count } = await firstTile(path);
  return new Uint8Array(readFileSync(path).subarray(offset, offset + count));
}

/**
 * Damages a TIFF's first tile in place, as a corrupt or truncated file would be: its bytes from `from(count)` (count:
 * the tile's byte count) to its end are set to `value`.
 */
export async function fillFirstTile(path: string, from: (count: number) => number, value: number): Promise<void> {
  const { offset, count } = await firstTile(path);
  const bytes = readFileSync(path);
  bytes.fill(value, offset + from(count), offset + count);
  writeFileSync(path, bytes);
}
