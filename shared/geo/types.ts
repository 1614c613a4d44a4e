// Geometry types shared by engine and UI: pixel windows, affine geotransforms and RFC 7946 GeoJSON.

/**
 * GDAL-ordered affine transform from pixel (col, row) to CRS (x, y):
 *   x = t[0] + col * t[1] + row * t[2]
 *   y = t[3] + col * t[4] + row * t[5]
 * Pixel (0, 0) is the top-left corner of the top-left pixel.
 */
export type GeoTransform = [number, number, number, number, number, number];

/** A rectangle in full-resolution pixel coordinates (column x, row y). */
export interface PixelWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** [west, south, east, north]. */
export type BBox = [number, number, number, number];

export type Position = [number, number];

export interface PolygonGeometry {
  type: 'Polygon';
  coordinates: Position[][];
}

export interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: Position[][][];
}

export type Geometry = PolygonGeometry | MultiPolygonGeometry;

export interface Feature<P = Record<string, unknown>> {
  type: 'Feature';
  id?: string | number;
  bbox?: BBox;
  geometry: Geometry | null;
  properties: P;
}

export interface FeatureCollection<P = Record<string, unknown>> {
  type: 'FeatureCollection';
  bbox?: BBox;
  features: Feature<P>[];
  [foreign: string]: unknown;
}
