// Antimeridian helpers (RFC 7946 sections 3.1.9 and 5.2): unwrapping, splitting at 180, bboxes and their intersection.
import { describe, expect, it } from 'vitest';
import {
  bboxesIntersect, bboxOf, crossesAntimeridian, lonLatBBox, normalizeLon, rfc7946Polygon, ringSignedArea, splitPolygonAtAntimeridian,
  splitRingAtAntimeridian, unionBBox, unionLonLatBBox, unwrapRing,
} from '../../../../shared/geo/geojson.js';
import type { BBox, Position } from '../../../../shared/geo/types.js';

/** Counter-clockwise box from west to east (east may exceed 180), closed. */
const box = (w: number, s: number, e: number, n: number): Position[] => [[w, s], [e, s], [e, n], [w, n], [w, s]];
const wrap = (ring: Position[]): Position[] => ring.map(([x, y]) => [normalizeLon(x), y]);
const closed = (r: Position[]) => r[0][0] === r[r.length - 1][0] && r[0][1] === r[r.length - 1][1];
const inRange = (r: Position[]) => r.every(([x]) => x >= -180 && x <= 180);

describe('normalizeLon', () => {
  it('keeps longitudes in range and wraps the others', () => {
    expect(normalizeLon(180)).toBe(180);
    expect(normalizeLon(-180)).toBe(-180);
    expect(normalizeLon(12.5)).toBe(12.5);
    expect(normalizeLon(180.5)).toBeCloseTo(-179.5, 12);
    expect(normalizeLon(-180.5)).toBeCloseTo(179.5, 12);
    expect(normalizeLon(540)).toBe(180);
    expect(normalizeLon(-540)).toBe(-180);
  });
});

describe('unwrapRing', () => {
  it('makes a ring across 180 continuous and leaves other rings untouched', () => {
    const wrapped = wrap(box(179.5, 10, 180.5, 11));
    expect(wrapped[1][0]).toBeCloseTo(-179.5, 12);
    const u = unwrapRing(wrapped);
    expect(u.map((p) => p[0])).toEqual([179.5, 180.5, 180.5, 179.5, 179.5]);
    for (let i = 0; i + 1 < u.length; i++) expect(Math.abs(u[i + 1][0] - u[i][0])).toBeLessThanOrEqual(180);
    const plain = box(10.123456789, 1, 11, 2);
    expect(unwrapRing(plain)).toEqual(plain);
    expect(unwrapRing(plain)).not.toBe(plain);
  });
  it('moves the ring to the turn of a reference longitude', () => {
    const u = unwrapRing(wrap(box(179.5, 10, 180.5, 11)), -179.9);
    expect(u.map((p) => p[0])).toEqual([-180.5, -179.5, -179.5, -180.5, -180.5]);
    expect(unwrapRing(box(-179.9, 0, -179.8, 1), 179.9)[0][0]).toBeCloseTo(180.1, 12);
    expect(unwrapRing(box(10, 0, 11, 1), 12)).toEqual(box(10, 0, 11, 1));
  });
  it('unwraps any period (a world width in metres)', () => {
    const W = 40075016.68557849;
    const u = unwrapRing([[W / 2 - 10, 0], [-W / 2 + 10, 0], [-W / 2 + 10, 5], [W / 2 - 10, 0]], undefined, W);
    expect(u[1][0]).toBeCloseTo(W / 2 + 10, 6);
  });
});

