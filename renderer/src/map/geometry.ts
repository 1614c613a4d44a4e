// Hits, heatmap cells and class tiles as OpenLayers geometries in the view's projection.
import { getWidth } from 'ol/extent.js';
import Polygon from 'ol/geom/Polygon.js';
import { transform, type Projection } from 'ol/proj.js';
import { unwrapRing } from '../../../shared/geo/geojson.js';
import type { PixelWindow, PolygonGeometry, Position } from '../../../shared/geo/types.js';
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
  if (p.spec.mode === 'geo') {
    poly.transform(p.sceneProjection, p.viewProjection);
    return continuousAcrossAntimeridian(p, poly);
  }
  return poly;
}

/**
 * Reprojecting to a world-wrapping view (EPSG:3857) brings every point back into the first world, so an outline
 * across the antimeridian jumps by a world width. Unwrap it around the scene centre, as the engine does with hit
 * polygons (their longitudes run on past +-180), so every outline of one scene lies in the same world copy.
 */
function continuousAcrossAntimeridian(p: Placement, poly: Polygon): Polygon {
  const extent = p.viewProjection.getExtent();
  if (!p.viewProjection.canWrapX() || !extent) return poly;
  const centre = transform(pixelToGrid(p.info, p.spec, p.info.width / 2, p.info.height / 2), p.sceneProjection, p.viewProjection);
  const rings = poly.getCoordinates() as Position[][];
  const unwrapped = rings.map((r) => unwrapRing(r, centre[0], getWidth(extent)));
  return unwrapped.every((r, i) => r.every((q, j) => q[0] === rings[i][j][0])) ? poly : new Polygon(unwrapped);
}

/** The engine's WGS84 outline of a hit when the scene is placed on the earth; its pixel window otherwise. */
export function hitGeometry(p: Placement, hit: { window: PixelWindow; polygon: PolygonGeometry | null }): Polygon {
  if (p.spec.mode === 'geo' && hit.polygon) return new Polygon(hit.polygon.coordinates).transform('EPSG:4326', p.viewProjection) as Polygon;
  return windowGeometry(p, hit.window);
}
