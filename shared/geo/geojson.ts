// RFC 7946 helpers: ring orientation, bounding boxes, coordinate precision.
import type { BBox, Position } from './types.js';

/** Twice the signed area of a ring in a planar lon/lat sense; > 0 is counter-clockwise. */
export function ringSignedArea(ring: Position[]): number {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return s;
}

/** RFC 7946 section 3.1.6: exterior rings counter-clockwise (right-hand rule). Returns a closed copy. */
export function toRightHandExterior(ring: Position[]): Position[] {
  const closed = closeRing(ring);
  return ringSignedArea(closed) < 0 ? closed.slice().reverse() : closed;
}

export function closeRing(ring: Position[]): Position[] {
  if (ring.length === 0) return ring;
  const a = ring[0], b = ring[ring.length - 1];
  return a[0] === b[0] && a[1] === b[1] ? ring.slice() : [...ring, [a[0], a[1]]];
}

export function bboxOf(points: Iterable<Position>): BBox {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  for (const [x, y] of points) {
    if (x < w) w = x;
    if (x > e) e = x;
    if (y < s) s = y;
    if (y > n) n = y;
  }
  return [w, s, e, n];
}

export function unionBBox(a: BBox | null, b: BBox): BBox {
  if (!a) return b;
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

/** RFC 7946 section 11.2: about 7 decimals (1 cm) is plenty for lon/lat. */
export function roundPosition(p: Position, decimals = 8): Position {
  const f = 10 ** decimals;
  return [Math.round(p[0] * f) / f, Math.round(p[1] * f) / f];
}
