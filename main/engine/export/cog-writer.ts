// Writes a single-band uint8 Cloud-Optimized GeoTIFF: palette colours, GeoKeys, 256 px deflate tiles, mode overviews, GDAL's COG layout.
import { deflateSync } from 'node:zlib';
import type { GeoTransform } from '../../../shared/geo/types.js';
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';

export interface CogCrs {
  epsg: number | null;
  isGeographic: boolean;
  /** Shown in error messages. */
  name?: string;
}

export interface CogInput {
  width: number;
  height: number;
  /** width x height samples, row-major. */
  data: Uint8Array;
  /** GDAL_NODATA; also the fill of edge tiles and what overviews ignore. */
  nodata?: number | null;
  /** Palette: colour per value (index), [r, g, b] 0..255; missing entries are black. Omit for a greyscale image. */
  colorMap?: ([number, number, number] | undefined)[];
  /** Pixel -> CRS (GDAL order); null writes no georeferencing. */
  geoTransform: GeoTransform | null;
  crs: CogCrs | null;
  /** Dataset metadata items (GDAL_METADATA). */
  metadata?: Record<string, string>;
  /** Band description (GDAL_METADATA role="description"). */
  bandDescription?: string;
  /** Tile edge, a multiple of 16. Default 256. */
  tileSize?: number;
  /** Overview resampling: the most frequent valid value of each 2x2 block (default), or its top-left value. */
  overviewResampling?: 'mode' | 'nearest';
}

const T = { SHORT: 3, LONG: 4, ASCII: 2, DOUBLE: 12 } as const;
type TagType = (typeof T)[keyof typeof T];
interface Tag {
  id: number;
  type: TagType;
  values: number[] | string;
}

const SIZE = { [T.SHORT]: 2, [T.LONG]: 4, [T.ASCII]: 1, [T.DOUBLE]: 8 } as Record<TagType, number>;

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** GDAL escapes item values twice (CPLEscapeString, then the XML serialiser) and unescapes twice when reading. */
export function gdalMetadataXml(items: Record<string, string>, bandDescription?: string): string {
  const value = (v: string): string => xmlEscape(xmlEscape(v));
  const lines = Object.entries(items).map(([k, v]) => `  <Item name="${xmlEscape(k)}">${value(v)}</Item>`);
  if (bandDescription) lines.push(`  <Item name="DESCRIPTION" sample="0" role="description">${value(bandDescription)}</Item>`);
  return `<GDALMetadata>\n${lines.join('\n')}\n</GDALMetadata>`;
}

/** Half-size image: the most frequent value of each 2x2 block that is not nodata (ties: the smaller value). */
export function downsample2(src: Uint8Array, w: number, h: number, nodata: number | null, mode: 'mode' | 'nearest'): { data: Uint8Array; width: number; height: number } {
  const ow = Math.ceil(w / 2), oh = Math.ceil(h / 2);
  const out = new Uint8Array(ow * oh);
  const vals = [0, 0, 0, 0];
  for (let r = 0; r < oh; r++) {
    for (let c = 0; c < ow; c++) {
      if (mode === 'nearest') {
        out[r * ow + c] = src[2 * r * w + 2 * c];
        continue;
      }
      let n = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const y = 2 * r + dy, x = 2 * c + dx;
          if (y >= h || x >= w) continue;
          const v = src[y * w + x];
          if (v !== nodata) vals[n++] = v;
        }
      }
      if (n === 0) {
        out[r * ow + c] = nodata ?? 0;
        continue;
      }
      let best = vals[0], bestCount = 0;
      for (let i = 0; i < n; i++) {
        let count = 0;
        for (let j = 0; j < n; j++) if (vals[j] === vals[i]) count++;
        if (count > bestCount || (count === bestCount && vals[i] < best)) {
          best = vals[i];
          bestCount = count;
        }
      }
      out[r * ow + c] = best;
    }
  }
  return { data: out, width: ow, height: oh };
}

function cutTiles(data: Uint8Array, w: number, h: number, ts: number, fill: number): Uint8Array[] {
  const tx = Math.ceil(w / ts), ty = Math.ceil(h / ts);
  const out: Uint8Array[] = [];
  for (let r = 0; r < ty; r++) {
    for (let c = 0; c < tx; c++) {
      const tile = new Uint8Array(ts * ts).fill(fill);
      const rows = Math.min(ts, h - r * ts), cols = Math.min(ts, w - c * ts);
      for (let y = 0; y < rows; y++) tile.set(data.subarray((r * ts + y) * w + c * ts, (r * ts + y) * w + c * ts + cols), y * ts);
      out.push(deflateSync(tile, { level: 6 }));
    }
  }
  return out;
}

