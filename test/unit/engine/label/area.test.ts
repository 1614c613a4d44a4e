// Ellipsoidal areas in plain numbers: a 1 degree cell at the equator, a UTM pixel at the central meridian, partial edge cells.
import proj4 from 'proj4';
import { describe, expect, it } from 'vitest';
import { cellAreasM2, lonLatBoxAreaM2, planarCellAreasM2, ringAreaM2 } from '../../../../main/engine/label/area.js';

describe('areas on the WGS84 ellipsoid', () => {
  it('a 1 x 1 degree cell at the equator is about 12 309 km2 (closed form)', () => {
    expect(lonLatBoxAreaM2(0, 0, 1, 1) / 1e6).toBeCloseTo(12308.8, 0);
    // At 60..61 N: a little more than on the authalic sphere (R = 6371007.2 m), which gives 6089 km2 there.
    const sphere = 6371007.2 ** 2 * (Math.PI / 180) * (Math.sin((61 * Math.PI) / 180) - Math.sin((60 * Math.PI) / 180));
    const ratio = lonLatBoxAreaM2(0, 60, 1, 61) / sphere;
    expect(ratio).toBeGreaterThan(1);
    expect(ratio).toBeLessThan(1.01);
  });

  it('the equal-area projection gives the closed-form area of lon/lat cells', () => {
    for (const lat0 of [0, 45, 60, -33]) {
      // One 1-degree cell made of 100 x 100 pixels of 0.01 degree.
      const toLonLat = (c: number, r: number): [number, number] => [10 + c * 0.01, lat0 + 1 - r * 0.01];
      const [a] = cellAreasM2({ width: 1, height: 1, cellSizePx: 100, imageWidth: 100, imageHeight: 100 }, toLonLat, { densify: 16 });
      expect(Math.abs(a / lonLatBoxAreaM2(10, lat0, 11, lat0 + 1) - 1), `lat ${lat0}`).toBeLessThan(1e-5);
    }
  });

  it('a 300 m UTM pixel on the central meridian is 9 ha / k0^2 = 9.0072 ha (UTM shrinks distances there by 0.9996)', () => {
    const utm = proj4('+proj=utm +zone=11 +datum=WGS84 +units=m +no_defs', 'WGS84');
    const toLonLat = (c: number, r: number): [number, number] => utm.forward([499850 + c * 300, 4100150 - r * 300]) as [number, number];
    const [a] = cellAreasM2({ width: 1, height: 1, cellSizePx: 1, imageWidth: 1, imageHeight: 1 }, toLonLat);
    expect(a / 1e4).toBeCloseTo(9 / 0.9996 ** 2, 4);
    expect(a).toBeCloseTo(90072.06, 0);
  });

  it('clips the last row and column of cells to the image', () => {
    const planar = planarCellAreasM2({ width: 3, height: 2, cellSizePx: 100, imageWidth: 250, imageHeight: 130 }, 0.09);
    expect(Array.from(planar)).toEqual([900, 900, 450, 270, 270, 135].map((v) => expect.closeTo(v, 9)) as unknown as number[]);
    const toLonLat = (c: number, r: number): [number, number] => [c * 1e-4, -r * 1e-4];
    const ell = cellAreasM2({ width: 3, height: 2, cellSizePx: 100, imageWidth: 250, imageHeight: 130 }, toLonLat);
    const total = Array.from(ell).reduce((s, v) => s + v, 0);
    expect(total / lonLatBoxAreaM2(0, -0.013, 0.025, 0)).toBeCloseTo(1, 6);
    expect(ell[2] / ell[0]).toBeCloseTo(0.5, 3);
  });

  it('measures a lon/lat ring', () => {
    const ring: [number, number][] = [];
    for (let i = 0; i <= 10; i++) ring.push([i * 0.1, 0]);
    for (let i = 0; i <= 10; i++) ring.push([1, i * 0.1]);
    for (let i = 10; i >= 0; i--) ring.push([i * 0.1, 1]);
    for (let i = 10; i >= 0; i--) ring.push([0, i * 0.1]);
    expect(ringAreaM2(ring) / lonLatBoxAreaM2(0, 0, 1, 1)).toBeCloseTo(1, 4);
  });
});
