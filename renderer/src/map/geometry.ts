// Hits, heatmap cells and class tiles as OpenLayers geometries in the view's projection.
import Polygon from 'ol/geom/Polygon.js';
import type { Projection } from 'ol/proj.js';
import type { PixelWindow, PolygonGeometry } from '../../../shared/geo/types.js';
import type { SceneInfo } from '../../../shared/protocol/scene.js';
import { pixelToGrid, type SceneGridSpec } from './tile-grid.js';

export interface Placement {
  info: SceneInfo;
  spec: SceneGridSpec;
  sceneProjection: Projection;
  viewProjection: Projection;
}

/** A full-resolution pixel window as a polygon in the view (edges densified so reprojected outlines bend like the image). */
export function windowGeometry(p: Placement, w: PixelWindow, perEdge = 4): Polygon {
  const ring: number[][] = [];
  const corners: Array<[number, number]> = [
    [w.x, w.y],
    [w.x + w.width, w.y],
    [w.x + w.width, w.y + w.height],
    [w.x, w.y + w.height],
  ];
  for (let i = 0; i < 4; i++) {
    const [c0, r0] = corners[i];
    const [c1, r1] = corners[(i + 1) % 4];
    for (let k = 0; k < perEdge; k++) ring.push(pixelToGrid(p.info, p.spec, c0 + ((c1 - c0) * k) / perEdge, r0 + ((r1 - r0) * k) / perEdge));
  }
  ring.push(ring[0]);
  const poly = new Polygon([ring]);
  if (p.spec.mode === 'geo') poly.transform(p.sceneProjection, p.viewProjection);
  return poly;
}

/** The engine's WGS84 outline of a hit when the scene is placed on the earth; its pixel window otherwise. */
export function hitGeometry(p: Placement, hit: { window: PixelWindow; polygon: PolygonGeometry | null }): Polygon {
  if (p.spec.mode === 'geo' && hit.polygon) return new Polygon(hit.polygon.coordinates).transform('EPSG:4326', p.viewProjection) as Polygon;
  return windowGeometry(p, hit.window);
}
