// Ground areas on the WGS84 ellipsoid: class raster cells projected to a local Lambert azimuthal equal-area projection.
import proj4 from 'proj4';
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import type { Position } from '../../../shared/geo/types.js';

export const WGS84_A = 6378137;
export const WGS84_F = 1 / 298.257223563;

/** PROJ definition of an equal-area projection on WGS84 centred on (lon, lat): areas measured in it are ellipsoidal areas. */
export function laeaDefinition(lon: number, lat: number): string {
  return `+proj=laea +lat_0=${lat} +lon_0=${lon} +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs`;
}

function shoelace(pts: Position[]): number {
  let s = 0;
  for (let i = 0, n = pts.length; i < n; i++) {
    const a = pts[i], b = pts[(i + 1) % n];
    s += a[0] * b[1] - b[0] * a[1];
  }
  return Math.abs(s) / 2;
}

/** Area in m2 of a lon/lat ring on the WGS84 ellipsoid (edges taken as straight in the equal-area plane: densify long edges first). */
export function ringAreaM2(ring: Position[], centre?: Position): number {
  if (ring.length < 3) return 0;
  const c = centre ?? ring.reduce<Position>((a, p) => [a[0] + p[0] / ring.length, a[1] + p[1] / ring.length], [0, 0]);
  const conv = proj4('WGS84', laeaDefinition(c[0], c[1]));
  return shoelace(ring.map((p) => conv.forward(p) as Position));
}

/** Area in m2 of the lon/lat box [w, e] x [s, n] on the WGS84 ellipsoid, in closed form (authalic latitude integral). */
export function lonLatBoxAreaM2(w: number, s: number, e: number, n: number): number {
  const f = WGS84_F, a = WGS84_A;
  const b = a * (1 - f);
  const e2 = f * (2 - f), ec = Math.sqrt(e2);
  const q = (phi: number): number => {
    const sp = Math.sin((phi * Math.PI) / 180);
    return sp / (1 - e2 * sp * sp) + (1 / (2 * ec)) * Math.log((1 + ec * sp) / (1 - ec * sp));
  };
  return Math.abs((((e - w) * Math.PI) / 180) * (b * b / 2) * (q(n) - q(s)));
}

/** Cells across and down, their size and origin in full-resolution pixels (see ClassRaster). */
export interface CellLattice {
  width: number;
  height: number;
  cellSizePx: number;
  /** Pixel where cell 0 starts (<= 0); default 0. */
  originPx?: number;
  imageWidth: number;
  imageHeight: number;
}

export interface CellAreaOptions {
  /** Sub-divisions per cell edge: cell edges are straight in the scene CRS, curved in the equal-area plane. Default 4. */
  densify?: number;
  /** Centre [lon, lat] of the equal-area projection; default the image centre. */
  centre?: Position;
}

/**
 * Ground area in m2 of every cell (clipped to the image) on the WGS84 ellipsoid, row-major.
 * `pixelToLonLat` maps full-resolution pixel coordinates (col, row) to WGS84 lon/lat.
 */
export function cellAreasM2(lattice: CellLattice, pixelToLonLat: (col: number, row: number) => Position, options: CellAreaOptions = {}): Float64Array {
  const { width, height, cellSizePx: s, imageWidth: W, imageHeight: H } = lattice;
  const o = lattice.originPx ?? 0;
  let d = Math.max(1, Math.floor(options.densify ?? 4));
  // Keep the lattice to a few million points whatever the scene size.
  while (d > 1 && (width * d + 1) * (height * d + 1) > 4_000_000) d--;
  const axis = (cells: number, length: number): number[] => {
    const v: number[] = [];
    for (let j = 0; j < cells; j++) {
      const a = Math.max(0, o + j * s), b = Math.min(length, o + (j + 1) * s);
      for (let k = 0; k < d; k++) v.push(a + ((b - a) * k) / d);
    }
    v.push(Math.min(length, o + cells * s));
    return v;
  };
  const xs = axis(width, W), ys = axis(height, H);
  const centre = options.centre ?? pixelToLonLat(W / 2, H / 2);
  const conv = proj4('WGS84', laeaDefinition(centre[0], centre[1]));
  const nx = xs.length;
  const px = new Float64Array(nx * ys.length), py = new Float64Array(nx * ys.length);
  for (let j = 0; j < ys.length; j++) {
    for (let i = 0; i < nx; i++) {
      const ll = pixelToLonLat(xs[i], ys[j]);
      const p = conv.forward([ll[0], ll[1]]);
      if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
        throw new EngineError(ErrorCodes.UNSUPPORTED_CRS, `Pixel (${xs[i]}, ${ys[j]}) has no ground position (${ll[0]}, ${ll[1]}); areas cannot be computed for this scene.`);
      }
      px[j * nx + i] = p[0];
      py[j * nx + i] = p[1];
    }
  }
  const out = new Float64Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let a = 0;
      for (let v = 0; v < d; v++) {
        for (let u = 0; u < d; u++) {
          const i0 = (r * d + v) * nx + c * d + u;
          const i1 = i0 + 1, i2 = i0 + nx + 1, i3 = i0 + nx;
          a += Math.abs((px[i0] * py[i1] - px[i1] * py[i0]) + (px[i1] * py[i2] - px[i2] * py[i1]) + (px[i2] * py[i3] - px[i3] * py[i2]) + (px[i3] * py[i0] - px[i0] * py[i3])) / 2;
        }
      }
      out[r * width + c] = a;
    }
  }
  return out;
}

/** Planar cell areas from the geotransform, for CRSs in metres that cannot be reprojected (no ellipsoid known). */
export function planarCellAreasM2(lattice: CellLattice, pixelAreaCrs: number): Float64Array {
  const out = new Float64Array(lattice.width * lattice.height);
  const s = lattice.cellSizePx, o = lattice.originPx ?? 0;
  for (let r = 0; r < lattice.height; r++) {
    const h = Math.min(lattice.imageHeight, o + (r + 1) * s) - Math.max(0, o + r * s);
    for (let c = 0; c < lattice.width; c++) {
      const w = Math.min(lattice.imageWidth, o + (c + 1) * s) - Math.max(0, o + c * s);
      out[r * lattice.width + c] = Math.max(0, w) * Math.max(0, h) * pixelAreaCrs;
    }
  }
  return out;
}
