// CSV exports: ranked hits, the per-class label summary and per-tile labels, each headed by "# key: value" provenance lines.
import type { SearchResult } from '../../../shared/protocol/engine-api.js';
import type { LabelResult } from '../label/label-scene.js';
import type { Scene } from '../raster/types.js';
import { hitsProvenance, labelsProvenance, provenanceEntries, type Provenance } from './provenance.js';

export interface CsvOptions {
  /** Prefix the table with "# key: value" lines (default true); readers skip them with comment="#" (pandas) or comment.char (R). */
  provenance?: boolean;
}

export function csvField(v: unknown): string {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = typeof v === 'number' ? String(v) : String(v);
  return /[",\r\n#]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function table(header: string[], rows: unknown[][], prov: Provenance | null): string {
  const lines: string[] = [];
  if (prov) for (const [k, v] of provenanceEntries(prov)) lines.push(`# ${k}: ${v.replace(/[\r\n]+/g, ' ')}`);
  lines.push(header.join(','));
  for (const r of rows) lines.push(r.map(csvField).join(','));
  return lines.join('\n') + '\n';
}

const n6 = (v: number): number => Number(v.toFixed(6));
const n4 = (v: number): number => (Number.isFinite(v) ? Number(v.toFixed(4)) : NaN);

function centreLonLat(scene: Pick<Scene, 'info' | 'pixelToWgs84'> | null, x: number, y: number): [number | null, number | null] {
  if (!scene || !scene.info.geoTransform || !scene.info.crs?.proj4) return [null, null];
  const [lon, lat] = scene.pixelToWgs84(x, y);
  return [Number(lon.toFixed(8)), Number(lat.toFixed(8))];
}

/** rank,score,tile,row,col,x,y,width,height,lon,lat (lon/lat: the tile centre in WGS84, empty without georeferencing). */
export function hitsToCsv(scene: Pick<Scene, 'info' | 'pixelToWgs84'> | null, result: SearchResult, provenance: Provenance = hitsProvenance(result), options: CsvOptions = {}): string {
  const rows = result.hits.map((h) => {
    const [lon, lat] = centreLonLat(scene, h.window.x + h.window.width / 2, h.window.y + h.window.height / 2);
    return [h.rank, n6(h.score), h.tileIndex, h.row, h.col, h.window.x, h.window.y, h.window.width, h.window.height, lon, lat];
  });
  return table(['rank', 'score', 'tile', 'row', 'col', 'x', 'y', 'width', 'height', 'lon', 'lat'], rows, options.provenance === false ? null : provenance);
}

/** One row per class, then unknown and nodata: value,class,name,color,tiles,cells,area_ha,area_km2,fraction,mean_probability. */
export function labelSummaryToCsv(result: LabelResult, options: CsvOptions = {}): string {
  const rows = result.areas.map((a) => [a.value, a.id, a.name, a.color, a.tiles, a.cells, n4(a.areaHa), n4(a.areaKm2), n6(a.fraction), a.meanProbability === null ? null : n6(a.meanProbability)]);
  return table(['value', 'class', 'name', 'color', 'tiles', 'cells', 'area_ha', 'area_km2', 'fraction', 'mean_probability'], rows, options.provenance === false ? null : labelsProvenance(result));
}

/** One row per labelled tile: tile,row,col,x,y,width,height,class,probability,runner_up,runner_up_probability,margin,lon,lat. */
export function labelTilesToCsv(scene: Pick<Scene, 'info' | 'pixelToWgs84'> | null, result: LabelResult, options: CsvOptions = {}): string {
  const rows = result.tiles.map((t) => {
    const [lon, lat] = centreLonLat(scene, t.window.x + t.window.width / 2, t.window.y + t.window.height / 2);
    return [t.tileIndex, t.row, t.col, t.window.x, t.window.y, t.window.width, t.window.height, t.classId, n6(t.probability), t.runnerUpId, n6(t.runnerUpProbability), n6(t.margin), lon, lat];
  });
  return table(['tile', 'row', 'col', 'x', 'y', 'width', 'height', 'class', 'probability', 'runner_up', 'runner_up_probability', 'margin', 'lon', 'lat'], rows, options.provenance === false ? null : labelsProvenance(result));
}

/** Parses what these writers write (for tests and round trips): provenance lines and rows of strings. */
export function parseCsv(text: string): { provenance: Record<string, string>; header: string[]; rows: string[][] } {
  const provenance: Record<string, string> = {};
  const records: string[][] = [];
  let field = '', record: string[] = [], quoted = false, i = 0, atLineStart = true;
  while (i < text.length) {
    const ch = text[i];
    if (atLineStart && !quoted && ch === '#') {
      const end = text.indexOf('\n', i);
      const line = text.slice(i + 2, end < 0 ? text.length : end);
      const k = line.indexOf(': ');
      if (k > 0) provenance[line.slice(0, k)] = line.slice(k + 2);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    atLineStart = false;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      field += ch; i++; continue;
    }
    if (ch === '"') { quoted = true; i++; continue; }
    if (ch === ',') { record.push(field); field = ''; i++; continue; }
    if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field); records.push(record); field = ''; record = []; i++; atLineStart = true; continue;
    }
    field += ch; i++;
  }
  if (field !== '' || record.length) { record.push(field); records.push(record); }
  const [header = [], ...rows] = records;
  return { provenance, header, rows };
}
