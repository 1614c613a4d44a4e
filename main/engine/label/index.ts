// Zero-shot land-cover labeling: schemes, prompts and classification, class raster, areas.
export * from './types.js';
export { getScheme, listSchemes, parseScheme, readSchemeFile, schemeFromClassList, className, slugify, DEFAULT_PALETTE, MAX_CLASSES, SCHEME_FILE_FORMAT } from './schemes.js';
export { buildPrompts, embedClasses, classifyVectors, DEFAULT_MIN_PROBABILITY, type PromptPlan, type ClassPrompts, type EncodeTexts, type ClassifyOptions, type TileClassification } from './classify.js';
export { buildClassRaster, nearestTileAlongAxis, cellPixelRect, type ClassRaster, type RasterLegendEntry } from './class-raster.js';
export { cellAreasM2, planarCellAreasM2, ringAreaM2, lonLatBoxAreaM2, laeaDefinition } from './area.js';
export { crsLabel, tilingSummary } from '../tasks/summaries.js';
export { labelEmbeddings, summariseAreas, UNKNOWN_COLOR, NODATA_COLOR, type LabelResult, type LabelOptions, type LabelModel } from './label-scene.js';
