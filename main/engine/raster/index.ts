// The raster layer's public surface: open scenes, resolve bands, stretch to RGB, reproject.

export { openScene, MAX_WINDOW_PIXELS, type OpenSceneOptions } from './open-scene.js';
export { createCrsTransformer, crsFromGeoKeys, crsToWgs84, type CrsTransformer, type GeoKeys } from './crs.js';
export { listBandPresets, registerBandPreset, resolveBands, type BandPreset, type BandSceneInfo } from './bands.js';
export { computeStretch, toRgb, type BandStretch, type ComputeStretchOptions, type RgbResult } from './stretch.js';
export type * from './types.js';
