// Hits -> RFC 7946 GeoJSON: WGS84 lon/lat, counter-clockwise exterior rings, densified edges, provenance.
import { bboxOf, rfc7946Polygon, roundPosition, toRightHandExterior, unionBBox, unionLonLatBBox, unwrapRing } from '../../../shared/geo/geojson.js';
import { windowOutline } from '../../../shared/geo/tile-grid.js';
import type { BBox, Feature, FeatureCollection, Geometry, PixelWindow, PolygonGeometry, Position } from '../../../shared/geo/types.js';
import type { ExportOptions, SearchResult } from '../../../shared/protocol/engine-api.js';
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import type { Scene } from '../raster/types.js';
import { GEOSIFT_VERSION } from '../version.js';

export const DEFAULT_DENSIFY = 8;

/**
 * The longitude that a scene's WGS84 outlines are unwrapped around (its centre): every polygon of one scene then lies
 * on the same turn, so tiles across the antimeridian stay next to their neighbours (lon may exceed +-180 there).
 */
export function sceneReferenceLon(scene: Scene): number | undefined {
  if (!scene.info.geoTransform || !scene.info.crs?.proj4) return undefined;
  const lon = scene.pixelToWgs84(scene.info.width / 2, scene.info.height / 2)[0];
  return Number.isFinite(lon) ? lon : undefined;
}

/**
 * A pixel window's outline as a continuous WGS84 polygon (RFC 7946 winding), or null without georeferencing. Across
 * the antimeridian its longitudes are unwrapped (they run on past +-180 rather than jump by 360), which is what a map
 * draws; files need `rfc7946Polygon` of it (split at 180). `reference` defaults to the scene centre's longitude.
 */
export function windowToWgs84Polygon(scene: Scene, window: PixelWindow, densify = DEFAULT_DENSIFY, reference?: number): PolygonGeometry | null {
  if (!scene.info.geoTransform || !scene.info.crs?.proj4) return null;
  reference ??= sceneReferenceLon(scene);
  const raw: Position[] = windowOutline(window, densify).map(([c, r]) => scene.pixelToWgs84(c, r));
  const ring = unwrapRing(raw, reference).map((p) => roundPosition(p));
  return { type: 'Polygon', coordinates: [toRightHandExterior(ring)] };
}

function windowToNativePolygon(scene: Scene, window: PixelWindow, densify: number): PolygonGeometry {
  const ring: Position[] = windowOutline(window, densify).map(([c, r]) => scene.pixelToCrs(c, r));
  return { type: 'Polygon', coordinates: [toRightHandExterior(ring)] };
}

export function hitsToFeatureCollection(scene: Scene, result: SearchResult, options: ExportOptions = {}): FeatureCollection {
  const crs = options.crs ?? 'wgs84';
  const densify = options.densify ?? DEFAULT_DENSIFY;
  if (!scene.info.geoTransform) {
    throw new EngineError(ErrorCodes.NOT_GEOREFERENCED, `${scene.info.source} has no georeferencing: its hits have pixel positions only and cannot be exported as GeoJSON. Use --json for pixel windows.`);
  }
  if (crs === 'wgs84' && !scene.info.crs?.proj4) {
    throw new EngineError(ErrorCodes.UNSUPPORTED_CRS, `${scene.info.source}: its CRS cannot be reprojected to WGS84 (${scene.info.crs?.reason ?? 'unknown CRS'}). Export with --crs native to keep the scene's coordinates.`);
  }
  let bbox: BBox | null = null;
  const reference = crs === 'wgs84' ? sceneReferenceLon(scene) : undefined;
  const features: Feature[] = result.hits.map((h) => {
    let geometry: Geometry | null, fb: BBox | null;
    if (crs === 'wgs84') {
      // RFC 7946 section 3.1.9: a tile across the antimeridian becomes a MultiPolygon of its parts, bbox west > east.
      const p = windowToWgs84Polygon(scene, h.window, densify, reference);
      const g = p ? rfc7946Polygon(p.coordinates) : null;
      geometry = g?.geometry ?? null;
      fb = g?.bbox ?? null;
    } else {
      geometry = windowToNativePolygon(scene, h.window, densify);
      fb = bboxOf(geometry.coordinates[0]);
    }
    if (fb) bbox = crs === 'wgs84' ? unionLonLatBBox(bbox, fb) : unionBBox(bbox, fb);
    return {
      type: 'Feature',
      id: h.rank,
      ...(fb ? { bbox: fb } : {}),
      geometry,
      properties: {
        rank: h.rank,
        score: Number(h.score.toFixed(6)),
        query: result.query.text ?? null,
        query_tile: result.query.tileIndex ?? null,
        query_image: result.query.image ?? null,
        model: result.model.id,
        model_sha256: result.model.sha256,
        tile_index: h.tileIndex,
        tile_row: h.row,
        tile_col: h.col,
        window: [h.window.x, h.window.y, h.window.width, h.window.height],
        scene: result.scene.source,
      },
    };
  });
  const fc: FeatureCollection = {
    type: 'FeatureCollection',
    ...(bbox ? { bbox } : {}),
    features,
    geosift: {
      version: GEOSIFT_VERSION,
      created: new Date().toISOString(),
      kind: 'search-hits',
      scene: result.scene,
      model: result.model,
      query: result.query,
      tiling: result.tiling,
      scoreStats: result.scoreStats,
      coordinates: crs === 'wgs84' ? 'EPSG:4326 (RFC 7946)' : result.scene.crs,
    },
  };
  if (crs === 'native') {
    // Not RFC 7946: the 2008 GeoJSON "crs" member, which QGIS and GDAL still read.
    fc.crs = { type: 'name', properties: { name: result.scene.crs ?? 'unknown' } };
  }
  return fc;
}
