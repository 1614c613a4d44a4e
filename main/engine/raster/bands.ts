// Band presets (rgb, rgbn, landsat8, sentinel2, ...) and explicit GDAL-style lists: a spec -> three 0-based band indices.

import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import type { SceneInfo } from './types.js';

/** What a preset needs to know about a scene. */
export type BandSceneInfo = Pick<SceneInfo, 'source' | 'bandCount' | 'bands'>;

export interface BandPreset {
  id: string;
  /** One line for help texts and the UI. */
  description: string;
  /** 0-based band indices in R, G, B order; throws E_BAD_BANDS when the scene does not fit. */
  resolve(info: BandSceneInfo): number[];
}

const presets = new Map<string, BandPreset>();

/** Adds or replaces a preset (one entry per sensor layout). */
export function registerBandPreset(preset: BandPreset): void {
  presets.set(preset.id.toLowerCase(), preset);
}

export function listBandPresets(): BandPreset[] {
  return [...presets.values()];
}

function badBands(info: BandSceneInfo, msg: string): EngineError {
  return new EngineError(ErrorCodes.BAD_BANDS, `${info.source}: ${msg} (the scene has ${info.bandCount} band${info.bandCount === 1 ? '' : 's'})`);
}

/** 1-based GDAL band numbers -> 0-based indices, naming the first one the scene lacks. */
function fromGdalNumbers(info: BandSceneInfo, numbers: number[], what: string): number[] {
  for (const n of numbers) {
    if (n < 1 || n > info.bandCount) throw badBands(info, `${what} needs band ${n}, which does not exist; bands are numbered 1-${info.bandCount}`);
  }
  return numbers.map((n) => n - 1);
}

/** Finds bands by description (e.g. "B4 red" or "B04"), in the order of `names`; null if any is missing. */
function byDescription(info: BandSceneInfo, names: string[]): number[] | null {
  const out: number[] = [];
  for (const name of names) {
    const num = /^B0*(\d+A?)$/i.exec(name)?.[1];
    const re = num ? new RegExp(`^(band[ _]?|b)0*${num}(\\b|[^0-9A-Za-z])`, 'i') : new RegExp(`^${name}$`, 'i');
    const hit = info.bands.find((b) => b.description !== null && re.test(b.description.trim()));
    if (!hit) return null;
    out.push(hit.index);
  }
  return out;
}

registerBandPreset({
  id: 'rgb',
  description: 'Red, green, blue by colour interpretation, else bands 1,2,3; a single band is shown as gray',
  resolve(info) {
    const find = (c: string): number | undefined => info.bands.find((b) => b.colorInterp === c)?.index;
    const r = find('red');
    const g = find('green');
    const b = find('blue');
    if (r !== undefined && g !== undefined && b !== undefined) return [r, g, b];
    const data = info.bands.filter((x) => x.colorInterp !== 'alpha');
    if (data.length >= 3) return [data[0].index, data[1].index, data[2].index];
    if (data.length >= 1) return [data[0].index, data[0].index, data[0].index];
    throw badBands(info, 'no data band to display');
  },
});

registerBandPreset({
  id: 'rgbn',
  description: 'NAIP-style R,G,B,NIR stack: bands 1,2,3',
  resolve: (info) => fromGdalNumbers(info, [1, 2, 3], 'preset rgbn'),
});

registerBandPreset({
  id: 'landsat8',
  description: 'Landsat 8/9 natural colour B4,B3,B2 (by description, else a B1..B7 stack: bands 4,3,2)',
  resolve: (info) => byDescription(info, ['B4', 'B3', 'B2']) ?? fromGdalNumbers(info, [4, 3, 2], 'preset landsat8'),
});

registerBandPreset({
  id: 'landsat-swir',
  description: 'Landsat 8/9 SWIR composite B7,B6,B4 (by description, else a B1..B7 stack: bands 7,6,4)',
  resolve: (info) => byDescription(info, ['B7', 'B6', 'B4']) ?? fromGdalNumbers(info, [7, 6, 4], 'preset landsat-swir'),
});

registerBandPreset({
  id: 'sentinel2',
  description: 'Sentinel-2 natural colour B4,B3,B2 (by description, else the 13-band L1C order B1..B12: bands 4,3,2)',
  resolve(info) {
    const named = byDescription(info, ['B4', 'B3', 'B2']);
    if (named) return named;
    if (info.bandCount < 13) {
      throw badBands(info, 'preset sentinel2 needs bands described B4, B3, B2 or a 13-band Sentinel-2 stack');
    }
    return fromGdalNumbers(info, [4, 3, 2], 'preset sentinel2');
  },
});

/**
 * Resolves a band spec to 0-based indices in R, G, B order: a preset id ("rgb", "landsat8", ...)
 * or GDAL-style 1-based numbers ("4,3,2", or "1" for one band shown as gray).
 */
export function resolveBands(info: BandSceneInfo, spec = 'rgb'): number[] {
  const s = spec.trim();
  if (/^[\d\s,]+$/.test(s)) {
    const numbers = s.split(',').map((p) => p.trim());
    if (numbers.some((p) => p === '')) throw badBands(info, `band list "${spec}" has an empty entry`);
    const parsed = numbers.map(Number);
    if (parsed.length !== 1 && parsed.length !== 3) throw badBands(info, `band list "${spec}" must name 1 or 3 bands`);
    const idx = fromGdalNumbers(info, parsed, `band list "${spec}"`);
    return idx.length === 1 ? [idx[0], idx[0], idx[0]] : idx;
  }
  const preset = presets.get(s.toLowerCase());
  if (!preset) {
    throw new EngineError(
      ErrorCodes.BAD_BANDS,
      `Unknown band preset "${spec}"; use one of ${[...presets.keys()].join(', ')} or 1-based band numbers such as 4,3,2`,
    );
  }
  return preset.resolve(info);
}
