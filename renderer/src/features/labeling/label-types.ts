// Pure: a labeling run (engine LabelSummary) as the panel and the map show it: legend rows, class tiles, a tile's top classes.
import type { PixelWindow, PolygonGeometry } from '../../../../shared/geo/types.js';
import type { LabelSummary } from '../../../../shared/protocol/engine-api.js';
import { parseColor, type Rgb } from '../../map/score-color.js';

export interface LegendRow {
  id: string;
  name: string;
  color: Rgb;
  tiles: number;
  /** null when the engine could not measure area (scene without georeferencing). */
  areaKm2: number | null;
  /** Share of the labelled area (or tiles), 0..1. */
  fraction: number;
  meanProbability: number | null;
}

export interface ViewTile {
  tileIndex: number;
  window: PixelWindow;
  polygon: PolygonGeometry | null;
  /** null when the tile stayed "unknown" (below the thresholds). */
  classId: string | null;
  top: Array<{ classId: string; prob: number }>;
}

export interface LabelView {
  labelId: string;
  schemeName: string;
  legend: LegendRow[];
  tiles: ViewTile[];
  colors: Map<string, Rgb>;
  names: Map<string, string>;
  notes: string[];
}

export const UNKNOWN_ID = 'unknown';

export function toLabelView(s: LabelSummary): LabelView {
  const measured = s.areaMethod !== 'none';
  const colors = new Map<string, Rgb>(s.scheme.classes.map((c) => [c.id, parseColor(c.color)]));
  const names = new Map<string, string>(s.scheme.classes.map((c) => [c.id, c.name]));
  const areas = new Map(s.areas.map((a) => [a.id, a]));
  const rows: LegendRow[] = s.scheme.classes.map((c) => {
    const a = areas.get(c.id);
    return { id: c.id, name: c.name, color: parseColor(c.color), tiles: a?.tiles ?? 0, areaKm2: measured && a ? a.areaKm2 : null, fraction: a?.fraction ?? 0, meanProbability: a?.meanProbability ?? null };
  });
  const unknown = areas.get(UNKNOWN_ID);
  if (unknown && unknown.tiles > 0) {
    rows.push({ id: UNKNOWN_ID, name: unknown.name || 'unknown', color: parseColor(unknown.color || '#9aa0a6'), tiles: unknown.tiles, areaKm2: measured ? unknown.areaKm2 : null, fraction: unknown.fraction, meanProbability: null });
    names.set(UNKNOWN_ID, unknown.name || 'unknown');
  }
  if (!measured) {
    const total = rows.reduce((n, r) => n + r.tiles, 0);
    for (const r of rows) r.fraction = total > 0 ? r.tiles / total : 0;
  }
  const tiles: ViewTile[] = s.tiles.map((t) => {
    const top = [{ classId: t.classId, prob: t.probability }];
    if (t.runnerUpId) top.push({ classId: t.runnerUpId, prob: t.runnerUpProbability });
    return { tileIndex: t.tileIndex, window: t.window, polygon: t.polygon, classId: t.classId === UNKNOWN_ID || !colors.has(t.classId) ? null : t.classId, top };
  });
  return { labelId: s.labelId, schemeName: s.scheme.name, legend: rows, tiles, colors, names, notes: s.notes };
}

/** The tile whose window contains a full-resolution pixel (the last one in grid order when tiles overlap). */
export function tileAtPixel(tiles: ViewTile[], col: number, row: number): ViewTile | null {
  let found: ViewTile | null = null;
  for (const t of tiles) {
    const w = t.window;
    if (col >= w.x && col < w.x + w.width && row >= w.y && row < w.y + w.height) found = t;
  }
  return found;
}

export const BUILTIN_SCHEMES: Array<{ id: string; name: string }> = [
  { id: 'eurosat', name: 'EuroSAT (10 land-cover classes)' },
  { id: 'ucmerced', name: 'UC Merced (21 land-use classes)' },
  { id: 'esa-worldcover', name: 'ESA WorldCover (11 classes)' },
  { id: 'corine-l1', name: 'CORINE level 1 (5 classes)' },
];

/** Languages the built-in schemes and prompt templates come in (class names typed by the user are in one of them). */
export const LABEL_LANGUAGES: Array<[string, string]> = [
  ['en', 'English'],
  ['pt', 'Português'],
  ['es', 'Español'],
  ['fr', 'Français'],
  ['de', 'Deutsch'],
  ['nl', 'Nederlands'],
  ['it', 'Italiano'],
  ['zh', '中文'],
  ['ko', '한국어'],
  ['ru', 'Русский'],
];
