// A label result's class raster as a Cloud-Optimized GeoTIFF: the scheme's colours, nodata 255, legend and provenance in GDAL metadata.
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import type { LabelResult } from '../label/label-scene.js';
import { NODATA_COLOR, UNKNOWN_COLOR } from '../label/label-scene.js';
import { NODATA_VALUE, UNKNOWN_VALUE } from '../label/types.js';
import type { SceneInfo } from '../raster/types.js';
import { hexToRgb, writeCog } from './cog-writer.js';
import { labelsProvenance, provenanceEntries } from './provenance.js';

export function labelsToCog(info: Pick<SceneInfo, 'source' | 'crs' | 'geoTransform'>, result: LabelResult): Uint8Array {
  const r = result.raster;
  if (info.geoTransform && !info.crs) {
    throw new EngineError(ErrorCodes.NOT_GEOREFERENCED, `${info.source} has a geotransform but no CRS; a class raster written from it would be misplaced.`);
  }
  const colorMap: ([number, number, number] | undefined)[] = new Array(256);
  colorMap[UNKNOWN_VALUE] = hexToRgb(UNKNOWN_COLOR);
  colorMap[NODATA_VALUE] = hexToRgb(NODATA_COLOR);
  for (const l of r.legend) colorMap[l.value] = hexToRgb(l.color);
  const metadata: Record<string, string> = {};
  for (const [k, v] of provenanceEntries(labelsProvenance(result))) metadata[`GEOSIFT_${k.toUpperCase()}`] = v;
  // The legend as plain metadata items: value -> id, name and colour (GDAL shows them; no .aux.xml needed).
  metadata[`CLASS_${UNKNOWN_VALUE}`] = `unknown|unknown|${UNKNOWN_COLOR}`;
  for (const l of r.legend) metadata[`CLASS_${l.value}`] = `${l.id}|${l.name}|${l.color}`;
  metadata.GEOSIFT_CELL_SIZE_PX = String(r.cellSizePx);
  metadata.GEOSIFT_CODES = `0 = unknown (probability below ${result.thresholds.minProbability}), 255 = nodata (tile skipped), 1..254 = class values`;
  return writeCog({
    width: r.width,
    height: r.height,
    data: r.data,
    nodata: NODATA_VALUE,
    colorMap,
    geoTransform: r.geoTransform,
    crs: info.crs ? { epsg: info.crs.epsg, isGeographic: info.crs.isGeographic, name: info.crs.name } : null,
    metadata,
    bandDescription: `${result.scheme.name} class (${result.scheme.language})`,
  });
}