describe('splitRingAtAntimeridian', () => {
  it('returns a ring that does not cross as it is', () => {
    const r = box(170, 10, 179, 11);
    expect(splitRingAtAntimeridian(r)).toEqual([r]);
    expect(crossesAntimeridian(r)).toBe(false);
  });
  it('keeps a ring that touches 180 from the west whole', () => {
    const r = box(179, 10, 180, 11);
    expect(crossesAntimeridian(r)).toBe(false);
    expect(splitRingAtAntimeridian(r)).toEqual([r]);
  });
  it('moves a ring that touches 180 from the east (or lies beyond it) into range', () => {
    const [r] = splitRingAtAntimeridian(box(180, 10, 181, 11));
    expect(r.map((p) => p[0])).toEqual([-180, -179, -179, -180, -180]);
    expect(splitRingAtAntimeridian(box(-181, 10, -180, 11))).toEqual([box(179, 10, 180, 11)]);
  });
  it('splits a crossing ring exactly at +-180 into two closed counter-clockwise rings within range', () => {
    const ring = box(179.5, 10, 180.5, 12);
    expect(crossesAntimeridian(ring)).toBe(true);
    const parts = splitRingAtAntimeridian(ring);
    expect(parts).toHaveLength(2);
    const [west, east] = parts;
    expect(west).toEqual([[179.5, 10], [180, 10], [180, 12], [179.5, 12], [179.5, 10]]);
    expect(east).toEqual([[-180, 10], [-179.5, 10], [-179.5, 12], [-180, 12], [-180, 10]]);
    for (const p of parts) {
      expect(closed(p)).toBe(true);
      expect(inRange(p)).toBe(true);
      expect(ringSignedArea(p)).toBeGreaterThan(0);
    }
  });
  it('keeps clockwise rings clockwise and interpolates the cut on slanted edges', () => {
    const cw: Position[] = [[179, 0], [179.5, 2], [181, 2], [180.5, 0], [179, 0]];
    const parts = splitRingAtAntimeridian(cw);
    expect(parts).toHaveLength(2);
    for (const p of parts) expect(ringSignedArea(p)).toBeLessThan(0);
    // Edge (179.5, 2) -> (181, 2) meets 180 at lat 2, edge (180.5, 0) -> (179, 0) at lat 0: each cut is in both parts.
    const cuts = parts.flatMap((p) => p.slice(0, -1)).filter(([x]) => Math.abs(x) === 180);
    expect(cuts.map(([, y]) => y).sort()).toEqual([0, 0, 2, 2]);
    const slanted: Position[] = [[179, 0], [181, 1], [181, 3], [179, 2], [179, 0]];
    const [w, e] = splitRingAtAntimeridian(slanted);
    expect(w).toContainEqual([180, 0.5]);
    expect(w).toContainEqual([180, 2.5]);
    expect(e).toContainEqual([-180, 0.5]);
    expect(e).toContainEqual([-180, 2.5]);
  });
  it('includes vertices exactly on 180 in both parts', () => {
    const diamond: Position[] = [[180, 0], [181, 1], [180, 2], [179, 1], [180, 0]];
    const [w, e] = splitRingAtAntimeridian(diamond);
    expect(w).toEqual([[180, 0], [180, 2], [179, 1], [180, 0]]);
    expect(e).toEqual([[-180, 0], [-179, 1], [-180, 2], [-180, 0]]);
  });
  it('handles a ring that crosses -180 the same way', () => {
    const parts = splitRingAtAntimeridian(box(-180.25, -5, -179.75, 5));
    expect(parts).toEqual([box(179.75, -5, 180, 5), box(-180, -5, -179.75, 5)]);
  });
});

describe('splitPolygonAtAntimeridian', () => {
  it('sends holes with their side and clips holes across the meridian', () => {
    const outer = box(178, 0, 182, 10);
    const holeWest = box(178.5, 1, 179, 2).reverse();
    const holeAcross = box(179.5, 5, 180.5, 6).reverse();
    const parts = splitPolygonAtAntimeridian([outer, holeWest, holeAcross]);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toHaveLength(3);
    expect(parts[1]).toHaveLength(2);
    for (const poly of parts) {
      expect(ringSignedArea(poly[0])).toBeGreaterThan(0);
      for (const h of poly.slice(1)) expect(ringSignedArea(h)).toBeLessThan(0);
      for (const r of poly) expect(inRange(r) && closed(r)).toBe(true);
    }
  });
});

