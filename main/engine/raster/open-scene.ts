// Opens a local or remote (HTTP range) GeoTIFF/COG: reports what it holds and reads bounded windows from any overview level.

import { stat } from 'node:fs/promises';
import { fromFile, fromUrl, type GeoTIFF, type GeoTIFFImage, type Pool } from 'geotiff';
import { EngineError, ErrorCodes, throwIfAborted } from '../../../shared/protocol/errors.js';
import type { BBox, GeoTransform, PixelWindow, PolygonGeometry, Position } from '../../../shared/geo/types.js';
import { lonLatBBox, unwrapRing } from '../../../shared/geo/geojson.js';
import { createCrsTransformer, crsFromGeoKeys, type CrsTransformer } from './crs.js';
import { installFastDecoding } from './fast-decode.js';
import { clearInvalid } from './valid-mask.js';
import { registerBoundedDecoders } from './bounded-decoders.js';
import { dropCachedBlocks, readWindowBlocks } from './block-reader.js';
import {
  asEngineError,
  bytesPerSample,
  compressionName,
  enumerateIfds,
  sampleTypeOf,
  tagNumber,
  tagNumbers,
  tagString,
  validateIfd,
  type IfdImage,
} from './tiff-structure.js';
import type {
  BandInfo,
  ColorInterp,
  OverviewInfo,
  ReadWindowOptions,
  SampleArray,
  SampleType,
  Scene,
  SceneInfo,
  WindowData,
} from './types.js';

installFastDecoding();
// The size-bounded LZW/PackBits/DEFLATE/JPEG decoders are the registered ones; fast-decode patches the predictor and
// the window copy that every decoder's output goes through.
registerBoundedDecoders();

/** Largest window (output pixels per band) one readWindow call may return. */
export const MAX_WINDOW_PIXELS = 64 * 1024 * 1024;
/**
 * Most bytes of decoded blocks one readWindow call may hold: geotiff.js decodes every block a window
 * touches at once, so a small window over huge strips (or many blocks) costs far more than its pixels.
 */
export const MAX_WINDOW_DECODE_BYTES = 1024 * 1024 * 1024;

export interface OpenSceneOptions {
  signal?: AbortSignal;
  /** geotiff.js decoder pool; decoding then runs in worker threads. */
  pool?: Pool;
  /** Segments per footprint edge (default 16). */
  footprintSegments?: number;
}

interface Level {
  info: OverviewInfo;
  image: GeoTIFFImage;
  mask: GeoTIFFImage | null;
}

const INT_RANGES: Partial<Record<SampleType, [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint32: [0, 4294967295],
  int32: [-2147483648, 2147483647],
};

