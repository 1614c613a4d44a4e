// GeoTIFF geokeys -> CrsInfo (EPSG code, name, PROJ string) and fast CRS <-> WGS84 transformers.

import proj4 from 'proj4';
import { toProj4 } from 'geotiff-geokeys-to-proj4';
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import type { CrsInfo } from './types.js';

/** GeoTIFF's "user-defined" marker value for geokeys. */
const USER_DEFINED = 32767;
const WGS84 = '+proj=longlat +datum=WGS84 +no_defs';

/** The geokeys geotiff.js returns from `image.getGeoKeys()`. */
export type GeoKeys = Record<string, unknown>;

/** Reprojects CRS coordinates to WGS84 lon/lat and back; points outside the projection's domain come back as NaN. */
export interface CrsTransformer {
  readonly crs: CrsInfo;
  toWgs84(x: number, y: number): [number, number];
  fromWgs84(lon: number, lat: number): [number, number];
  /** In-place transform of interleaved [x0, y0, x1, y1, ...] to [lon0, lat0, ...]; NaN where a point cannot be transformed. */
  toWgs84Many(xy: Float64Array): Float64Array;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v.replace(/\0+$/, '').trim() : null;
}

/** GDAL and ESRI write a PROJ string into the citation of CRSs that have no EPSG code (e.g. GOES geostationary). */
function projFromCitation(citation: string): string | null {
  const ext = /EXTENSION\["PROJ4","([^"]+)"\]/.exec(citation);
  if (ext) return ext[1];
  const bare = /(\+proj=[^|"\]]+)/.exec(citation);
  return bare ? bare[1].trim() : null;
}

function wktFromCitation(citation: string): string | null {
  const m = /ESRI PE String = (.*)$/s.exec(citation);
  if (m) return m[1].replace(/\|$/, '').trim();
  return /^(PROJCS|GEOGCS|PROJCRS|GEOGCRS)\[/.test(citation) ? citation : null;
}

function unitsOf(isGeographic: boolean, factor: number): CrsInfo['units'] {
  if (isGeographic) return 'degree';
  if (Math.abs(factor - 1) < 1e-12) return 'metre';
  if (Math.abs(factor - 0.3048) < 1e-9) return 'foot';
  if (Math.abs(factor - 1200 / 3937) < 1e-9) return 'us-survey-foot';
  return 'unknown';
}

/** Checks that proj4 can build a transform from `def` to WGS84; returns the failure message otherwise. */
function proj4Problem(def: string): string | null {
  // proj4js accepts parameters PROJ itself refuses (latitudes past the pole, negative scale) and then
  // returns wrong coordinates instead of failing, so check the ranges PROJ enforces first.
  for (const m of def.matchAll(/\+(lat_0|lat_1|lat_2|lat_ts|lon_0|k|k_0)=(\S+)/g)) {
    const v = Number(m[2]);
    const bad = !Number.isFinite(v) || (m[1].startsWith('lat') ? Math.abs(v) > 90 : m[1].startsWith('lon') ? Math.abs(v) > 360 : v <= 0);
    if (bad) return `parameter ${m[1]}=${m[2]} is out of range`;
  }
  try {
    proj4(def, WGS84);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Builds CrsInfo from GeoTIFF geokeys. Returns null when the file carries no CRS at all.
 * A CRS that is present but cannot be reprojected comes back with proj4 = null and a reason.
 */
export function crsFromGeoKeys(geoKeys: GeoKeys | null): CrsInfo | null {
  if (!geoKeys || Object.keys(geoKeys).length === 0) return null;
  const modelType = num(geoKeys.GTModelTypeGeoKey);
  const projected = num(geoKeys.ProjectedCSTypeGeoKey) ?? num(geoKeys.ProjectedCRSGeoKey);
  const geographic = num(geoKeys.GeographicTypeGeoKey) ?? num(geoKeys.GeodeticCRSGeoKey);
  const gtCitation = str(geoKeys.GTCitationGeoKey) ?? '';
  const pcsCitation = str(geoKeys.PCSCitationGeoKey) ?? '';
  const geogCitation = str(geoKeys.GeogCitationGeoKey) ?? '';
  const citations = [pcsCitation, gtCitation, geogCitation];

  const isGeographic = modelType === 2 || (modelType === null && projected === null && geographic !== null);
  const isUserProjected = !isGeographic && (projected === null || projected === USER_DEFINED);
  let epsg: number | null = null;
  if (!isGeographic && projected !== null && projected !== USER_DEFINED) epsg = projected;
  if (isGeographic && geographic !== null && geographic !== USER_DEFINED) epsg = geographic;

  const wkt = citations.map(wktFromCitation).find((w) => w !== null) ?? null;
  const cleanName = (c: string): string | null => {
    if (!c || /^unnamed$/i.test(c) || c.includes('ESRI PE String') || c.includes('+proj=')) return null;
    return c.split('|')[0].trim() || null;
  };
  let name = (isGeographic ? cleanName(geogCitation) ?? cleanName(gtCitation) : cleanName(gtCitation) ?? cleanName(pcsCitation)) ?? null;
  if (!name && wkt) name = /^[A-Z]+\["([^"]+)"/.exec(wkt)?.[1] ?? null;
  if (!name || /^unnamed$/i.test(name)) {
    const method = wkt ? /PROJECTION\["([^"]+)"/.exec(wkt)?.[1] : undefined;
    name = epsg !== null ? `EPSG:${epsg}` : method ? `${method.replace(/_/g, ' ')} (user-defined)` : 'user-defined CRS';
  }

  let def: string | null = null;
  let factor = 1;
  let reason: string | undefined;
  let geographicOut = isGeographic;
  const fromCitation = citations.map(projFromCitation).find((p) => p !== null) ?? null;
  // A user-defined projected CRS with no projection method in the geokeys would come out of
  // toProj4 as a geographic CRS; only a PROJ string in the citation describes it truthfully.
  const hasMethod = num(geoKeys.ProjCoordTransGeoKey) !== null || num(geoKeys.ProjMethodGeoKey) !== null;
  if (isUserProjected && !hasMethod) {
    if (fromCitation) def = fromCitation;
    else reason = `projected CRS "${name}" is user-defined without a projection method or PROJ string in its geokeys`;
  } else {
    const result = toProj4(geoKeys as unknown as Parameters<typeof toProj4>[0]);
    const errs = result.errors as unknown as Record<string, unknown>;
    const fatal = ['CRSNotSupported', 'conversionNotSupported', 'coordinateTransformationNotSupported'].filter((k) => k in errs);
    if (fatal.length > 0) {
      if (fromCitation) def = fromCitation;
      else reason = `CRS "${name}" is not supported (${fatal.map((k) => `${k}=${String(errs[k])}`).join(', ')})`;
    } else {
      def = result.proj4.trim();
      factor = result.coordinatesConversionParameters.x;
      geographicOut = result.isGCS;
      if (Math.abs(result.coordinatesConversionParameters.y - factor) > 1e-12) {
        def = null;
        reason = `CRS "${name}" has different x and y units`;
      } else if (factor !== 1 && geographicOut) {
        def = null;
        reason = `CRS "${name}" uses an angular unit other than degrees`;
      } else if (factor !== 1) {
        // Keep the unit inside the PROJ string so the definition stays self-contained when serialised.
        def = `${def.replace(/\s\+(units|to_meter)=\S+/g, '')} +to_meter=${factor}`;
      }
    }
  }
  if (def) {
    // GeoTIFF stores x = easting/longitude and y = northing/latitude whatever the authority's axis order (GDAL's mapping 1,2).
    def = def.replace(/\s\+axis=\S+/g, '').trim();
    const problem = proj4Problem(def);
    if (problem) {
      reason = `proj4 cannot use the CRS "${name}" (${def}): ${problem}`;
      def = null;
    } else {
      geographicOut = /\+proj=(longlat|latlong|lonlat|latlon)\b/.test(def);
      const toMeter = /\+to_meter=([\d.eE+-]+)/.exec(def);
      if (/\+units=us-ft\b/.test(def)) factor = 1200 / 3937;
      else if (/\+units=ft\b/.test(def)) factor = 0.3048;
      else if (toMeter) factor = Number(toMeter[1]);
    }
  }
  const info: CrsInfo = {
    epsg,
    name,
    proj4: def,
    wkt,
    units: unitsOf(geographicOut, factor),
    isGeographic: geographicOut,
  };
  if (!def) info.reason = reason ?? `CRS "${name}" cannot be reprojected`;
  return info;
}

/**
 * Creates a reusable transformer from the scene CRS to WGS84 (build once, call per point: proj4's
 * converter caches the parsed definitions). Throws E_UNSUPPORTED_CRS when the CRS cannot be reprojected.
 */
export function createCrsTransformer(crs: CrsInfo): CrsTransformer {
  if (!crs.proj4) {
    throw new EngineError(ErrorCodes.UNSUPPORTED_CRS, `Cannot reproject from ${crs.name}: ${crs.reason ?? 'no PROJ definition'}`);
  }
  const isWgs84 = crs.epsg === 4326 && crs.isGeographic;
  const conv = isWgs84 ? null : proj4(crs.proj4, WGS84);
  const fin = (p: number[]): [number, number] => {
    const a = p[0];
    const b = p[1];
    return Number.isFinite(a) && Number.isFinite(b) ? [a, b] : [NaN, NaN];
  };
  const toWgs84 = (x: number, y: number): [number, number] => {
    if (!conv) return [x, y];
    try {
      return fin(conv.forward([x, y]));
    } catch {
      return [NaN, NaN];
    }
  };
  return {
    crs,
    toWgs84,
    fromWgs84(lon, lat) {
      if (!conv) return [lon, lat];
      try {
        return fin(conv.inverse([lon, lat]));
      } catch {
        return [NaN, NaN];
      }
    },
    toWgs84Many(xy) {
      for (let i = 0; i + 1 < xy.length; i += 2) {
        const p = toWgs84(xy[i], xy[i + 1]);
        xy[i] = p[0];
        xy[i + 1] = p[1];
      }
      return xy;
    },
  };
}

/** Convenience: CRS -> WGS84 for one point (prefer createCrsTransformer for many). */
export function crsToWgs84(crs: CrsInfo, x: number, y: number): [number, number] {
  return createCrsTransformer(crs).toWgs84(x, y);
}
