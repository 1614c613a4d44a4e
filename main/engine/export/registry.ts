// The export formats, one entry each (geojson, fgb, csv, cog): what they can write and how.
import type { ExportOptions, SearchResult } from '../../../shared/protocol/engine-api.js';
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import type { LabelResult } from '../label/label-scene.js';
import type { Scene } from '../raster/types.js';
import { hitsToFeatureCollection } from '../tasks/export-geojson.js';
import type { FeatureCollection } from '../../../shared/geo/types.js';
import { labelsToCog } from './class-raster-cog.js';
import { hitsToCsv, labelSummaryToCsv, labelTilesToCsv } from './csv.js';
import { featureCollectionToFlatGeobuf } from './flatgeobuf.js';
import { labelsToGeoJSON, type LabelsGeoJSONOptions } from './labels-geojson.js';
import { hitsProvenance, labelsProvenance, type HitsProvenanceExtra, type Provenance } from './provenance.js';

export type ExportSubject =
  | { kind: 'hits'; scene: Scene; result: SearchResult; provenance?: HitsProvenanceExtra }
  | { kind: 'labels'; scene: Scene; result: LabelResult };

export interface ExportFormatOptions extends LabelsGeoJSONOptions, ExportOptions {
  /** CSV of labels: the per-class summary (default) or one row per tile. */
  csvTable?: 'summary' | 'tiles';
}

export interface ExportFormat {
  id: string;
  description: string;
  extension: string;
  mediaType: string;
  kinds: ReadonlyArray<ExportSubject['kind']>;
  write(subject: ExportSubject, options?: ExportFormatOptions): string | Uint8Array;
}

/** Hits as GeoJSON with the full provenance merged into the collection's "geosift" member. */
export function hitsToGeoJSON(scene: Scene, result: SearchResult, extra: HitsProvenanceExtra = {}, options: ExportOptions = {}): FeatureCollection {
  const fc = hitsToFeatureCollection(scene, result, options);
  fc.geosift = { ...(fc.geosift as object), provenance: hitsProvenance(result, extra) };
  return fc;
}

function provenanceOf(s: ExportSubject): Provenance {
  return s.kind === 'hits' ? hitsProvenance(s.result, s.provenance) : labelsProvenance(s.result);
}

function geojsonOf(s: ExportSubject, o: ExportFormatOptions): FeatureCollection {
  return s.kind === 'hits' ? hitsToGeoJSON(s.scene, s.result, s.provenance, o) : labelsToGeoJSON(s.scene, s.result, o);
}

const formats = new Map<string, ExportFormat>();

export function registerExportFormat(f: ExportFormat): void {
  formats.set(f.id, f);
}

export function listExportFormats(): ExportFormat[] {
  return [...formats.values()];
}

export function getExportFormat(id: string): ExportFormat {
  const f = formats.get(id.toLowerCase());
  if (!f) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Unknown export format "${id}": use one of ${[...formats.keys()].join(', ')}.`);
  return f;
}

/** The format a file name asks for by its extension (".geojson", ".fgb", ".csv", ".tif"), or null. */
export function formatForPath(path: string): ExportFormat | null {
  const lower = path.toLowerCase();
  for (const f of formats.values()) if (lower.endsWith(f.extension) || (f.id === 'geojson' && lower.endsWith('.json')) || (f.id === 'cog' && lower.endsWith('.tiff'))) return f;
  return null;
}

/** Writes a subject in a format, refusing a kind the format does not carry. */
export function exportAs(id: string, subject: ExportSubject, options: ExportFormatOptions = {}): string | Uint8Array {
  const f = getExportFormat(id);
  if (!f.kinds.includes(subject.kind)) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `The ${f.id} format cannot hold ${subject.kind}; use one of ${listExportFormats().filter((x) => x.kinds.includes(subject.kind)).map((x) => x.id).join(', ')}.`);
  }
  return f.write(subject, options);
}

registerExportFormat({
  id: 'geojson',
  description: 'GeoJSON (RFC 7946, WGS84), provenance in the "geosift" member',
  extension: '.geojson',
  mediaType: 'application/geo+json',
  kinds: ['hits', 'labels'],
  write: (s, o = {}) => JSON.stringify(geojsonOf(s, o), null, 1) + '\n',
});

registerExportFormat({
  id: 'fgb',
  description: 'FlatGeobuf (WGS84), provenance JSON in the header metadata',
  extension: '.fgb',
  mediaType: 'application/flatgeobuf',
  kinds: ['hits', 'labels'],
  write: (s, o = {}) => {
    const fc = geojsonOf(s, { ...o, crs: 'wgs84' });
    const p = provenanceOf(s);
    // FlatGeobuf columns are scalars: a window array travels as JSON, which GDAL reads as a string.
    return featureCollectionToFlatGeobuf(fc, {
      epsg: 4326,
      title: s.kind === 'hits' ? `Geosift hits: ${s.result.query.text ?? s.result.query.image ?? `tile ${s.result.query.tileIndex}`}` : `Geosift labels: ${s.result.scheme.name}`,
      description: JSON.stringify(p),
      metadata: JSON.stringify({ geosift: p }),
    });
  },
});

registerExportFormat({
  id: 'csv',
  description: 'CSV: hits (rank, score, window, centre lon/lat) or the per-class label summary; "# key: value" provenance lines first',
  extension: '.csv',
  mediaType: 'text/csv',
  kinds: ['hits', 'labels'],
  write: (s, o = {}) => {
    if (s.kind === 'hits') return hitsToCsv(s.scene, s.result, hitsProvenance(s.result, s.provenance));
    return o.csvTable === 'tiles' ? labelTilesToCsv(s.scene, s.result) : labelSummaryToCsv(s.result);
  },
});

registerExportFormat({
  id: 'cog',
  description: 'Class raster as a Cloud-Optimized GeoTIFF with a colour table (labels only)',
  extension: '.tif',
  mediaType: 'image/tiff; application=geotiff; profile=cloud-optimized',
  kinds: ['labels'],
  write: (s) => {
    if (s.kind !== 'labels') throw new EngineError(ErrorCodes.BAD_ARGUMENT, 'The cog format holds labels only.');
    return labelsToCog(s.scene.info, s.result);
  },
});