function newArray(type: SampleType, n: number): SampleArray {
  switch (type) {
    case 'uint8':
      return new Uint8Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'uint16':
      return new Uint16Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'uint32':
      return new Uint32Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
  }
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/** Per-band items of GDAL's metadata XML (tag 42112): DESCRIPTION and COLORINTERP by 0-based sample. */
function parseGdalMetadata(xml: string | null): Map<number, Record<string, string>> {
  const out = new Map<number, Record<string, string>>();
  if (!xml) return out;
  for (const m of xml.matchAll(/<Item\s+([^>]*)>([\s\S]*?)<\/Item>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(/(\w+)="([^"]*)"/g)) attrs[a[1]] = a[2];
    if (attrs.sample === undefined) continue;
    const sample = Number(attrs.sample);
    const rec = out.get(sample) ?? {};
    const key = (attrs.role ?? attrs.name ?? '').toLowerCase();
    rec[key] = unescapeXml(m[2]);
    out.set(sample, rec);
  }
  return out;
}

const INTERP_NAMES: Record<string, ColorInterp> = {
  gray: 'gray',
  grey: 'gray',
  red: 'red',
  green: 'green',
  blue: 'blue',
  alpha: 'alpha',
  palette: 'palette',
};

function parseNodata(s: string | null): number | null {
  if (s === null) return null;
  const t = s.trim().toLowerCase();
  if (t === '') return null;
  if (t === 'nan' || t === '-nan') return NaN;
  if (t === 'inf') return Infinity;
  if (t === '-inf') return -Infinity;
  const v = Number(t);
  return Number.isNaN(v) ? null : v;
}

/** Whether a nodata value can occur in data of this type at all (GDAL keeps e.g. -10000 on uint8, which matches nothing). */
function nodataMatchable(nodata: number, type: SampleType): boolean {
  if (Number.isNaN(nodata)) return type === 'float32' || type === 'float64';
  const range = INT_RANGES[type];
  if (!range) return true;
  return Number.isInteger(nodata) && nodata >= range[0] && nodata <= range[1];
}

function geoTransformOf(image: GeoTIFFImage, pixelIsPoint: boolean): GeoTransform | null {
  const fd = image.fileDirectory;
  const m = tagNumbers(fd, 'ModelTransformation');
  let gt: GeoTransform | null = null;
  if (m && m.length >= 16) {
    gt = [m[3], m[0], m[1], m[7], m[4], m[5]];
  } else {
    const tie = tagNumbers(fd, 'ModelTiepoint');
    const scale = tagNumbers(fd, 'ModelPixelScale');
    if (tie && tie.length >= 6 && scale && scale.length >= 2) {
      const [i, j, , x, y] = tie;
      gt = [x - i * scale[0], scale[0], 0, y + j * scale[1], 0, -scale[1]];
    }
  }
  if (!gt || !gt.every(Number.isFinite) || gt[1] * gt[5] - gt[2] * gt[4] === 0) return null;
  if (pixelIsPoint) {
    // GDAL's default: a PixelIsPoint tiepoint names the pixel centre, so shift to the corner.
    gt[0] -= 0.5 * gt[1] + 0.5 * gt[2];
    gt[3] -= 0.5 * gt[4] + 0.5 * gt[5];
  }
  return gt;
}

function haversineM(a: [number, number], b: [number, number]): number {
  const R = 6371008.8;
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLon = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Densified footprint ring. Edge points outside the projection's domain (e.g. the corners of a
 * full-disk geostationary image) are moved toward the image centre until they transform, so the
 * ring follows the visible limb instead of failing like GDAL does for those corners.
 */
function computeFootprint(
  width: number,
  height: number,
  toWgs84: (col: number, row: number) => [number, number],
  segments: number,
): PolygonGeometry | null {
  const ok = (p: [number, number]): boolean => Number.isFinite(p[0]) && Number.isFinite(p[1]);
  const cx = width / 2;
  const cy = height / 2;
  if (!ok(toWgs84(cx, cy))) return null;
  const corners: Position[] = [
    [0, 0],
    [width, 0],
    [width, height],
    [0, height],
  ];
  const edgePoints = (n: number): Position[] => {
    const pts: Position[] = [];
    for (let e = 0; e < 4; e++) {
      const [ax, ay] = corners[e];
      const [bx, by] = corners[(e + 1) % 4];
      for (let i = 0; i < n; i++) pts.push([ax + ((bx - ax) * i) / n, ay + ((by - ay) * i) / n]);
    }
    return pts;
  };
  let pixels = edgePoints(segments);
  let lonlat = pixels.map(([c, r]) => toWgs84(c, r));
  if (!lonlat.every(ok)) {
    pixels = edgePoints(Math.max(segments, 64));
    lonlat = pixels.map(([c, r]) => {
      const direct = toWgs84(c, r);
      if (ok(direct)) return direct;
      // Binary search along edge point -> centre for the first point inside the domain.
      let lo = 0;
      let hi = 1;
      let best = toWgs84(cx, cy);
      for (let k = 0; k < 30; k++) {
        const mid = (lo + hi) / 2;
        const p = toWgs84(c + (cx - c) * mid, r + (cy - r) * mid);
        if (ok(p)) {
          hi = mid;
          best = p;
        } else lo = mid;
      }
      return best;
    });
  }
  const ring: Position[] = lonlat.map((p) => [p[0], p[1]]);
  // Consecutive duplicates appear where several edge points collapse onto the same limb point.
  const dedup = ring.filter((p, i) => i === 0 || p[0] !== ring[i - 1][0] || p[1] !== ring[i - 1][1]);
  if (dedup.length < 3) return null;
  dedup.push([dedup[0][0], dedup[0][1]]);
  // Across the antimeridian the ring is made continuous around the centre's longitude (as hit polygons are), so it
  // does not wrap the globe; a ring around a pole does not close when unwrapped and stays as it is.
  const unwrapped = unwrapRing(dedup, toWgs84(cx, cy)[0]);
  const closes = Math.abs(unwrapped[unwrapped.length - 1][0] - unwrapped[0][0]) < 1e-9;
  return { type: 'Polygon', coordinates: [closes ? unwrapped : dedup] };
}

/** RFC 7946 bounds of a footprint: west > east across the antimeridian, all longitudes around a pole. */
function footprintBounds(poly: PolygonGeometry): BBox {
  const ring = poly.coordinates[0];
  const unwrapped = unwrapRing(ring);
  if (Math.abs(unwrapped[unwrapped.length - 1][0] - unwrapped[0][0]) > 1e-9) {
    // The ring winds around a pole: every longitude, and latitude up to that pole.
    const [, s, , n] = lonLatBBox([ring]);
    return ring.reduce((a, p) => a + p[1], 0) > 0 ? [-180, s, 180, 90] : [-180, -90, 180, n];
  }
  return lonLatBBox([ring]);
}

async function fileSizeOf(source: string, remote: boolean, signal?: AbortSignal): Promise<number | null> {
  if (!remote) {
    let st;
    try {
      st = await stat(source);
    } catch (e) {
      throw asEngineError(e, source);
    }
    if (st.isDirectory()) throw new EngineError(ErrorCodes.FILE_NOT_FOUND, `${source} is a folder, not a GeoTIFF file`);
    return st.size;
  }
  let res: Response;
  try {
    res = await fetch(source, { method: 'HEAD', signal });
  } catch (e) {
    if (signal?.aborted) throw new EngineError(ErrorCodes.CANCELED, 'Canceled');
    throw new EngineError(ErrorCodes.NETWORK, `Could not reach ${source}: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`, { cause: e });
  }
  if (res.status === 404 || res.status === 410) throw new EngineError(ErrorCodes.FILE_NOT_FOUND, `${source} was not found (HTTP ${res.status})`);
  if (!res.ok && res.status !== 405) throw new EngineError(ErrorCodes.NETWORK, `${source} answered HTTP ${res.status} ${res.statusText}`);
  const len = Number(res.headers.get('content-length'));
  return res.ok && Number.isFinite(len) && len > 0 ? len : null;
}

/** Opens a GeoTIFF or COG from a local path or an http(s) URL (read with range requests). */
export async function openScene(source: string, options: OpenSceneOptions = {}): Promise<Scene> {
  const { signal } = options;
  throwIfAborted(signal);
  const remote = /^https?:\/\//i.test(source);
  const fileSize = await fileSizeOf(source, remote, signal);
  if (fileSize !== null && fileSize < 8) throw new EngineError(ErrorCodes.NOT_TIFF, `${source} is not a TIFF file (only ${fileSize} bytes)`);
  let tiff: GeoTIFF;
  try {
    tiff = remote ? await fromUrl(source, { allowFullFile: false }, signal) : await fromFile(source, signal);
  } catch (e) {
    throw asEngineError(e, source);
  }
  try {
    return await describe(tiff, source, fileSize, options);
  } catch (e) {
    await Promise.resolve(tiff.close()).catch(() => undefined);
    throw asEngineError(e, source);
  }
}

async function describe(tiff: GeoTIFF, source: string, fileSize: number | null, options: OpenSceneOptions): Promise<Scene> {
  const { signal } = options;
  const ifds = await enumerateIfds(tiff, source, fileSize, signal);
  const main = ifds.find((i) => !i.isMask);
  if (!main) throw new EngineError(ErrorCodes.EMPTY_IMAGE, `${source} holds only mask images, no data image`);
  await validateIfd(main, source, fileSize, 'the image');
  const fd = main.image.fileDirectory;
  const warnings: string[] = [];

  const bandCount = tagNumber(fd, 'SamplesPerPixel', 1);
  const bits = tagNumbers(fd, 'BitsPerSample') ?? [1];
  const formats = tagNumbers(fd, 'SampleFormat') ?? [1];
  const types = Array.from({ length: bandCount }, (_, b) => sampleTypeOf(formats[Math.min(b, formats.length - 1)], bits[Math.min(b, bits.length - 1)]));
  const dataType = types[0];
  if (!dataType || types.some((t) => t !== dataType)) {
    throw new EngineError(
      ErrorCodes.UNSUPPORTED_TIFF,
      `${source}: sample layout not supported (BitsPerSample ${bits.join(',')}, SampleFormat ${formats.join(',')}); expected 8/16/32/64-bit samples of one type`,
    );
  }
  if ((bits.length > 1 && bits.length !== bandCount) || (formats.length > 1 && formats.length !== bandCount)) {
    // geotiff.js sizes pixels from the BitsPerSample list, so a list that disagrees with the band count misreads every pixel.
    throw new EngineError(
      ErrorCodes.CORRUPT_TIFF,
      `${source}: the image declares ${bandCount} bands (SamplesPerPixel) but BitsPerSample lists ${bits.length} and SampleFormat ${formats.length} values; the file is corrupt`,
    );
  }
  const compressionCode = tagNumber(fd, 'Compression', 1);
  const photometric = tagNumber(fd, 'PhotometricInterpretation', bandCount >= 3 ? 2 : 1);
  const ycbcr = photometric === 6;
  if (ycbcr && compressionCode !== 7) {
    throw new EngineError(ErrorCodes.UNSUPPORTED_TIFF, `${source}: YCbCr samples without JPEG compression are not supported`);
  }

  // Overviews: reduced-resolution IFDs with the same bands, finest first; masks matched to levels by size.
  const overviewIfds = ifds
    .filter((i) => i !== main && !i.isMask && i.width < main.width && tagNumber(i.image.fileDirectory, 'SamplesPerPixel', 1) === bandCount)
    .sort((a, b) => b.width - a.width);
  const masks = ifds.filter((i) => i.isMask);
  const maskFor = (w: number, h: number): IfdImage | null => masks.find((m) => m.width === w && m.height === h) ?? null;
  const validateMask = async (m: IfdImage, what: string): Promise<void> => {
    await validateIfd(m, source, fileSize, what);
    const spp = tagNumber(m.image.fileDirectory, 'SamplesPerPixel', 1);
    const mbits = tagNumbers(m.image.fileDirectory, 'BitsPerSample') ?? [1];
    // geotiff.js unpacks sub-byte samples pixel by pixel for every declared sample: a "mask" of thousands of 1-bit samples takes minutes.
    if (spp !== 1 || mbits.length !== 1 || (mbits[0] !== 1 && mbits[0] !== 8)) {
      throw new EngineError(ErrorCodes.CORRUPT_TIFF, `${source}: ${what} declares ${spp} samples of ${mbits.join(',')} bits; a mask has one 1- or 8-bit sample`);
    }
  };
  const levels: Level[] = [];
  const mainMask = maskFor(main.width, main.height);
  if (mainMask) await validateMask(mainMask, 'the mask');
  levels.push({ info: { level: 0, width: main.width, height: main.height, scaleX: 1, scaleY: 1 }, image: main.image, mask: mainMask?.image ?? null });
  for (const ov of overviewIfds) {
    throwIfAborted(signal);
    const level = levels.length;
    await validateIfd(ov, source, fileSize, `overview ${level}`);
    const m = mainMask ? maskFor(ov.width, ov.height) : null;
    if (m) await validateMask(m, `overview ${level} mask`);
    levels.push({
      info: { level, width: ov.width, height: ov.height, scaleX: main.width / ov.width, scaleY: main.height / ov.height },
      image: ov.image,
      mask: m?.image ?? null,
    });
  }

  // External overviews (GDAL's `.ovr` beside a local file) when the file has none inside.
  let ovrTiff: GeoTIFF | null = null;
  if (levels.length === 1 && !/^https?:\/\//i.test(source)) {
    const ovrPath = `${source}.ovr`;
    const ovrSize = await stat(ovrPath).then(
      (st) => (st.isFile() ? st.size : null),
      () => null,
    );
    if (ovrSize !== null) {
      try {
        ovrTiff = await fromFile(ovrPath, signal);
        const ovrIfds = (await enumerateIfds(ovrTiff, ovrPath, ovrSize, signal))
          .filter((i) => !i.isMask && i.width < main.width && tagNumber(i.image.fileDirectory, 'SamplesPerPixel', 1) === bandCount)
          .sort((a, b) => b.width - a.width);
        for (const ov of ovrIfds) {
          const level = levels.length;
          await validateIfd(ov, ovrPath, ovrSize, `overview ${level}`);
          levels.push({
            info: { level, width: ov.width, height: ov.height, scaleX: main.width / ov.width, scaleY: main.height / ov.height },
            image: ov.image,
            mask: null,
          });
        }
      } catch (e) {
        if (ovrTiff) await Promise.resolve(ovrTiff.close()).catch(() => undefined);
        ovrTiff = null;
        if (e instanceof EngineError && e.code === ErrorCodes.CANCELED) throw e;
        levels.splice(1);
        warnings.push(`external overviews ${ovrPath} ignored: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  // Bands: colour interpretation from Photometric + ExtraSamples, overridden by GDAL's own metadata.
  let gdalMeta: Map<number, Record<string, string>> = new Map();
  try {
    gdalMeta = parseGdalMetadata(fd.hasTag('GDAL_METADATA') ? ((await fd.loadValue('GDAL_METADATA')) as string) : null);
  } catch {
    warnings.push('GDAL metadata (tag 42112) could not be read; band descriptions are missing');
  }
  const extra = tagNumbers(fd, 'ExtraSamples') ?? [];
  const colorBands = photometric === 2 || photometric === 6 ? 3 : 1;
  const bands: BandInfo[] = [];
  let alphaBand: number | null = null;
  for (let b = 0; b < bandCount; b++) {
    let interp: ColorInterp = 'undefined';
    if (photometric === 2 || photometric === 6) interp = b < 3 ? (['red', 'green', 'blue'] as const)[b] : 'undefined';
    else if (photometric === 0 || photometric === 1) interp = b === 0 ? 'gray' : 'undefined';
    else if (photometric === 3) interp = b === 0 ? 'palette' : 'undefined';
    const e = b - (bandCount - extra.length);
    if (b >= colorBands && e >= 0 && (extra[e] === 1 || extra[e] === 2)) interp = 'alpha';
    const meta = gdalMeta.get(b);
    const named = meta?.colorinterp ? INTERP_NAMES[meta.colorinterp.toLowerCase()] : undefined;
    if (named) interp = named;
    else if (meta?.colorinterp && /^undefined$/i.test(meta.colorinterp)) interp = 'undefined';
    if (interp === 'alpha' && alphaBand === null) alphaBand = b;
    bands.push({ index: b, description: meta?.description ?? null, colorInterp: interp });
  }

  // Palette (colour-mapped) images: TIFF ColorMap holds all reds, then greens, then blues, 16 bits each.
  let palette: [number, number, number][] | null = null;
  if (photometric === 3 && bandCount === 1 && fd.hasTag('ColorMap')) {
    try {
      const cm = (await fd.loadValue('ColorMap')) as ArrayLike<number>;
      const entries = 2 ** (bits[0] ?? 8);
      if (dataType !== 'uint8') warnings.push(`the ${dataType} colour table is not applied: the palette band shows as gray`);
      else if (cm.length !== 3 * entries) warnings.push(`the colour table has ${cm.length} values, expected ${3 * entries}: the palette band shows as gray`);
      else palette = Array.from({ length: entries }, (_, i) => [cm[i] >> 8, cm[entries + i] >> 8, cm[2 * entries + i] >> 8] as [number, number, number]);
    } catch {
      warnings.push('the colour table (ColorMap) could not be read: the palette band shows as gray');
    }
  }

  const nodataText = tagString(fd, 'GDAL_NODATA');
  const nodata = parseNodata(nodataText);
  if (nodata === null && nodataText !== null && nodataText.trim() !== '') {
    warnings.push(`nodata value "${nodataText.slice(0, 40)}" (GDAL_NODATA tag) is not a number; it is ignored`);
  }
  const useNodata = nodata !== null && nodataMatchable(nodata, dataType);
  if (nodata !== null && !useNodata) warnings.push(`nodata value ${nodata} is outside the ${dataType} range, so it matches no pixel`);

  // Georeferencing.
  let geoKeys: Record<string, unknown> | null = null;
  try {
    geoKeys = main.image.getGeoKeys() as Record<string, unknown> | null;
  } catch {
    warnings.push('GeoKeyDirectory is malformed; the CRS is ignored');
  }
  const pixelIsPoint = geoKeys?.GTRasterTypeGeoKey === 2;
  const geoTransform = geoTransformOf(main.image, pixelIsPoint);
  const crs = geoTransform ? crsFromGeoKeys(geoKeys) : null;
  if (!geoTransform) warnings.push('no georeferencing: the scene opens in pixel coordinates only');
  else if (!crs) warnings.push('georeferenced but without a CRS: coordinates cannot be placed on the map');
  else if (!crs.proj4) warnings.push(`CRS cannot be reprojected: ${crs.reason ?? 'unknown reason'}`);
  if (tagNumbers(fd, 'ModelTiepoint') && (tagNumbers(fd, 'ModelTiepoint')?.length ?? 0) > 6 && !tagNumbers(fd, 'ModelPixelScale')) {
    warnings.push('georeferenced by ground control points only; GCP warping is not supported');
  }
  let transformer: CrsTransformer | null = null;
  if (crs?.proj4) transformer = createCrsTransformer(crs);

  const pixelToCrs = (col: number, row: number): [number, number] => {
    if (!geoTransform) throw new EngineError(ErrorCodes.NOT_GEOREFERENCED, `${source} has no georeferencing`);
    const t = geoTransform;
    return [t[0] + col * t[1] + row * t[2], t[3] + col * t[4] + row * t[5]];
  };
  const crsToWgs84 = (x: number, y: number): [number, number] => {
    if (!crs) throw new EngineError(ErrorCodes.NOT_GEOREFERENCED, `${source} has no CRS`);
    if (!transformer) throw new EngineError(ErrorCodes.UNSUPPORTED_CRS, `${source}: ${crs.reason ?? 'the CRS cannot be reprojected'}`);
    return transformer.toWgs84(x, y);
  };
  const pixelToWgs84 = (col: number, row: number): [number, number] => {
    const [x, y] = pixelToCrs(col, row);
    return crsToWgs84(x, y);
  };

  let footprint: PolygonGeometry | null = null;
  let groundResolutionM: number | null = null;
  const pixelSize: [number, number] | null = geoTransform ? [Math.hypot(geoTransform[1], geoTransform[4]), Math.hypot(geoTransform[2], geoTransform[5])] : null;
  if (transformer && geoTransform) {
    footprint = computeFootprint(main.width, main.height, pixelToWgs84, options.footprintSegments ?? 16);
    if (!footprint) warnings.push('the footprint could not be reprojected to WGS84');
    if (crs?.units === 'metre' && pixelSize) groundResolutionM = Math.sqrt(pixelSize[0] * pixelSize[1]);
    else {
      const cx = main.width / 2;
      const cy = main.height / 2;
      const c = pixelToWgs84(cx, cy);
      const dx = haversineM(c, pixelToWgs84(cx + 1, cy));
      const dy = haversineM(c, pixelToWgs84(cx, cy + 1));
      if (Number.isFinite(dx) && Number.isFinite(dy)) groundResolutionM = Math.sqrt(dx * dy);
    }
  }

  const tiled = fd.hasTag('TileWidth');
  const info: SceneInfo = {
    source,
    width: main.width,
    height: main.height,
    bandCount,
    bands,
    dataType,
    crs,
    geoTransform,
    pixelSize,
    groundResolutionM,
    nodata,
    alphaBand,
    palette,
    hasMask: mainMask !== null,
    overviews: levels.map((l) => l.info),
    footprintWgs84: footprint,
    boundsWgs84: footprint ? footprintBounds(footprint) : null,
    compression: compressionName(compressionCode),
    tiled,
    blockSize: tiled
      ? [tagNumber(fd, 'TileWidth', 0), tagNumber(fd, 'TileLength', 0)]
      : [main.width, Math.min(tagNumber(fd, 'RowsPerStrip', main.height), main.height)],
    bigTiff: tiff.bigTiff,
    fileSize,
    warnings,
  };

  let closed = false;
  const ctx: ReadContext = { source, info, levels, ycbcr, useNodata, pool: options.pool };
  return {
    info,
    readWindow: (window, opts) => {
      if (closed) return Promise.reject(new EngineError(ErrorCodes.BAD_ARGUMENT, `${source} is closed`));
      return readWindow(ctx, window, opts);
    },
    pixelToCrs,
    crsToWgs84,
    pixelToWgs84,
    async close() {
      if (closed) return;
      closed = true;
      dropCachedBlocks(levels.map((l) => l.image));
      await Promise.resolve(tiff.close()).catch(() => undefined);
      if (ovrTiff) await Promise.resolve(ovrTiff.close()).catch(() => undefined);
    },
  };
}

interface ReadContext {
  source: string;
  info: SceneInfo;
  levels: Level[];
  ycbcr: boolean;
  useNodata: boolean;
  pool: Pool | undefined;
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

async function readWindow(ctx: ReadContext, window: PixelWindow, options: ReadWindowOptions): Promise<WindowData> {
  const { info, source } = ctx;
  const { signal } = options;
  throwIfAborted(signal);
  const level = options.level ?? 0;
  const lv = ctx.levels[level];
  if (!Number.isInteger(level) || !lv) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `${source} has no overview level ${level} (levels 0-${ctx.levels.length - 1})`);
  }
  const { x, y, width, height } = window;
  if (![x, y, width, height].every(Number.isFinite) || width <= 0 || height <= 0) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Invalid window ${JSON.stringify(window)}: width and height must be positive numbers`);
  }
  if (options.bands.length === 0) throw new EngineError(ErrorCodes.BAD_BANDS, 'No bands requested');
  for (const b of options.bands) {
    if (!Number.isInteger(b) || b < 0 || b >= info.bandCount) {
      throw new EngineError(ErrorCodes.BAD_BANDS, `Band ${Number.isInteger(b) ? b + 1 : b} does not exist: ${source} has ${info.bandCount} band(s) (1-${info.bandCount})`);
    }
  }
  const { scaleX, scaleY } = lv.info;
  const eps = 1e-9;
  const x0 = Math.floor(x / scaleX + eps);
  const y0 = Math.floor(y / scaleY + eps);
  const x1 = Math.ceil((x + width) / scaleX - eps);
  const y1 = Math.ceil((y + height) / scaleY - eps);
  const outW = Math.max(1, x1 - x0);
  const outH = Math.max(1, y1 - y0);
  if (outW * outH > MAX_WINDOW_PIXELS) {
    throw new EngineError(
      ErrorCodes.TOO_LARGE,
      `Window ${outW}x${outH} px at level ${level} exceeds the ${MAX_WINDOW_PIXELS / (1024 * 1024)} Mpx per band limit; read smaller windows or a coarser overview`,
    );
  }
  const n = outW * outH;
  const valid = new Uint8Array(n);
  const ix0 = Math.max(0, x0);
  const iy0 = Math.max(0, y0);
  const ix1 = Math.min(lv.info.width, x0 + outW);
  const iy1 = Math.min(lv.info.height, y0 + outH);
  if (ix1 <= ix0 || iy1 <= iy0) return { width: outW, height: outH, bands: options.bands.map(() => newArray(info.dataType, n)), valid };

  const wanted = new Set(options.bands);
  if (info.alphaBand !== null) wanted.add(info.alphaBand);
  if (ctx.ycbcr) [0, 1, 2].forEach((b) => wanted.add(b));
  const samples = [...wanted].sort((a, b) => a - b);
  const rw = ix1 - ix0;
  const rh = iy1 - iy0;
  const bw = lv.image.getTileWidth();
  const bh = lv.image.getTileHeight();
  const planar = lv.image.fileDirectory.hasTag('PlanarConfiguration') ? tagNumber(lv.image.fileDirectory, 'PlanarConfiguration', 1) : 1;
  const blocks = (Math.ceil(ix1 / bw) - Math.floor(ix0 / bw)) * (Math.ceil(iy1 / bh) - Math.floor(iy0 / bh));
  const blockBytes = bw * bh * (planar === 2 ? bytesPerSample(info.dataType) * samples.length : lv.image.getBytesPerPixel());
  if (!(blocks * blockBytes <= MAX_WINDOW_DECODE_BYTES)) {
    throw new EngineError(
      ErrorCodes.TOO_LARGE,
      `${source}: window ${rw}x${rh} px at level ${level} touches ${blocks} blocks of ${bw}x${bh} px (${Math.round((blocks * blockBytes) / 1e6)} MB decoded), over the ${MAX_WINDOW_DECODE_BYTES / 1e6} MB limit; read smaller windows`,
    );
  }
  let rasters: SampleArray[];
  let maskData: ArrayLike<number> | null = null;
  let rgb = false;
  try {
    // The block reader covers the common layouts (bench/decode.ts); geotiff.js reads the rest, and reads with a pool.
    const fast = ctx.pool ? null : await readWindowBlocks(lv.image, [ix0, iy0, ix1, iy1], samples, info.dataType, signal);
    if (fast) {
      rasters = fast.arrays;
      rgb = fast.rgb;
    } else {
      const read = (await lv.image.readRasters({ window: [ix0, iy0, ix1, iy1], samples, interleave: false, pool: ctx.pool ?? null, signal })) as unknown as SampleArray[];
      rasters = Array.from(read);
    }
    if (lv.mask) {
      throwIfAborted(signal);
      const m = (await lv.mask.readRasters({ window: [ix0, iy0, ix1, iy1], samples: [0], interleave: false, pool: ctx.pool ?? null, signal })) as unknown as SampleArray[];
      maskData = m[0];
    }
  } catch (e) {
    throw asEngineError(e, source);
  }
  throwIfAborted(signal);
  const bySample = new Map<number, SampleArray>();
  samples.forEach((s, i) => bySample.set(s, rasters[i]));

  if (ctx.ycbcr && !rgb) {
    // geotiff.js hands back JPEG's Y, Cb, Cr planes; GDAL presents them as RGB, so convert (JFIF equations).
    const Y = bySample.get(0)!;
    const Cb = bySample.get(1)!;
    const Cr = bySample.get(2)!;
    const R = new Uint8Array(Y.length);
    const G = new Uint8Array(Y.length);
    const B = new Uint8Array(Y.length);
    for (let i = 0; i < Y.length; i++) {
      const yy = Y[i];
      const cb = Cb[i] - 128;
      const cr = Cr[i] - 128;
      R[i] = clampByte(yy + 1.402 * cr);
      G[i] = clampByte(yy - 0.344136 * cb - 0.714136 * cr);
      B[i] = clampByte(yy + 1.772 * cb);
    }
    bySample.set(0, R);
    bySample.set(1, G);
    bySample.set(2, B);
  }

  const ox = ix0 - x0;
  const oy = iy0 - y0;
  let out: SampleArray[];
  if (ox === 0 && oy === 0 && rw === outW && rh === outH) {
    // The window lies inside the image: the decoded arrays are the result (a band asked for twice gets a copy).
    valid.fill(1);
    const used = new Set<SampleArray>();
    out = options.bands.map((b) => {
      const src = bySample.get(b)!;
      const mine = used.has(src) ? (src.slice() as SampleArray) : src;
      used.add(src);
      return mine;
    });
  } else {
    out = options.bands.map(() => newArray(info.dataType, n));
    for (let r = 0; r < rh; r++) {
      const dst = (oy + r) * outW + ox;
      valid.fill(1, dst, dst + rw);
      options.bands.forEach((b, i) => {
        const src = bySample.get(b)!;
        (out[i] as Uint8Array).set((src as Uint8Array).subarray(r * rw, (r + 1) * rw), dst);
      });
    }
  }

  const nd = info.nodata;
  const isFloat = info.dataType === 'float32' || info.dataType === 'float64';
  const ndCheck = ctx.useNodata && nd !== null;
  const ndNaN = ndCheck && Number.isNaN(nd);
  const ndValue = ndCheck && info.dataType === 'float32' && !ndNaN ? Math.fround(nd!) : nd;
  const alpha = info.alphaBand !== null ? bySample.get(info.alphaBand)! : null;
  const reqSrc = options.bands.map((b) => bySample.get(b)!);
  if (ndCheck || alpha || maskData || isFloat) {
    clearInvalid({ valid, outW, ox, oy, rw, rh, alpha, mask: maskData, bands: reqSrc, nodata: ndCheck ? ndValue : null, isFloat });
  }
  return { width: outW, height: outH, bands: out, valid };
}
