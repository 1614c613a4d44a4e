// Labels -> RFC 7946 GeoJSON: one polygon per tile (its core cells) or, dissolved, one MultiPolygon per class.
import { rfc7946Polygon, roundPosition, toRightHandExterior, unionLonLatBBox, unwrapRing } from '../../../shared/geo/geojson.js';
import type { BBox, Feature, FeatureCollection, Geometry, MultiPolygonGeometry, Position } from '../../../shared/geo/types.js';
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import { cellCornerToPixel, cellPixelRect, type ClassRaster } from '../label/class-raster.js';
import type { LabelResult } from '../label/label-scene.js';
import { NODATA_VALUE, UNKNOWN_VALUE } from '../label/types.js';
import type { Scene } from '../raster/types.js';
import { DEFAULT_DENSIFY, sceneReferenceLon, windowToWgs84Polygon } from '../tasks/export-geojson.js';
import { traceCells, type CellRing } from './dissolve.js';
import { labelsProvenance } from './provenance.js';

export interface LabelsGeoJSONOptions {
  /** One MultiPolygon per class (and one for unknown) instead of one polygon per tile. */
  dissolve?: boolean;
  /** Per-tile geometry: the tile's core cells (default; tiles then never overlap) or its full window. */
  tileGeometry?: 'core' | 'window';
  /** Segments per edge of per-tile polygons. Default 8. */
  densify?: number;
}

const r6 = (v: number): number => Number(v.toFixed(6));
const area = (v: number): number | null => (Number.isFinite(v) ? Number(v.toFixed(4)) : null);

/** A cell ring in WGS84, continuous across the antimeridian (unwrapped around `reference`, see windowToWgs84Polygon). */
function ringToWgs84(scene: Scene, ring: CellRing, raster: ClassRaster, reference: number | undefined): Position[] {
  return unwrapRing(ring.map(([x, y]) => scene.pixelToWgs84(...cellCornerToPixel(raster, x, y))), reference).map((p) => roundPosition(p));
}

/** RFC 7946: exterior counter-clockwise, holes clockwise. */
function orient(rings: Position[][]): Position[][] {
  return rings.map((r, i) => (i === 0 ? toRightHandExterior(r) : toRightHandExterior(r).slice().reverse()));
}

export function labelsToGeoJSON(scene: Scene, result: LabelResult, options: LabelsGeoJSONOptions = {}): FeatureCollection {
  if (!scene.info.geoTransform || !scene.info.crs?.proj4) {
    throw new EngineError(ErrorCodes.NOT_GEOREFERENCED, `${scene.info.source} has no georeferencing that can be reprojected to WGS84; its labels cannot be exported as GeoJSON (use the CSV export).`);
  }
  const raster = result.raster;
  const classes = result.scheme.classes;
  let bbox: BBox | null = null;
  const features: Feature[] = [];
  const reference = sceneReferenceLon(scene);
  const addBox = (b: BBox): BBox => {
    bbox = unionLonLatBBox(bbox, b);
    return b;
  };

  if (options.dissolve) {
    for (const a of result.areas) {
      if (a.value === NODATA_VALUE || a.cells === 0) continue;
      const polys = traceCells(raster.width, raster.height, (r, c) => raster.data[r * raster.width + c] === a.value);
      // RFC 7946 section 3.1.9: a polygon across the antimeridian contributes its parts split at 180 degrees.
      const coordinates: Position[][][] = [];
      const boxes: BBox[] = [];
      for (const p of polys) {
        const g = rfc7946Polygon(orient(p.map((ring) => ringToWgs84(scene, ring, raster, reference))));
        if (g.geometry.type === 'Polygon') coordinates.push(g.geometry.coordinates);
        else coordinates.push(...g.geometry.coordinates);
        boxes.push(addBox(g.bbox));
      }
      const geometry: MultiPolygonGeometry = { type: 'MultiPolygon', coordinates };
      features.push({
        type: 'Feature',
        id: a.id,
        bbox: boxes.reduce<BBox | null>((acc, b) => unionLonLatBBox(acc, b), null)!,
        geometry,
        properties: {
          class: a.id,
          name: a.name,
          value: a.value,
          color: a.color,
          tiles: a.tiles,
          cells: a.cells,
          area_ha: area(a.areaHa),
          area_km2: area(a.areaKm2),
          fraction: area(a.fraction),
          mean_probability: a.meanProbability === null ? null : r6(a.meanProbability),
        },
      });
    }
  } else {
    // Core of each tile: the bounding rectangle of the class raster cells it owns (a rectangle by construction).
    const core = new Map<number, [number, number, number, number]>();
    for (let r = 0; r < raster.height; r++) {
      for (let c = 0; c < raster.width; c++) {
        const t = raster.owner[r * raster.width + c];
        const b = core.get(t);
        if (!b) core.set(t, [c, r, c, r]);
        else {
          b[0] = Math.min(b[0], c); b[1] = Math.min(b[1], r); b[2] = Math.max(b[2], c); b[3] = Math.max(b[3], r);
        }
      }
    }
    const densify = options.densify ?? DEFAULT_DENSIFY;
    for (const t of result.tiles) {
      const b = core.get(t.tileIndex);
      let outline;
      if ((options.tileGeometry ?? 'core') === 'core' && b) {
        const p0 = cellPixelRect(raster, b[1], b[0]), p1 = cellPixelRect(raster, b[3], b[2]);
        outline = windowToWgs84Polygon(scene, { x: p0.x0, y: p0.y0, width: p1.x1 - p0.x0, height: p1.y1 - p0.y0 }, densify, reference);
      } else {
        outline = windowToWgs84Polygon(scene, t.window, densify, reference);
      }
      // Across the antimeridian: a MultiPolygon of the parts either side of 180 degrees, bbox west > east.
      const g = outline ? rfc7946Polygon(outline.coordinates) : null;
      const geometry: Geometry | null = g?.geometry ?? null;
      const fb = g ? addBox(g.bbox) : undefined;
      const cls = t.classIndex >= 0 ? classes[t.classIndex] : null;
      features.push({
        type: 'Feature',
        id: t.tileIndex,
        ...(fb ? { bbox: fb } : {}),
        geometry,
        properties: {
          tile_index: t.tileIndex,
          tile_row: t.row,
          tile_col: t.col,
          window: [t.window.x, t.window.y, t.window.width, t.window.height],
          class: t.classId,
          name: cls ? cls.name : 'unknown',
          value: cls ? cls.value : UNKNOWN_VALUE,
          color: cls ? cls.color : null,
          probability: r6(t.probability),
          best: classes[t.bestIndex].id,
          runner_up: t.runnerUpId,
          runner_up_probability: r6(t.runnerUpProbability),
          margin: r6(t.margin),
          cosine: r6(t.cosine),
        },
      });
    }
  }
  return {
    type: 'FeatureCollection',
    ...(bbox ? { bbox } : {}),
    features,
    geosift: {
      ...labelsProvenance(result),
      dissolved: !!options.dissolve,
      areaMethod: result.areaMethod,
      classes,
      notes: result.notes,
      coordinates: 'EPSG:4326 (RFC 7946)',
    },
  };
}
