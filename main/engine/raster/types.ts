// The raster layer's contract: what an opened scene reports and how windows are read from it.

import type { PixelWindow } from '../../../shared/geo/types.js';
import type { SceneInfo } from '../../../shared/protocol/scene.js';

export type {
  BandInfo,
  ColorInterp,
  CrsInfo,
  OverviewInfo,
  SampleType,
  SceneInfo,
} from '../../../shared/protocol/scene.js';

export type SampleArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

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
