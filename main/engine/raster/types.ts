// The raster layer's contract: what an opened scene reports and how windows are read from it.

import type { BBox, GeoTransform, PixelWindow, PolygonGeometry } from '../../../shared/geo/types.js';

export type SampleType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

export type SampleArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

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

export interface ReadWindowOptions {
  /** 0-based band indices to read, in output order. */
  bands: number[];
  /** Overview level to read from (0 = full resolution). Default 0. */
  level?: number;
  signal?: AbortSignal;
}

export interface WindowData {
  /** Output size in pixels (the window scaled to the chosen level). */
  width: number;
  height: number;
  /** One array per requested band, row-major, width*height samples. */
  bands: SampleArray[];
  /** 1 where the pixel holds data, 0 where it is nodata, alpha 0, masked, or outside the image. */
  valid: Uint8Array;
}

export interface Scene {
  readonly info: SceneInfo;
  /**
   * Reads a window given in FULL-RESOLUTION pixel coordinates from overview `level`.
   * The window may extend past the image edges; outside pixels come back invalid (value 0).
   */
  readWindow(window: PixelWindow, options: ReadWindowOptions): Promise<WindowData>;
  /** Full-resolution pixel (col, row) -> CRS coordinates. Throws E_NOT_GEOREFERENCED without a geotransform. */
  pixelToCrs(col: number, row: number): [number, number];
  /** CRS -> WGS84 [lon, lat]. Throws E_UNSUPPORTED_CRS when the CRS cannot be reprojected. */
  crsToWgs84(x: number, y: number): [number, number];
  /** Full-resolution pixel -> WGS84 [lon, lat]. */
  pixelToWgs84(col: number, row: number): [number, number];
  /** Releases file handles and caches; safe to call twice. */
  close(): Promise<void>;
}
