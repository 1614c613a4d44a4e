// RFC 7946 helpers: ring orientation, bounding boxes, coordinate precision.
import type { BBox, MultiPolygonGeometry, PolygonGeometry, Position } from './types.js';

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

// ---------------------------------------------------------------------------------------------------------------
// The antimeridian (RFC 7946 sections 3.1.9 and 5.2). A ring mapped vertex by vertex to lon/lat jumps from +179.9 to
// -179.9 where it crosses 180 degrees. `unwrapRing` makes it continuous again (it may then leave [-180, 180]), which
// is what a map draws; `splitPolygonAtAntimeridian` cuts a continuous polygon at the meridian into parts that each
// lie within [-180, 180], which is what a file must hold; `lonLatBBox` gives the RFC 7946 box (west > east across it).

/** A longitude in [-180, 180]; values already in range are returned unchanged (180 stays 180). */
export function normalizeLon(lon: number): number {
  if (lon >= -180 && lon <= 180) return lon;
  const l = ((((lon + 180) % 360) + 360) % 360) - 180;
  return l === -180 && lon > 0 ? 180 : l;
}

/** Shift by a whole number of periods that brings `x` within half a period of `reference`. */
function periodsTo(x: number, reference: number, period: number): number {
  return Math.round((reference - x) / period);
}

/**
 * The ring (or line) with its x coordinates unwrapped: consecutive vertices never differ by more than half a period
 * (180 degrees), so a ring across the antimeridian stays continuous and may leave [-180, 180]. The first vertex keeps
 * its value, or, given a `reference`, is moved by whole periods to within half a period of it (keeps the rings of one
 * polygon, or the tiles of one scene, on the same side). A ring that needs no shift is returned as an unchanged copy.
 */
export function unwrapRing(ring: Position[], reference?: number, period = 360): Position[] {
  const half = period / 2;
  let k = 0;
  let prev = NaN;
  return ring.map((p, i) => {
    if (i === 0) k = reference === undefined ? 0 : periodsTo(p[0], reference, period);
    else {
      const d = p[0] + k * period - prev;
      if (d > half || d < -half) k += periodsTo(d, 0, period);
    }
    const x = k === 0 ? p[0] : p[0] + k * period;
    prev = x;
    return [x, p[1]];
  });
}

/** The whole number of turns that moves an unwrapped ring's westernmost vertex into [-180, 180). */
function turnsIntoRange(ring: Position[]): number {
  let min = Infinity;
  for (const p of ring) if (p[0] < min) min = p[0];
  return Number.isFinite(min) && (min < -180 || min >= 180) ? -Math.floor((min + 180) / 360) : 0;
}

const shiftRing = (ring: Position[], turns: number): Position[] => (turns === 0 ? ring : ring.map(([x, y]) => [x + turns * 360, y]));

/** True when a continuous (unwrapped) ring crosses a meridian at +-180 or lies beyond [-180, 180]. */
export function crossesAntimeridian(ring: Position[]): boolean {
  let min = Infinity, max = -Infinity;
  for (const p of ring) {
    if (p[0] < min) min = p[0];
    if (p[0] > max) max = p[0];
  }
  return min < -180 || max > 180;
}

/** The part of a closed ring with x <= at (side -1) or x >= at (side 1): Sutherland-Hodgman against one meridian. */
function clipRing(ring: Position[], at: number, side: -1 | 1): Position[] {
  const inside = (p: Position): boolean => (side < 0 ? p[0] <= at : p[0] >= at);
  const out: Position[] = [];
  const push = (p: Position): void => {
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  };
  for (let i = 0; i + 1 < ring.length; i++) {
    const p = ring[i], q = ring[i + 1];
    if (inside(p)) push([p[0], p[1]]);
    if ((p[0] - at) * (q[0] - at) < 0) push([at, p[1] + ((at - p[0]) * (q[1] - p[1])) / (q[0] - p[0])]);
  }
  if (out.length > 1 && out[0][0] === out[out.length - 1][0] && out[0][1] === out[out.length - 1][1]) out.pop();
  if (out.length < 3) return [];
  out.push([out[0][0], out[0][1]]);
  return ringSignedArea(out) === 0 ? [] : out;
}

/**
 * A continuous ring (see `unwrapRing`) as 1 or 2 closed rings that each lie within [-180, 180]: the ring is clipped
 * against the meridian at 180 degrees (vertices exactly on it belong to both sides), the eastern part moved by -360
 * so it starts at -180. Vertex order, hence winding, is kept. A ring that does not cross comes back alone, moved
 * into range by whole turns if it lay beyond it (unchanged otherwise). Clipping a concave ring that crosses the
 * meridian several times keeps each side as one ring joined along the meridian.
 */
export function splitRingAtAntimeridian(ring: Position[]): Position[][] {
  return splitPolygonAtAntimeridian([ring]).map((p) => p[0]);
}

/**
 * A polygon (exterior ring, then holes) whose rings are continuous and on the same turn as the exterior, split at
 * the antimeridian into polygons that each lie within [-180, 180]: one (unchanged when it does not cross) or two.
 * Holes are clipped with the same meridian; a hole that falls on one side goes with that side's part.
 */
