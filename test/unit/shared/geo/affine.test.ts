import { describe, expect, it } from 'vitest';
import { applyGeoTransform, invertGeoTransform, pixelSizeOf } from '../../../../shared/geo/affine.js';
import { ringSignedArea, toRightHandExterior } from '../../../../shared/geo/geojson.js';
import type { GeoTransform, Position } from '../../../../shared/geo/types.js';

describe('geotransforms', () => {
  it('maps pixel corners of a north-up UTM scene', () => {
    const t: GeoTransform = [101985, 300.0379266750948, 0, 2826915, 0, -300.041782729805];
    expect(applyGeoTransform(t, 0, 0)).toEqual([101985, 2826915]);
    const [x, y] = applyGeoTransform(t, 791, 718);
    expect(x).toBeCloseTo(101985 + 791 * 300.0379266750948, 6);
    expect(y).toBeCloseTo(2826915 - 718 * 300.041782729805, 6);
  });
  it('handles a rotated transform and inverts it exactly', () => {
    const a = (30 * Math.PI) / 180;
    const t: GeoTransform = [1000, 2 * Math.cos(a), 2 * Math.sin(a), 5000, 2 * Math.sin(a), -2 * Math.cos(a)];
    const inv = invertGeoTransform(t);
    for (const [c, r] of [[0, 0], [10, 0], [0, 10], [123.5, 456.25]]) {
      const [x, y] = applyGeoTransform(t, c, r);
      const [c2, r2] = applyGeoTransform(inv, x, y);
      expect(c2).toBeCloseTo(c, 9);
      expect(r2).toBeCloseTo(r, 9);
    }
    const [sx, sy] = pixelSizeOf(t);
    expect(sx).toBeCloseTo(2, 12);
    expect(sy).toBeCloseTo(2, 12);
  });
  it('refuses a degenerate transform', () => {
    expect(() => invertGeoTransform([0, 0, 0, 0, 0, 0])).toThrow(/not invertible/);
  });
});

describe('RFC 7946 winding', () => {
  it('turns a clockwise ring counter-clockwise and closes it', () => {
    const cw: Position[] = [[0, 0], [0, 1], [1, 1], [1, 0]];
    expect(ringSignedArea([...cw, cw[0]])).toBeLessThan(0);
    const ccw = toRightHandExterior(cw);
    expect(ringSignedArea(ccw)).toBeGreaterThan(0);
    expect(ccw[0]).toEqual(ccw[ccw.length - 1]);
    expect(ccw).toHaveLength(5);
  });
});
