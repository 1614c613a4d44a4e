// Pure: the analyst's settings (tiling, threshold, model, basemap), their defaults and how they map to engine parameters.
import type { ModelParams, TilingParams } from '../../../../shared/protocol/engine-api.js';

export interface Settings {
  /** "" = the model's input size. */
  tile: string;
  overlap: string;
  /** "" = the model's band mapping. */
  bands: string;
  /** Minimum score for a hit, "" = none. */
  minScore: string;
  top: number;
  /** "" = the bundled model. */
  model: string;
  /** Label threshold (probability below which a tile is "unknown"), "" = engine default. */
  labelThreshold: string;
  /** OpenStreetMap under the scene; off by default because the app must work offline. */
  basemap: boolean;
}

export const DEFAULT_SETTINGS: Settings = { tile: '', overlap: '', bands: '', minScore: '', top: 10, model: '', labelThreshold: '', basemap: false };

const KEY = 'geosift.settings';

export function loadSettings(store: { getItem(k: string): string | null }): Settings {
  try {
    const v = JSON.parse(store.getItem(KEY) ?? '{}') as Partial<Settings>;
    return { ...DEFAULT_SETTINGS, ...v };
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export function saveSettings(store: { setItem(k: string, v: string): void }, s: Settings): void {
  try {
    store.setItem(KEY, JSON.stringify(s));
  } catch {
    // not remembered; still applied
  }
}

/** Tiling and model fields for index/search/similar/label calls: empty strings are left to the engine's defaults. */
export function engineParams(s: Settings): TilingParams & ModelParams {
  const out: TilingParams & ModelParams = {};
  if (s.tile.trim()) out.tile = s.tile.trim();
  if (s.overlap.trim()) out.overlap = s.overlap.trim();
  if (s.bands.trim()) out.bands = s.bands.trim();
  if (s.model.trim()) out.model = s.model.trim();
  return out;
}

export function parseOptionalNumber(text: string): number | undefined {
  if (!text.trim()) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}