describe('lonLatBBox, unionLonLatBBox', () => {
  it('gives west > east across 180 and exactly bboxOf otherwise', () => {
    expect(lonLatBBox([box(179.5, 10, 180.5, 12)])).toEqual([179.5, 10, -179.5, 12]);
    expect(lonLatBBox([box(-180.5, 10, -179.5, 12)])).toEqual([179.5, 10, -179.5, 12]);
    expect(lonLatBBox([box(180.5, 10, 181.5, 12)])).toEqual([-179.5, 10, -178.5, 12]);
    const r = box(1.123456789, 2, 3, 4);
    expect(lonLatBBox([r])).toEqual(bboxOf(r));
    expect(lonLatBBox([box(-200, 0, 200, 1)])).toEqual([-180, 0, 180, 1]);
  });
  it('unions boxes on the short way round', () => {
    const a: BBox = [1, 2, 3, 4], b: BBox = [2.5, 1, 5, 3];
    expect(unionLonLatBBox(a, b)).toEqual(unionBBox(a, b));
    expect(unionLonLatBBox(null, a)).toBe(a);
    expect(unionLonLatBBox([10, 0, 20, 1], [30, 0, 40, 1])).toEqual([10, 0, 40, 1]);
    // Either side of 180, none crossing: the box goes through 180.
    expect(unionLonLatBBox([179, 0, 179.5, 1], [-179.8, 0, -179.2, 2])).toEqual([179, 0, -179.2, 2]);
    expect(unionLonLatBBox([-179.8, 0, -179.2, 2], [179, 0, 179.5, 1])).toEqual([179, 0, -179.2, 2]);
    // A crossing box and one either side.
    expect(unionLonLatBBox([179.5, 0, -179.5, 1], [179, 0, 179.6, 1])).toEqual([179, 0, -179.5, 1]);
    expect(unionLonLatBBox([179.5, 0, -179.5, 1], [-179.6, 0, -179, 1])).toEqual([179.5, 0, -179, 1]);
    expect(unionLonLatBBox([179.5, 0, -179.5, 1], [179.8, -1, -179.9, 0.5])).toEqual([179.5, -1, -179.5, 1]);
  });
});

describe('bboxesIntersect', () => {
  const crossing: BBox = [179.9, 49.9, -179.9, 50.1];
  it('matches plain boxes as before', () => {
    expect(bboxesIntersect([0, 0, 2, 2], [1, 1, 3, 3])).toBe(true);
    expect(bboxesIntersect([0, 0, 2, 2], [2, 2, 3, 3])).toBe(true);
    expect(bboxesIntersect([0, 0, 2, 2], [2.1, 0, 3, 3])).toBe(false);
    expect(bboxesIntersect([0, 0, 2, 2], [0, 2.1, 2, 3])).toBe(false);
  });
  it('finds a crossing box from either side of 180 and from a crossing box', () => {
    expect(bboxesIntersect(crossing, [179.5, 49, 179.95, 51])).toBe(true);
    expect(bboxesIntersect(crossing, [-179.95, 49, -179.5, 51])).toBe(true);
    expect(bboxesIntersect([-179.95, 49, -179.5, 51], crossing)).toBe(true);
    expect(bboxesIntersect(crossing, [179.95, 49, -179.95, 51])).toBe(true);
    expect(bboxesIntersect(crossing, [179.5, 49, 179.8, 51])).toBe(false);
    expect(bboxesIntersect(crossing, [-179.8, 49, -179.5, 51])).toBe(false);
    expect(bboxesIntersect(crossing, [0, 49, 10, 51])).toBe(false);
    expect(bboxesIntersect(crossing, [-180, 49, 180, 51])).toBe(true);
    expect(bboxesIntersect(crossing, [179.5, 50.2, -179.5, 51])).toBe(false);
  });
  it('reads an unwrapped box (east past 180) as the box across it', () => {
    expect(bboxesIntersect([179.5, 49, 180.5, 51], [-179.8, 49, -179.6, 51])).toBe(true);
    expect(bboxesIntersect([179.5, 49, 180.5, 51], [-179.4, 49, -179.2, 51])).toBe(false);
  });
});

describe('rfc7946Polygon', () => {
  it('passes a polygon within range through with bboxOf', () => {
    const rings = [box(10, 0, 11, 1)];
    expect(rfc7946Polygon(rings)).toEqual({ geometry: { type: 'Polygon', coordinates: rings }, bbox: bboxOf(rings[0]) });
  });
  it('gives a MultiPolygon of rounded parts and a bbox with west > east across 180', () => {
    const g = rfc7946Polygon([box(179.9, 49.9, 180.123456789, 50.1)]);
    expect(g.geometry.type).toBe('MultiPolygon');
    expect(g.bbox).toEqual([179.9, 49.9, -179.87654321, 50.1]);
    const parts = g.geometry.coordinates as Position[][][];
    expect(parts[1][0]).toEqual([[-180, 49.9], [-179.87654321, 49.9], [-179.87654321, 50.1], [-180, 50.1], [-180, 49.9]]);
  });
});