export function splitPolygonAtAntimeridian(rings: Position[][]): Position[][][] {
  if (rings.length === 0 || rings[0].length === 0) return [rings];
  const turns = turnsIntoRange(rings[0]);
  const moved = rings.map((r) => shiftRing(closeRing(r), turns));
  let max = -Infinity;
  for (const p of moved[0]) if (p[0] > max) max = p[0];
  if (max <= 180) return [turns === 0 ? rings : moved];
  const parts: Position[][][] = [];
  for (const side of [-1, 1] as const) {
    const outer = clipRing(moved[0], 180, side);
    if (!outer.length) continue;
    const holes = moved.slice(1).map((h) => clipRing(h, 180, side)).filter((h) => h.length > 0);
    const part = [outer, ...holes];
    parts.push(side < 0 ? part : part.map((r) => shiftRing(r, -1)));
  }
  return parts;
}

/**
 * The RFC 7946 bounding box of continuous (unwrapped) rings: [west, south, east, north] with longitudes within
 * [-180, 180]; across the antimeridian west > east (section 5.2), around the whole globe [-180, .., 180, ..].
 * Rings within range give exactly `bboxOf`.
 */
export function lonLatBBox(rings: Position[][]): BBox {
  const [w, s, e, n] = bboxOf(rings.flat());
  if (!(w <= e)) return [w, s, e, n];
  if (e - w >= 360) return [-180, s, 180, n];
  if (w >= -180 && e <= 180) return [w, s, e, n];
  const turns = -Math.floor((w + 180) / 360);
  const west = w + turns * 360, east = e + turns * 360;
  return east <= 180 ? [west, s, east, n] : [west, s, east - 360, n];
}

/** Width in degrees of a box's longitude range (west > east wraps through 180). */
function lonSpan(b: BBox): number {
  return b[0] <= b[2] ? b[2] - b[0] : b[2] + 360 - b[0];
}

/**
 * The smallest box around two RFC 7946 boxes, either of which may cross the antimeridian (west > east). Two boxes
 * that do not cross and overlap (or are nearer across the map than around 180) give exactly `unionBBox`.
 */
export function unionLonLatBBox(a: BBox | null, b: BBox): BBox {
  if (!a) return b;
  const s = Math.min(a[1], b[1]), n = Math.max(a[3], b[3]);
  const aSpan = lonSpan(a), bSpan = lonSpan(b);
  if (aSpan >= 360 || bSpan >= 360) return [-180, s, 180, n];
  if (a[0] <= a[2] && b[0] <= b[2]) {
    // Neither crosses: the plain union, unless going round through 180 is shorter (two boxes on either side of it).
    const plain: BBox = [Math.min(a[0], b[0]), s, Math.max(a[2], b[2]), n];
    const [l, r] = a[0] <= b[0] ? [a, b] : [b, a];
    if (r[0] <= l[2]) return plain;
    const around = l[2] + 360 - r[0];
    return around < plain[2] - plain[0] ? [r[0], s, l[2], n] : plain;
  }
  // As arcs from their west edge: try starting from each west edge and take the shorter cover; its east edge is
  // the east edge of whichever box ends it (no arithmetic on the edges themselves).
  const cover = (p: BBox, q: BBox): [number, number] => {
    const qEnd = ((((q[0] - p[0]) % 360) + 360) % 360) + lonSpan(q);
    return qEnd > lonSpan(p) ? [qEnd, q[2]] : [lonSpan(p), p[2]];
  };
  const [spanA, eastA] = cover(a, b), [spanB, eastB] = cover(b, a);
  const [west, span, east] = spanA <= spanB ? [a[0], spanA, eastA] : [b[0], spanB, eastB];
  return span >= 360 ? [-180, s, 180, n] : [west, s, east, n];
}

/** Longitude intervals of a box within [-180, 180]: one, or two for a box across the antimeridian (west > east). */
function lonIntervals(b: BBox): [number, number][] {
  if (b[0] <= b[2] && b[2] - b[0] >= 360) return [[-180, 180]];
  const w = normalizeLon(b[0]), e = normalizeLon(b[2]);
  return b[0] <= b[2] && w <= e ? [[w, e]] : [[w, 180], [-180, e]];
}

/** Whether two WGS84 boxes [west, south, east, north] touch or overlap; either may cross the antimeridian (west > east). */
export function bboxesIntersect(a: BBox, b: BBox): boolean {
  if (!(a[1] <= b[3] && b[1] <= a[3])) return false;
  const ia = lonIntervals(a), ib = lonIntervals(b);
  return ia.some(([aw, ae]) => ib.some(([bw, be]) => aw <= be && bw <= ae));
}

/**
 * A continuous polygon (rings from `unwrapRing`, on one turn) as RFC 7946 geometry with its bbox: the polygon itself
 * when it lies within [-180, 180] (bbox exactly `bboxOf` its exterior), otherwise a MultiPolygon of its parts split
 * at the antimeridian (positions rounded to `decimals`) and a bbox with west > east. A polygon wholly beyond 180
 * degrees comes back as one Polygon moved into range.
 */
export function rfc7946Polygon(rings: Position[][], decimals = 8): { geometry: PolygonGeometry | MultiPolygonGeometry; bbox: BBox } {
  if (!rings.length || !crossesAntimeridian(rings[0])) return { geometry: { type: 'Polygon', coordinates: rings }, bbox: bboxOf(rings[0] ?? []) };
  const parts = splitPolygonAtAntimeridian(rings).map((poly) => poly.map((r) => r.map((p) => roundPosition(p, decimals))));
  const [w, s, e, n] = lonLatBBox([rings[0]]);
  const bbox: BBox = [...roundPosition([w, s], decimals), ...roundPosition([e, n], decimals)];
  if (parts.length === 1) return { geometry: { type: 'Polygon', coordinates: parts[0] }, bbox: bboxOf(parts[0][0]) };
  return { geometry: { type: 'MultiPolygon', coordinates: parts }, bbox };
}
