// Grid union: the cells of one value in a raster as polygons with holes (boundary tracing in cell-corner coordinates).

/** A ring of cell-corner coordinates [x = column edge, y = row edge], closed (first point repeated). */
export type CellRing = [number, number][];

/** Polygons (outer ring first, then holes) covering exactly the cells where `member(row, col)` is true. */
export function traceCells(width: number, height: number, member: (row: number, col: number) => boolean): CellRing[][] {
  const inside = (r: number, c: number): boolean => r >= 0 && c >= 0 && r < height && c < width && member(r, c);
  const W1 = width + 1;
  const key = (x: number, y: number): number => y * W1 + x;
  // Directed boundary edges, clockwise on screen (y down) around each member cell; shared sides are never emitted.
  const out = new Map<number, number[]>(); // start vertex -> end vertices
  let edges = 0;
  const add = (x0: number, y0: number, x1: number, y1: number): void => {
    const k = key(x0, y0);
    const l = out.get(k);
    if (l) l.push(key(x1, y1));
    else out.set(k, [key(x1, y1)]);
    edges++;
  };
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      if (!inside(r, c)) continue;
      if (!inside(r - 1, c)) add(c, r, c + 1, r);
      if (!inside(r, c + 1)) add(c + 1, r, c + 1, r + 1);
      if (!inside(r + 1, c)) add(c + 1, r + 1, c, r + 1);
      if (!inside(r, c - 1)) add(c, r + 1, c, r);
    }
  }
  const xy = (k: number): [number, number] => [k % W1, Math.floor(k / W1)];
  const rings: CellRing[] = [];
  while (edges > 0) {
    const [startKey] = out.keys();
    let cur = startKey;
    let prev: [number, number] | null = null;
    const ring: CellRing = [xy(cur)];
    for (;;) {
      const nexts = out.get(cur)!;
      let pick = 0;
      if (nexts.length > 1 && prev) {
        // Where two regions touch at a corner, turn right (towards this region's interior) so rings stay simple.
        const [cx, cy] = xy(cur);
        const dx = cx - prev[0], dy = cy - prev[1];
        const rank = (k: number): number => {
          const [nx, ny] = xy(k);
          const ex = nx - cx, ey = ny - cy;
          if (ex === -dy && ey === dx) return 0; // right turn on screen
          if (ex === dx && ey === dy) return 1;
          return 2;
        };
        pick = nexts.map((k, i) => [rank(k), i]).sort((a, b) => a[0] - b[0])[0][1];
      }
      const next = nexts[pick];
      nexts.splice(pick, 1);
      if (nexts.length === 0) out.delete(cur);
      edges--;
      prev = xy(cur);
      cur = next;
      ring.push(xy(cur));
      // Back at the start: the ring is closed (another loop through a pinch corner is traced on its own).
      if (cur === startKey) break;
    }
    for (const loop of splitAtRepeats(ring)) rings.push(dropCollinear(loop));
  }
  // Outer rings run clockwise on screen (positive shoelace with y down), holes the other way.
  const outers = rings.filter((r) => signedArea(r) > 0);
  const holes = rings.filter((r) => signedArea(r) < 0);
  const polys: CellRing[][] = outers.map((o) => [o]);
  for (const h of holes) {
    // A member cell next to the hole's first edge lies inside the hole's smallest enclosing outer ring.
    const [a, b] = [h[0], h[1]];
    const probe = cellBeside(a, b);
    let best = -1, bestArea = Infinity;
    outers.forEach((o, i) => {
      const area = signedArea(o);
      if (area < bestArea && pointInRing(probe, o)) {
        best = i;
        bestArea = area;
      }
    });
    if (best >= 0) polys[best].push(h);
  }
  return polys;
}

/** Centre of the member cell beside edge a->b: every edge runs clockwise around its cell on screen, so the cell is on its right. */
function cellBeside(a: [number, number], b: [number, number]): [number, number] {
  const dx = Math.sign(b[0] - a[0]), dy = Math.sign(b[1] - a[1]);
  // Right of (dx, dy) on screen (y down) is (-dy, dx).
  const mx = a[0] + dx * 0.5, my = a[1] + dy * 0.5;
  return [mx + -dy * 0.5, my + dx * 0.5];
}

export function signedArea(ring: CellRing): number {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return s / 2;
}

function pointInRing(p: [number, number], ring: CellRing): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 2; i < ring.length - 1; j = i++) {
    const [xi, yi] = ring[i], [xj, yj] = ring[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * A region that touches itself at a corner gives a ring through that corner twice; cut it there into
 * simple loops (an outer ring and a hole touching it at one point, as OGC validity wants).
 */
function splitAtRepeats(ring: CellRing): CellRing[] {
  const loops: CellRing[] = [];
  const path: [number, number][] = [];
  const where = new Map<string, number>();
  for (const p of ring.slice(0, -1)) {
    const k = `${p[0]},${p[1]}`;
    const at = where.get(k);
    if (at !== undefined) {
      const loop = path.splice(at);
      for (const q of loop) where.delete(`${q[0]},${q[1]}`);
      loops.push([...loop, loop[0]]);
    }
    where.set(k, path.length);
    path.push(p);
  }
  if (path.length) loops.push([...path, path[0]]);
  return loops;
}

function dropCollinear(ring: CellRing): CellRing {
  const pts = ring.slice(0, -1);
  const keep: [number, number][] = [];
  for (let i = 0; i < pts.length; i++) {
    const a = pts[(i - 1 + pts.length) % pts.length], b = pts[i], c = pts[(i + 1) % pts.length];
    if ((b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]) !== 0) keep.push(b);
  }
  keep.push(keep[0]);
  return keep;
}
