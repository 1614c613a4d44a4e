// Plain-data summaries of a model, a scene's CRS and tiling, shared by search results, labels and exports.
import type { ModelSummary, TilingSummary } from '../../../shared/protocol/engine-api.js';
import type { SceneInfo } from '../../../shared/protocol/scene.js';
import type { SceneEmbeddings } from './embed-scene.js';

/** "EPSG:32618", else the PROJ or WKT definition, else the CRS name; null without a CRS. */
export function crsLabel(info: SceneInfo): string | null {
  const crs = info.crs;
  return crs ? (crs.epsg ? `EPSG:${crs.epsg}` : crs.proj4 ?? crs.wkt ?? crs.name) : null;
}

export function tilingSummary(emb: SceneEmbeddings): TilingSummary {
  return {
    tileSizePx: emb.plan.tileSizePx,
    overlapPx: emb.plan.overlapPx,
    tileGroundM: emb.plan.tileGroundM,
    level: emb.plan.level,
    bands: emb.bands.map((b) => b + 1),
    tilesTotal: emb.tilesTotal,
    tilesEmbedded: emb.records.length,
    tilesSkipped: emb.tilesSkipped,
  };
}

/** What results say about the model that produced them. */
export function modelSummary(info: { manifest: { id: string; name: string; languages: string[] }; manifestSha256: string; provider: string; visionPrecision?: string }): ModelSummary {
  const m: ModelSummary = { id: info.manifest.id, name: info.manifest.name, sha256: info.manifestSha256, provider: info.provider, languages: info.manifest.languages };
  if (info.visionPrecision === 'int8') m.visionPrecision = 'int8';
  return m;
}