function geoKeys(crs: CogCrs): number[] {
  if (crs.epsg === null) {
    throw new EngineError(ErrorCodes.UNSUPPORTED_CRS, `The class raster cannot be written as a GeoTIFF: the scene's CRS (${crs.name ?? 'unnamed'}) has no EPSG code. Export the labels as GeoJSON or FlatGeobuf (WGS84) instead.`);
  }
  const keys: number[][] = [
    [1024, 0, 1, crs.isGeographic ? 2 : 1], // GTModelTypeGeoKey
    [1025, 0, 1, 1], // GTRasterTypeGeoKey = PixelIsArea
    crs.isGeographic ? [2048, 0, 1, crs.epsg] : [3072, 0, 1, crs.epsg], // GeographicType / ProjectedCSType
  ];
  return [1, 1, 0, keys.length, ...keys.flat()];
}

function georefTags(g: GeoTransform): Tag[] {
  const northUp = g[2] === 0 && g[4] === 0 && g[1] > 0 && g[5] < 0;
  if (northUp) {
    return [
      { id: 33550, type: T.DOUBLE, values: [g[1], -g[5], 0] }, // ModelPixelScale
      { id: 33922, type: T.DOUBLE, values: [0, 0, 0, g[0], g[3], 0] }, // ModelTiepoint
    ];
  }
  // Rotated or flipped: ModelTransformation (4x4, row-major).
  return [{ id: 34264, type: T.DOUBLE, values: [g[1], g[2], 0, g[0], g[4], g[5], 0, g[3], 0, 0, 0, 0, 0, 0, 0, 1] }];
}

/** GDAL's COG "ghost" header: tells readers the IFDs come first, tiles are in row-major order with size leaders and trailers. */
const GHOST_BODY = 'LAYOUT=IFDS_BEFORE_DATA\nBLOCK_ORDER=ROW_MAJOR\nBLOCK_LEADER=SIZE_AS_UINT4\nBLOCK_TRAILER=LAST_4_BYTES_REPEATED\nKNOWN_INCOMPATIBLE_EDITION=NO\n ';
const GHOST = `GDAL_STRUCTURAL_METADATA_SIZE=${String(GHOST_BODY.length).padStart(6, '0')} bytes\n${GHOST_BODY}`;

