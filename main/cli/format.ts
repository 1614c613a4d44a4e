// Human-readable renderings of scene info and search results for the terminal.
import type { SearchResult } from '../../shared/protocol/engine-api.js';
import type { SceneInfo } from '../../shared/protocol/scene.js';

function fmt(n: number, digits = 6): string {
  return Number.isInteger(n) ? String(n) : Number(n.toPrecision(digits)).toString();
}

function bytes(n: number | null): string {
  if (n === null) return 'unknown';
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0, v = n;
  while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(i ? 1 : 0)} ${u[i]}`;
}

export function formatInfo(info: SceneInfo): string {
  const lines: string[] = [];
  lines.push(`Scene:       ${info.source}`);
  lines.push(`Size:        ${info.width} x ${info.height} px, ${info.bandCount} band(s), ${info.dataType}`);
  lines.push(`File:        ${bytes(info.fileSize)}, ${info.compression}, ${info.tiled ? `tiled ${info.blockSize[0]}x${info.blockSize[1]}` : `strips of ${info.blockSize[1]} rows`}${info.bigTiff ? ', BigTIFF' : ''}`);
  const crs = info.crs;
  if (crs) {
    lines.push(`CRS:         ${crs.epsg ? `EPSG:${crs.epsg} ` : ''}${crs.name}${crs.proj4 ? '' : ` (cannot reproject: ${crs.reason ?? 'unknown'})`}`);
    if (!crs.epsg && crs.proj4) lines.push(`  PROJ:      ${crs.proj4}`);
  } else lines.push('CRS:         none');
  if (info.geoTransform) {
    const t = info.geoTransform;
    lines.push(`Transform:   origin (${fmt(t[0], 10)}, ${fmt(t[3], 10)}), pixel (${fmt(t[1])}, ${fmt(t[5])})${t[2] || t[4] ? `, rotation (${fmt(t[2])}, ${fmt(t[4])})` : ''}`);
  }
  if (info.groundResolutionM) lines.push(`Resolution:  ${fmt(info.groundResolutionM, 4)} m/pixel`);
  lines.push(`Nodata:      ${info.nodata ?? 'none'}${info.alphaBand !== null ? `; alpha band ${info.alphaBand + 1}` : ''}${info.hasMask ? '; internal mask' : ''}`);
  lines.push('Bands:');
  for (const b of info.bands) lines.push(`  ${String(b.index + 1).padStart(2)}  ${b.colorInterp.padEnd(9)} ${b.description ?? ''}`.trimEnd());
  if (info.overviews.length > 1) lines.push(`Overviews:   ${info.overviews.slice(1).map((o) => `${o.width}x${o.height}`).join(', ')}`);
  else lines.push('Overviews:   none');
  if (info.boundsWgs84) {
    const [w, s, e, n] = info.boundsWgs84;
    lines.push(`WGS84 bbox:  ${fmt(w, 9)}, ${fmt(s, 9)}, ${fmt(e, 9)}, ${fmt(n, 9)} (lon/lat)`);
  }
  for (const w of info.warnings) lines.push(`Warning:     ${w}`);
  return lines.join('\n') + '\n';
}

export function formatHits(r: SearchResult): string {
  const what = r.query.text !== undefined ? `"${r.query.text}"` : r.query.tileIndex !== undefined ? `tile ${r.query.tileIndex}` : `image ${r.query.image}`;
  const lines = [
    `${r.hits.length} hit(s) for ${what} in ${r.scene.source}`,
    `model ${r.model.id} on ${r.model.provider}; ${r.tiling.tilesEmbedded} of ${r.tiling.tilesTotal} tiles of ${r.tiling.tileSizePx} px${r.tiling.tileGroundM ? ` (${fmt(r.tiling.tileGroundM, 4)} m)` : ''}; scores ${fmt(r.scoreStats.min, 3)}..${fmt(r.scoreStats.max, 3)}, mean ${fmt(r.scoreStats.mean, 3)}`,
    `${r.calibration.verdict === 'confident' ? '' : 'Note: '}${r.calibration.message}`,
    'rank  score     tile   window (x,y,w,h)          centre (lon, lat)',
  ];
  for (const h of r.hits) {
    const ring = h.polygon?.coordinates[0];
    let centre = '-';
    if (ring && ring.length > 1) {
      const pts = ring.slice(0, -1);
      const lon = pts.reduce((a, p) => a + p[0], 0) / pts.length;
      const lat = pts.reduce((a, p) => a + p[1], 0) / pts.length;
      centre = `${lon.toFixed(6)}, ${lat.toFixed(6)}`;
    }
    const win = `${h.window.x},${h.window.y},${h.window.width},${h.window.height}`;
    lines.push(`${String(h.rank).padStart(4)}  ${h.score.toFixed(4).padStart(7)}  ${String(h.tileIndex).padStart(5)}   ${win.padEnd(24)}  ${centre}`);
  }
  return lines.join('\n') + '\n';
}

export function formatCatalog(entries: import('../../shared/protocol/engine-api.js').CatalogEntry[]): string {
  if (entries.length === 0) return 'The index is empty: add scenes with `geosift index SCENE`.\n';
  const lines = ['id        model              tiles (indexed/total)  tile     size      scene'];
  for (const e of entries) {
    const size = e.bytes >= 1 << 20 ? `${(e.bytes / (1 << 20)).toFixed(1)} MB` : `${(e.bytes / 1024).toFixed(0)} KB`;
    const state = e.stale ? ' (stale)' : e.complete ? '' : ' (partial)';
    lines.push(`${e.id.slice(0, 8)}  ${e.model.id.padEnd(18)} ${`${e.tilesIndexed}/${e.tilesTotal}${state}`.padEnd(22)} ${`${e.tiling.tileSizePx}px`.padEnd(8)} ${size.padEnd(9)} ${e.source}`);
  }
  if (entries.some((e) => e.stale)) lines.push('(stale): made by an earlier Geosift that read these pixels differently; `geosift index SCENE` indexes it again.');
  return lines.join('\n') + '\n';
}

export function formatCatalogHits(r: import('../../shared/protocol/engine-api.js').CatalogSearchResult): string {
  const how = r.method?.kind === 'approximate' ? `; approximate: ${r.method.scanned} tiles scored in ${r.method.nprobe} of ${r.method.cells} index cells` : '';
  const lines = [`${r.hits.length} hit(s) for "${r.query}" across ${r.scenesSearched} scene(s), ${r.tilesSearched} tiles (model ${r.model.id}, ${r.elapsedMs} ms${how})`, 'rank  score    tile   scene'];
  for (const h of r.hits) lines.push(`${String(h.rank).padStart(4)}  ${h.score.toFixed(4)}  ${String(h.tileIndex).padStart(5)}  ${h.source}`);
  return lines.join('\n') + '\n';
}

export function formatLabels(r: import('../../shared/protocol/engine-api.js').LabelSummary): string {
  const lines = [
    `${r.tiles.length} tiles of ${r.scene.source} labelled with ${r.scheme.name}${r.scheme.name.includes(`(${r.scheme.language})`) ? "" : ` (${r.scheme.language})`}, model ${r.model.id} on ${r.model.provider}`,
    `unknown below p=${r.thresholds.minProbability}${r.thresholds.minMargin ? ` or margin ${r.thresholds.minMargin}` : ''}; areas ${r.areaMethod === 'ellipsoid' ? 'on the WGS84 ellipsoid' : r.areaMethod === 'planar-crs' ? 'planar in the scene CRS' : 'not available (no georeferencing)'}`,
    'class                      tiles   area (ha)    area (km2)   share   mean p',
  ];
  for (const a of r.areas) {
    if (a.tiles === 0 && a.areaHa === 0) continue;
    lines.push(`${a.name.slice(0, 26).padEnd(26)} ${String(a.tiles).padStart(5)}  ${a.areaHa.toFixed(2).padStart(10)}  ${a.areaKm2.toFixed(4).padStart(11)}  ${(a.fraction * 100).toFixed(1).padStart(5)} %  ${a.meanProbability === null ? '   -' : a.meanProbability.toFixed(2)}`);
  }
  for (const n of r.notes) lines.push(`Note: ${n}`);
  return lines.join('\n') + '\n';
}
