// Grid union by boundary tracing: holes, corner-touching cells and separate parts, checked by area and ring count.
import { describe, expect, it } from 'vitest';
import { signedArea, traceCells } from '../../../../main/engine/export/dissolve.js';

function grid(rows: string[]): { w: number; h: number; at: (r: number, c: number) => boolean } {
  return { w: rows[0].length, h: rows.length, at: (r, c) => rows[r][c] === '#' };
}

describe('traceCells', () => {
  it('unions a block into one rectangle', () => {
    const g = grid(['##', '##']);
    const p = traceCells(g.w, g.h, g.at);
    expect(p).toEqual([[[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]]);
  });

  it('keeps a hole as an inner ring', () => {
    const g = grid(['###', '#.#', '###']);
    const p = traceCells(g.w, g.h, g.at);
    expect(p).toHaveLength(1);
    expect(p[0]).toHaveLength(2);
    expect(signedArea(p[0][0]) + signedArea(p[0][1])).toBe(8);
  });

  it('splits cells that touch only at a corner into two simple polygons', () => {
    const g = grid(['#.', '.#']);
    const p = traceCells(g.w, g.h, g.at);
    expect(p).toHaveLength(2);
    for (const poly of p) {
      expect(poly).toHaveLength(1);
      expect(poly[0]).toHaveLength(5);
      expect(signedArea(poly[0])).toBe(1);
    }
  });

  it('puts an island inside a lake inside an island in the right polygons', () => {
    const g = grid(['#####', '#...#', '#.#.#', '#...#', '#####']);
    const p = traceCells(g.w, g.h, g.at);
    expect(p).toHaveLength(2);
    const big = p.find((x) => x.length === 2)!;
    const small = p.find((x) => x.length === 1)!;
    expect(signedArea(big[0]) + signedArea(big[1])).toBe(16);
    expect(signedArea(small[0])).toBe(1);
  });

  it('cuts a ring that touches itself at a corner into simple rings (two holes meeting at a point)', () => {
    const g = grid(['.###', '##.#', '#.##', '####']);
    const p = traceCells(g.w, g.h, g.at);
    expect(p).toHaveLength(1);
    expect(p[0]).toHaveLength(3);
    expect(p[0].slice(1).map(signedArea)).toEqual([-1, -1]);
    expect(p[0].reduce((s, r) => s + signedArea(r), 0)).toBe(13);
  });

  it('covers exactly the member cells of a random pattern', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const rows = Array.from({ length: 20 }, () => Array.from({ length: 30 }, () => (rnd() < 0.45 ? '#' : '.')).join(''));
    const g = grid(rows);
    const polys = traceCells(g.w, g.h, g.at);
    const total = polys.reduce((s, p) => s + p.reduce((t, ring) => t + signedArea(ring), 0), 0);
    expect(total).toBe(rows.join('').split('').filter((ch) => ch === '#').length);
    for (const p of polys) {
      expect(signedArea(p[0])).toBeGreaterThan(0);
      for (const h of p.slice(1)) expect(signedArea(h)).toBeLessThan(0);
      // Simple rings: no vertex repeated except the closing one.
      for (const ring of p) expect(new Set(ring.slice(0, -1).map((v) => v.join(','))).size).toBe(ring.length - 1);
    }
  });
});
