// Exports of hits and labels: GeoJSON, FlatGeobuf, CSV and the class-raster COG, all with provenance.
export { exportAs, getExportFormat, listExportFormats, registerExportFormat, formatForPath, hitsToGeoJSON, type ExportFormat, type ExportSubject, type ExportFormatOptions } from './registry.js';
export { labelsToGeoJSON, type LabelsGeoJSONOptions } from './labels-geojson.js';
export { hitsToCsv, labelSummaryToCsv, labelTilesToCsv, parseCsv, csvField } from './csv.js';
export { featureCollectionToFlatGeobuf, type FlatGeobufOptions } from './flatgeobuf.js';
export { writeCog, downsample2, gdalMetadataXml, hexToRgb, type CogInput, type CogCrs } from './cog-writer.js';
export { labelsToCog } from './class-raster-cog.js';
export { hitsProvenance, labelsProvenance, provenanceEntries, type Provenance, type HitsProvenanceExtra } from './provenance.js';
export { traceCells, type CellRing } from './dissolve.js';
