// What every export carries about how it was made: query or scheme and language, model and hash, tiling, scene, thresholds, time, version.
import type { SearchResult, TilingSummary } from '../../../shared/protocol/engine-api.js';
import type { LabelResult } from '../label/label-scene.js';
import { GEOSIFT_VERSION } from '../version.js';

export interface Provenance {
  kind: 'search-hits' | 'labels';
  geosiftVersion: string;
  /** When the result was computed (ISO 8601). */
  created: string;
  /** When the file was written (ISO 8601). */
  exported: string;
  scene: { source: string; fingerprint: string | null; width: number; height: number; crs: string | null };
  model: { id: string; name: string; sha256: string };
  query: { text: string | null; tileIndex: number | null; image: string | null; language: string | null } | null;
  scheme: { id: string; name: string; language: string; classes: number; source: string | null } | null;
  tiling: TilingSummary;
  thresholds: Record<string, number | null>;
}

export interface HitsProvenanceExtra {
  /** The scene's content fingerprint (index key) when known. */
  fingerprint?: string | null;
  /** Language of the query when the caller knows it. */
  language?: string | null;
  /** Score threshold used (minScore) and overlap suppression, when known. */
  minScore?: number | null;
  suppressIoU?: number | null;
  /** When the search ran; default now. */
  created?: string;
}

export function hitsProvenance(result: SearchResult, extra: HitsProvenanceExtra = {}): Provenance {
  const now = new Date().toISOString();
  return {
    kind: 'search-hits',
    geosiftVersion: GEOSIFT_VERSION,
    created: extra.created ?? now,
    exported: now,
    scene: { source: result.scene.source, fingerprint: extra.fingerprint ?? null, width: result.scene.width, height: result.scene.height, crs: result.scene.crs },
    model: { id: result.model.id, name: result.model.name, sha256: result.model.sha256 },
    query: { text: result.query.text ?? null, tileIndex: result.query.tileIndex ?? null, image: result.query.image ?? null, language: extra.language ?? null },
    scheme: null,
    tiling: result.tiling,
    thresholds: { minScore: extra.minScore ?? null, suppressIoU: extra.suppressIoU ?? null },
  };
}

export function labelsProvenance(result: LabelResult): Provenance {
  return {
    kind: 'labels',
    geosiftVersion: GEOSIFT_VERSION,
    created: result.created,
    exported: new Date().toISOString(),
    scene: { source: result.scene.source, fingerprint: result.scene.fingerprint, width: result.scene.width, height: result.scene.height, crs: result.scene.crs },
    model: { id: result.model.id, name: result.model.name, sha256: result.model.sha256 },
    query: null,
    scheme: { id: result.scheme.id, name: result.scheme.name, language: result.scheme.language, classes: result.scheme.classes.length, source: result.scheme.source },
    tiling: result.tiling,
    thresholds: { minProbability: result.thresholds.minProbability, minMargin: result.thresholds.minMargin, ensemble: result.prompts.ensemble ? 1 : 0 },
  };
}

/** Flat "key: value" pairs (for CSV comment lines and raster metadata). */
export function provenanceEntries(p: Provenance): [string, string][] {
  const out: [string, string][] = [
    ['geosift_version', p.geosiftVersion],
    ['kind', p.kind],
    ['created', p.created],
    ['exported', p.exported],
    ['scene', p.scene.source],
    ['scene_fingerprint', p.scene.fingerprint ?? ''],
    ['scene_size', `${p.scene.width}x${p.scene.height}`],
    ['scene_crs', p.scene.crs ?? ''],
    ['model', p.model.id],
    ['model_name', p.model.name],
    ['model_sha256', p.model.sha256],
  ];
  if (p.query) {
    if (p.query.text !== null) out.push(['query', p.query.text]);
    if (p.query.tileIndex !== null) out.push(['query_tile', String(p.query.tileIndex)]);
    if (p.query.image !== null) out.push(['query_image', p.query.image]);
    out.push(['language', p.query.language ?? '']);
  }
  if (p.scheme) {
    out.push(['scheme', p.scheme.id], ['scheme_name', p.scheme.name], ['language', p.scheme.language]);
  }
  const t = p.tiling;
  out.push(['tiling', `tile ${t.tileSizePx} px${t.tileGroundM !== null ? ` (${Number(t.tileGroundM.toFixed(3))} m)` : ''}, overlap ${t.overlapPx} px, level ${t.level}, bands ${t.bands.join(',')}, ${t.tilesEmbedded}/${t.tilesTotal} tiles embedded, ${t.tilesSkipped} skipped`]);
  for (const [k, v] of Object.entries(p.thresholds)) out.push([k, v === null ? '' : String(v)]);
  return out;
}
