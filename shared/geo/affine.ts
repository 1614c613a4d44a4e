// Pixel <-> CRS affine transforms in GDAL's geotransform convention.
import type { GeoTransform } from './types.js';

export function applyGeoTransform(t: GeoTransform, col: number, row: number): [number, number] {
  return [t[0] + col * t[1] + row * t[2], t[3] + col * t[4] + row * t[5]];
}

/** Inverse transform (CRS -> pixel). Throws on a degenerate (non-invertible) transform. */
export function invertGeoTransform(t: GeoTransform): GeoTransform {
  const det = t[1] * t[5] - t[2] * t[4];
  if (!Number.isFinite(det) || Math.abs(det) < 1e-300) throw new Error('Geotransform is not invertible');
  const a = t[5] / det;
  const b = -t[2] / det;
  const d = -t[4] / det;
  const e = t[1] / det;
  return [-(a * t[0] + b * t[3]), a, b, -(d * t[0] + e * t[3]), d, e];
}

/** Ground size of a pixel along columns and rows, in CRS units (rotation included). */
export function pixelSizeOf(t: GeoTransform): [number, number] {
  return [Math.hypot(t[1], t[4]), Math.hypot(t[2], t[5])];
}
