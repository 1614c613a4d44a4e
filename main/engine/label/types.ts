// Types of zero-shot land-cover labeling: schemes, per-tile labels, areas and the label result.
import type { PixelWindow } from '../../../shared/geo/types.js';

/** The ten languages every built-in scheme names its classes in (the model's languages). */
export const SCHEME_LANGUAGES = ['en', 'pt', 'es', 'fr', 'de', 'nl', 'it', 'zh', 'ko', 'ru'] as const;
export type SchemeLanguage = (typeof SCHEME_LANGUAGES)[number];

export interface SchemeClass {
  /** Stable machine id, lower-case kebab (e.g. "tree-cover"). */
  id: string;
  /** Value of the class in the class raster, 1..254 (0 = unknown, 255 = nodata). */
  value: number;
  /** Display colour "#rrggbb". */
  color: string;
  /** Class name per language code; used in the prompts. */
  names: Record<string, string>;
  /** Optional prompts per language that replace the model's templates for this class ("{}" = the class name). */
  prompts?: Record<string, string[]>;
}

export interface LabelScheme {
  id: string;
  name: string;
  description?: string;
  /** Where the class list (and colours) come from. */
  source?: string;
  classes: SchemeClass[];
}

/** Raster codes that are not classes. */
export const UNKNOWN_VALUE = 0;
export const NODATA_VALUE = 255;

export interface TileLabel {
  tileIndex: number;
  row: number;
  col: number;
  window: PixelWindow;
  /** Index into the scheme's classes, or -1 when the best probability is below the threshold. */
  classIndex: number;
  /** Class id, or "unknown". */
  classId: string;
  /** Softmax probability of the best class (reported even when the tile is unknown). */
  probability: number;
  /** Cosine similarity of the tile with the best class embedding. */
  cosine: number;
  /** Index of the best class regardless of the threshold. */
  bestIndex: number;
  runnerUpIndex: number;
  runnerUpId: string | null;
  runnerUpProbability: number;
  /** probability - runnerUpProbability. */
  margin: number;
}

export interface ClassAreaSummary {
  /** Class id, or "unknown" / "nodata". */
  id: string;
  name: string;
  value: number;
  color: string;
  /** Tiles labelled with this class (by their own label, whole tiles). */
  tiles: number;
  /** Class raster cells with this value. */
  cells: number;
  areaM2: number;
  areaHa: number;
  areaKm2: number;
  /** Share of the labelled (non-nodata) area, 0..1. */
  fraction: number;
  /** Mean softmax probability of the tiles labelled with this class (null when none). */
  meanProbability: number | null;
}
