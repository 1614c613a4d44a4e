// The engine's public surface: createEngine and the types its callers need.
export { createEngine, DEFAULTS, type Engine, type EngineOptions } from './engine.js';
export { writeFileAtomic } from './io/atomic-write.js';
export { GEOSIFT_VERSION } from './version.js';
export { DEFAULT_MODEL_ID } from './model/resolve-model.js';
export { listBandPresets } from './raster/bands.js';