export function writeCog(input: CogInput): Uint8Array {
  const { width, height, data } = input;
  const ts = input.tileSize ?? 256;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `COG size must be positive, got ${width}x${height}`);
  if (data.length !== width * height) throw new EngineError(ErrorCodes.INTERNAL, `COG data has ${data.length} samples, expected ${width * height}`);
  if (ts % 16 !== 0 || ts < 16) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `COG tile size must be a multiple of 16, got ${ts}`);
  const nodata = input.nodata ?? null;
  const fill = nodata ?? 0;

  // Levels: full resolution, then halves until the image fits one tile (as GDAL's COG driver does).
  const levels = [{ data, width, height }];
  while (levels[levels.length - 1].width > ts || levels[levels.length - 1].height > ts) {
    const l = levels[levels.length - 1];
    levels.push(downsample2(l.data, l.width, l.height, nodata, input.overviewResampling ?? 'mode'));
  }
  const tiles = levels.map((l) => cutTiles(l.data, l.width, l.height, ts, fill));

  const colorMap: number[] | null = input.colorMap
    ? [0, 1, 2].flatMap((ch) => Array.from({ length: 256 }, (_, v) => (input.colorMap![v]?.[ch] ?? 0) * 257))
    : null;
  const metaXml = input.metadata || input.bandDescription ? gdalMetadataXml(input.metadata ?? {}, input.bandDescription) : null;

  const ifdTags: Tag[][] = levels.map((l, i) => {
    const tags: Tag[] = [
      { id: 254, type: T.LONG, values: [i === 0 ? 0 : 1] },
      { id: 256, type: T.LONG, values: [l.width] },
      { id: 257, type: T.LONG, values: [l.height] },
      { id: 258, type: T.SHORT, values: [8] },
      { id: 259, type: T.SHORT, values: [8] }, // Adobe deflate
      { id: 262, type: T.SHORT, values: [colorMap ? 3 : 1] },
      { id: 277, type: T.SHORT, values: [1] },
      { id: 284, type: T.SHORT, values: [1] },
      { id: 322, type: T.SHORT, values: [ts] },
      { id: 323, type: T.SHORT, values: [ts] },
      { id: 324, type: T.LONG, values: tiles[i].map(() => 0) }, // offsets, filled below
      { id: 325, type: T.LONG, values: tiles[i].map((t) => t.length) },
      { id: 339, type: T.SHORT, values: [1] },
    ];
    if (colorMap) tags.push({ id: 320, type: T.SHORT, values: colorMap });
    if (i === 0) {
      if (input.geoTransform) {
        tags.push(...georefTags(input.geoTransform));
        if (input.crs) tags.push({ id: 34735, type: T.SHORT, values: geoKeys(input.crs) });
      }
      if (metaXml) tags.push({ id: 42112, type: T.ASCII, values: metaXml });
    }
    if (nodata !== null) tags.push({ id: 42113, type: T.ASCII, values: String(nodata) });
    return tags.sort((a, b) => a.id - b.id);
  });

  const encodeAscii = (s: string): Uint8Array => new TextEncoder().encode(s + '\0');
  const valueBytes = (t: Tag): number => (typeof t.values === 'string' ? encodeAscii(t.values).length : t.values.length * SIZE[t.type]);
  const ifdSize = (tags: Tag[]): number => {
    let n = 2 + tags.length * 12 + 4;
    for (const t of tags) {
      const b = valueBytes(t);
      if (b > 4) n += b + (b & 1);
    }
    return n;
  };

  const ghostBytes = new TextEncoder().encode(GHOST);
  const ifdStart = 8 + ghostBytes.length + (ghostBytes.length & 1);
  const ifdOffsets: number[] = [];
  let pos = ifdStart;
  for (const tags of ifdTags) {
    ifdOffsets.push(pos);
    pos += ifdSize(tags);
  }
  // Tile data, smallest overview first, the full resolution last; each block is [uint32 size][data][last 4 bytes].
  for (let i = levels.length - 1; i >= 0; i--) {
    const offsets = ifdTags[i].find((t) => t.id === 324)!.values as number[];
    tiles[i].forEach((t, k) => {
      offsets[k] = pos + 4;
      pos += 4 + t.length + 4;
    });
  }
  if (pos > 0xffffffff) throw new EngineError(ErrorCodes.TOO_LARGE, `The class raster would be ${pos} bytes, more than a classic TIFF holds.`);

  const buf = new Uint8Array(pos);
  const dv = new DataView(buf.buffer);
  buf[0] = 0x49; buf[1] = 0x49;
  dv.setUint16(2, 42, true);
  dv.setUint32(4, ifdOffsets[0], true);
  buf.set(ghostBytes, 8);

  ifdTags.forEach((tags, i) => {
    let p = ifdOffsets[i];
    dv.setUint16(p, tags.length, true);
    let extra = p + 2 + tags.length * 12 + 4;
    p += 2;
    for (const t of tags) {
      const bytes = typeof t.values === 'string' ? encodeAscii(t.values) : null;
      const count = bytes ? bytes.length : (t.values as number[]).length;
      dv.setUint16(p, t.id, true);
      dv.setUint16(p + 2, t.type, true);
      dv.setUint32(p + 4, count, true);
      const nbytes = valueBytes(t);
      const at = nbytes > 4 ? extra : p + 8;
      if (nbytes > 4) {
        dv.setUint32(p + 8, extra, true);
        extra += nbytes + (nbytes & 1);
      }
      if (bytes) buf.set(bytes, at);
      else {
        (t.values as number[]).forEach((v, k) => {
          if (t.type === T.SHORT) dv.setUint16(at + 2 * k, v, true);
          else if (t.type === T.LONG) dv.setUint32(at + 4 * k, v, true);
          else dv.setFloat64(at + 8 * k, v, true);
        });
      }
      p += 12;
    }
    dv.setUint32(p, i + 1 < ifdOffsets.length ? ifdOffsets[i + 1] : 0, true);
  });

  for (let i = 0; i < levels.length; i++) {
    const offsets = ifdTags[i].find((t) => t.id === 324)!.values as number[];
    tiles[i].forEach((t, k) => {
      const o = offsets[k];
      dv.setUint32(o - 4, t.length, true);
      buf.set(t, o);
      buf.set(t.subarray(t.length - 4), o + t.length);
    });
  }
  return buf;
}

export function hexToRgb(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Colour "${hex}" is not "#rrggbb"`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}
