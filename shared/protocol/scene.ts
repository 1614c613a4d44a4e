// Scene metadata as every front door sees it (plain data: crosses process boundaries as JSON).

import type { BBox, GeoTransform, PolygonGeometry } from '../geo/types.js';

export type SampleType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

export interface CrsInfo {
  /** EPSG code when the CRS has one. */
  epsg: number | null;
  /** Human-readable name, e.g. "WGS 84 / UTM zone 18N". */
  name: string;
  /** PROJ definition used for reprojection; null when the CRS cannot be reprojected (see reason). */
  proj4: string | null;
  /** WKT when the file carries one (or one can be derived). */
  wkt: string | null;
  /** Linear unit of projected CRSs; 'degree' for geographic ones. */
  units: 'metre' | 'degree' | 'foot' | 'us-survey-foot' | 'unknown';
  isGeographic: boolean;
  /** Why the CRS cannot be reprojected, when proj4 is null. */
  reason?: string;
}

export type ColorInterp = 'gray' | 'red' | 'green' | 'blue' | 'alpha' | 'palette' | 'undefined';

export interface BandInfo {
  /** 0-based index in the file. */
  index: number;
  /** Band description (GDAL metadata DESCRIPTION) when present. */
  description: string | null;
  colorInterp: ColorInterp;
}

export interface OverviewInfo {
  /** 0 is full resolution; 1.. are the internal (or external .ovr) overviews, finest first. */
  level: number;
  width: number;
  height: number;
  /** Full-resolution pixels per overview pixel along x and y (>= 1). */
  scaleX: number;
  scaleY: number;
}

export interface SceneInfo {
  /** The path or URL the scene was opened from. */
  source: string;
  width: number;
  height: number;
  bandCount: number;
  bands: BandInfo[];
  dataType: SampleType;
  /** null when the file has no CRS. */
  crs: CrsInfo | null;
  /** null when the file has no georeferencing. */
  geoTransform: GeoTransform | null;
  /** Ground size of one full-resolution pixel in CRS units [x, y], absolute values; null without georeferencing. */
  pixelSize: [number, number] | null;
  /** Approximate ground size of a pixel in metres (from the WGS84 footprint when the CRS is geographic). */
  groundResolutionM: number | null;
  nodata: number | null;
  /** 0-based index of the alpha band, or null. */
  alphaBand: number | null;
  /**
   * Colour table of an 8-bit palette image (PhotometricInterpretation 3, band 1): 256 [r, g, b] entries of 0-255,
   * used to show and embed the image in its colours. null for other images (16-bit palettes stay grey, with a warning).
   */
  palette?: [number, number, number][] | null;
  /** The file carries an internal (or external) transparency mask. */
  hasMask: boolean;
  /** Level 0 first. */
  overviews: OverviewInfo[];
  /** Footprint polygon in WGS84 lon/lat, densified along edges; null when not reprojectable. */
  footprintWgs84: PolygonGeometry | null;
  boundsWgs84: BBox | null;
  compression: string;
  tiled: boolean;
  blockSize: [number, number];
  bigTiff: boolean;
  /** Size of the file in bytes when known. */
  fileSize: number | null;
  /** Things the user should know (e.g. "no georeferencing: pixel coordinates only"). */
  warnings: string[];
}
