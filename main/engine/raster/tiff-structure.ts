// Walks a TIFF's IFD chain safely (cycle guard, size checks before any allocation) and sorts IFDs into image, overviews and masks.

import type { GeoTIFF, GeoTIFFImage } from 'geotiff';
import { EngineError, ErrorCodes, throwIfAborted } from '../../../shared/protocol/errors.js';
import type { SampleType } from './types.js';

/** Files with more IFDs than this are treated as corrupt (GDAL COGs have a few dozen at most). */
const MAX_IFDS = 1024;
/** Largest tile or strip dimension we accept; bigger declared blocks are a sign of a corrupt header. */
const MAX_BLOCK_SIDE = 1 << 16;
/** Largest decoded block in bytes we accept (one tile or strip is decoded whole). */
export const MAX_BLOCK_BYTES = 512 * 1024 * 1024;
/** Most entries one IFD may hold; real files carry a few dozen tags. */
const MAX_IFD_ENTRIES = 4096;
/** Largest out-of-line tag value accepted when the file size is unknown (remote sources without a length). */
const MAX_TAG_BYTES_UNKNOWN_SIZE = 256 * 1024 * 1024;
/** Byte size of each TIFF field type (TIFF 6 + BigTIFF); geotiff.js refuses the others. */
const FIELD_TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };

/** Compression codes Geosift decodes (geotiff.js, or the block reader for WebP), with the names GDAL uses. */
export const COMPRESSION_NAMES: Record<number, string> = {
  1: 'NONE',
  5: 'LZW',
  7: 'JPEG',
  8: 'DEFLATE',
  32946: 'DEFLATE',
  32773: 'PACKBITS',
  34887: 'LERC',
  50000: 'ZSTD',
  50001: 'WEBP',
};
const UNSUPPORTED_COMPRESSION_NAMES: Record<number, string> = {
  2: 'CCITT RLE',
  3: 'CCITT Fax3',
  4: 'CCITT Fax4',
  // Old-style JPEG keeps its tables outside the strips (JPEGInterchangeFormat); geotiff.js's JPEG decoder cannot read that layout.
  6: 'OJPEG',
  34676: 'SGILOG',
  34712: 'JPEG2000',
  34925: 'LZMA',
  50002: 'JXL',
};

export interface IfdImage {
  /** Position in the IFD chain. */
  index: number;
  image: GeoTIFFImage;
  width: number;
  height: number;
  subfileType: number;
  isMask: boolean;
}

type Directory = GeoTIFFImage['fileDirectory'];

function tag(fd: Directory, name: string): unknown {
  return fd.hasTag(name as never) ? fd.getValue(name as never) : undefined;
}

export function tagNumber(fd: Directory, name: string, fallback: number): number {
  const v = tag(fd, name);
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'length' in v && (v as ArrayLike<number>).length > 0) return Number((v as ArrayLike<number>)[0]);
  return fallback;
}

export function tagNumbers(fd: Directory, name: string): number[] | null {
  const v = tag(fd, name);
  if (typeof v === 'number') return [v];
  if (v && typeof v === 'object' && 'length' in v) return Array.from(v as ArrayLike<number>, Number);
  return null;
}

export function tagString(fd: Directory, name: string): string | null {
  const v = tag(fd, name);
  return typeof v === 'string' ? v.replace(/\0+$/, '') : null;
}

/**
 * Reads every IFD once, refusing chains that loop back on themselves or point outside the file.
 * geotiff.js follows next-IFD offsets blindly, so we check each offset before asking it for the next one.
 */
export async function enumerateIfds(tiff: GeoTIFF, source: string, fileSize: number | null, signal?: AbortSignal): Promise<IfdImage[]> {
  const visited = new Set<number>();
  const out: IfdImage[] = [];
  let offset = tiff.firstIFDOffset;
  for (let index = 0; ; index++) {
    throwIfAborted(signal);
    if (index === 0 && offset === 0) throw new EngineError(ErrorCodes.CORRUPT_TIFF, `${source} has no image directory (first IFD offset is 0)`);
    if (visited.has(offset)) {
      throw new EngineError(ErrorCodes.CORRUPT_TIFF, `${source}: the IFD chain loops back to byte offset ${offset} (IFD ${index}); the file is corrupt`);
    }
    if (fileSize !== null && offset + 2 > fileSize) {
      throw new EngineError(
        ErrorCodes.CORRUPT_TIFF,
        `${source}: IFD ${index} starts at byte ${offset} but the file has only ${fileSize} bytes; it is truncated or corrupt`,
      );
    }
    if (index >= MAX_IFDS) throw new EngineError(ErrorCodes.CORRUPT_TIFF, `${source} declares more than ${MAX_IFDS} image directories`);
    visited.add(offset);
    await checkIfdEntries(tiff, offset, index, source, fileSize, signal);
    let image: GeoTIFFImage;
    try {
      image = await tiff.getImage(index);
    } catch (e) {
      throw asEngineError(e, source);
    }
    const fd = image.fileDirectory;
    const subfileType = tagNumber(fd, 'NewSubfileType', 0);
    const photometric = tagNumber(fd, 'PhotometricInterpretation', -1);
    out.push({
      index,
      image,
      width: tagNumber(fd, 'ImageWidth', 0),
      height: tagNumber(fd, 'ImageLength', 0),
      subfileType,
      isMask: (subfileType & 4) !== 0 && photometric === 4,
    });
    const next = fd.nextIFDByteOffset;
    if (!next) break;
    offset = next;
  }
  return out;
}

interface RawTiff {
  littleEndian: boolean;
  bigTiff: boolean;
  source: { fetch(slices: { offset: number; length: number }[], signal?: AbortSignal): Promise<ArrayBuffer[]> };
}

/**
 * Reads one IFD's raw entry table and checks every declared value size against the file before
 * geotiff.js parses it: geotiff.js allocates an array of whatever count an entry declares (a typed
 * array of up to 2^32 elements, or a plain Array of 2^64 for BigTIFF), so a single flipped bit in
 * a count would otherwise cost gigabytes or minutes.
 */
async function checkIfdEntries(tiff: GeoTIFF, offset: number, index: number, source: string, fileSize: number | null, signal?: AbortSignal): Promise<void> {
  const raw = tiff as unknown as RawTiff;
  const big = raw.bigTiff;
  const le = raw.littleEndian;
  const corrupt = (msg: string): EngineError => new EngineError(ErrorCodes.CORRUPT_TIFF, `${source}: IFD ${index} at byte ${offset} ${msg}; the file is corrupt`);
  const fetchView = async (at: number, length: number): Promise<DataView> => {
    let buf: ArrayBuffer;
    try {
      [buf] = await raw.source.fetch([{ offset: at, length }], signal);
    } catch (e) {
      throw asEngineError(e, source);
    }
    if (buf.byteLength < length) throw corrupt(`is cut short (wanted ${length} bytes at ${at}, got ${buf.byteLength})`);
    return new DataView(buf);
  };
  const countBytes = big ? 8 : 2;
  const head = await fetchView(offset, countBytes);
  const n = big ? Number(head.getBigUint64(0, le)) : head.getUint16(0, le);
  if (n > MAX_IFD_ENTRIES) throw corrupt(`declares ${n} tag entries (more than ${MAX_IFD_ENTRIES})`);
  const entrySize = big ? 20 : 12;
  const tableBytes = countBytes + n * entrySize + (big ? 8 : 4);
  if (fileSize !== null && offset + tableBytes > fileSize) {
    throw corrupt(`declares ${n} tag entries, which run past the end of the file (${fileSize} bytes)`);
  }
  const table = await fetchView(offset, tableBytes);
  const inline = big ? 8 : 4;
  const limit = fileSize ?? MAX_TAG_BYTES_UNKNOWN_SIZE;
  for (let i = 0; i < n; i++) {
    const e = countBytes + i * entrySize;
    const tagId = table.getUint16(e, le);
    const type = table.getUint16(e + 2, le);
    const count = big ? Number(table.getBigUint64(e + 4, le)) : table.getUint32(e + 4, le);
    const size = FIELD_TYPE_SIZES[type];
    if (size === undefined) throw corrupt(`has tag ${tagId} of unknown field type ${type}`);
    const bytes = count * size;
    if (bytes <= inline) continue;
    const at = big ? Number(table.getBigUint64(e + 12, le)) : table.getUint32(e + 8, le);
    if (!Number.isSafeInteger(bytes) || at + bytes > limit) {
      throw corrupt(
        fileSize !== null
          ? `has tag ${tagId} declaring ${count} values (${bytes} bytes) at byte ${at}, past the end of the file (${fileSize} bytes)`
          : `has tag ${tagId} declaring ${count} values (${bytes} bytes), more than the ${limit / 1e6} MB accepted`,
      );
    }
  }
}

export function sampleTypeOf(format: number, bits: number): SampleType | null {
  if (format === 1 || format === 4) return bits === 8 ? 'uint8' : bits === 16 ? 'uint16' : bits === 32 ? 'uint32' : null;
  if (format === 2) return bits === 8 ? 'int8' : bits === 16 ? 'int16' : bits === 32 ? 'int32' : null;
  if (format === 3) return bits === 32 ? 'float32' : bits === 64 ? 'float64' : null;
  return null;
}

export function bytesPerSample(t: SampleType): number {
  return t === 'uint8' || t === 'int8' ? 1 : t === 'uint16' || t === 'int16' ? 2 : t === 'float64' ? 8 : 4;
}

export function compressionName(code: number): string {
  return COMPRESSION_NAMES[code] ?? UNSUPPORTED_COMPRESSION_NAMES[code] ?? `unknown (${code})`;
}

/**
 * Checks one IFD's declared layout before anything is allocated from it: sizes, block sizes,
 * sample layout, compression, and that every block lies inside the file (catches truncation,
 * because geotiff.js pads short reads with zeros instead of failing).
 */
export async function validateIfd(ifd: IfdImage, source: string, fileSize: number | null, what: string): Promise<void> {
  const fd = ifd.image.fileDirectory;
  const bad = (msg: string): EngineError => new EngineError(ErrorCodes.CORRUPT_TIFF, `${source}: ${what} ${msg}`);
  const spp = tagNumber(fd, 'SamplesPerPixel', 1);
  if (ifd.width <= 0 || ifd.height <= 0 || spp <= 0) {
    throw new EngineError(ErrorCodes.EMPTY_IMAGE, `${source}: ${what} is empty (width ${ifd.width}, height ${ifd.height}, ${spp} bands)`);
  }
  const compression = tagNumber(fd, 'Compression', 1);
  if (!(compression in COMPRESSION_NAMES)) {
    throw new EngineError(
      ErrorCodes.UNSUPPORTED_TIFF,
      `${source}: ${what} uses compression ${compressionName(compression)} (TIFF code ${compression}), which cannot be decoded; convert it with e.g. gdal_translate -co COMPRESS=DEFLATE`,
    );
  }
  const tiled = fd.hasTag('TileWidth');
  const bw = tiled ? tagNumber(fd, 'TileWidth', 0) : ifd.width;
  const bh = tiled ? tagNumber(fd, 'TileLength', 0) : Math.min(tagNumber(fd, 'RowsPerStrip', ifd.height), ifd.height);
  if (bw <= 0 || bh <= 0) throw bad(`declares a block size of ${bw}x${bh}`);
  if (tiled && (bw > MAX_BLOCK_SIDE || bh > MAX_BLOCK_SIDE)) throw bad(`declares tiles of ${bw}x${bh} pixels, larger than ${MAX_BLOCK_SIDE}`);
  const bits = tagNumbers(fd, 'BitsPerSample') ?? [1];
  const maxBits = Math.max(...bits);
  const planar = tagNumber(fd, 'PlanarConfiguration', 1);
  if (compression === 50001 && (!bits.every((b) => b === 8) || (spp !== 3 && spp !== 4) || planar === 2 || tagNumber(fd, 'SampleFormat', 1) !== 1)) {
    // libtiff writes WebP for 8-bit RGB or RGBA only; the block reader decodes those (tiff-structure's callers rely on it).
    throw new EngineError(
      ErrorCodes.UNSUPPORTED_TIFF,
      `${source}: ${what} holds WebP blocks of ${spp === 1 ? '1 band' : `${spp} ${planar === 2 ? 'separate ' : ''}bands`} of ${bits.join(',')} bits; WebP is decoded for 8-bit RGB or RGBA, interleaved. Convert it with e.g. gdal_translate -co COMPRESS=DEFLATE`,
    );
  }
  const blockBytes = (bw * bh * (planar === 2 ? 1 : spp) * maxBits) / 8;
  if (!Number.isFinite(blockBytes) || blockBytes > MAX_BLOCK_BYTES) {
    throw new EngineError(ErrorCodes.TOO_LARGE, `${source}: ${what} declares ${bw}x${bh}-pixel blocks of ${Math.round(blockBytes / 1e6)} MB each, over the ${MAX_BLOCK_BYTES / 1e6} MB limit`);
  }
  const across = Math.ceil(ifd.width / bw);
  const down = Math.ceil(ifd.height / bh);
  const expected = across * down * (planar === 2 ? spp : 1);
  if (!Number.isSafeInteger(expected) || expected > 1e8) throw bad(`declares ${ifd.width}x${ifd.height} pixels in ${expected} blocks, which is not plausible`);
  const offsetsName = tiled ? 'TileOffsets' : 'StripOffsets';
  const countsName = tiled ? 'TileByteCounts' : 'StripByteCounts';
  if (!fd.hasTag(offsetsName) || !fd.hasTag(countsName)) throw bad(`has no ${offsetsName}/${countsName}`);
  const offsets = (await fd.loadValue(offsetsName as never)) as ArrayLike<number | bigint> | number;
  const counts = (await fd.loadValue(countsName as never)) as ArrayLike<number | bigint> | number;
  const offLen = typeof offsets === 'number' ? 1 : offsets.length;
  const cntLen = typeof counts === 'number' ? 1 : counts.length;
  if (offLen !== expected || cntLen !== expected) {
    throw bad(`declares ${ifd.width}x${ifd.height} pixels in ${expected} blocks but lists ${offLen} block offsets and ${cntLen} byte counts`);
  }
  if (fileSize !== null) {
    for (let i = 0; i < expected; i++) {
      const o = Number(typeof offsets === 'number' ? offsets : offsets[i]);
      const c = Number(typeof counts === 'number' ? counts : counts[i]);
      // Offset 0 with count 0 is a sparse (empty) block; GDAL reads it as nodata.
      if (c > 0 && o + c > fileSize) {
        throw new EngineError(
          ErrorCodes.CORRUPT_TIFF,
          `${source}: ${what} block ${i} ends at byte ${o + c} but the file has only ${fileSize} bytes; the file is truncated`,
        );
      }
    }
  }
}

/** Maps an error thrown by geotiff.js or its sources to an EngineError with a stable code. */
export function asEngineError(e: unknown, source: string): EngineError {
  if (e instanceof EngineError) return e;
  const err = e as { name?: string; code?: string; message?: string } | undefined;
  const msg = err?.message ?? String(e);
  if (err?.name === 'AbortError') return new EngineError(ErrorCodes.CANCELED, 'Canceled', { cause: e });
  if (err?.code === 'ENOENT') return new EngineError(ErrorCodes.FILE_NOT_FOUND, `${source} does not exist`, { cause: e });
  if (err?.code === 'EACCES' || err?.code === 'EISDIR') return new EngineError(ErrorCodes.FILE_NOT_FOUND, `${source} cannot be read (${err.code})`, { cause: e });
  if (/Invalid byte order|Invalid magic number|Unsupported offset byte-size/.test(msg)) {
    return new EngineError(ErrorCodes.NOT_TIFF, `${source} is not a TIFF file (${msg})`, { cause: e });
  }
  if (/Unknown compression method identifier/.test(msg)) return new EngineError(ErrorCodes.UNSUPPORTED_TIFF, `${source}: ${msg}`, { cause: e });
  // Only a remote source can fail on the network: geotiff.js messages about local files may mention URLs too.
  const remote = /^https?:\/\//i.test(source);
  if (remote && /fetch failed|ECONNREFUSED|ENOTFOUND|ECONNRESET|ETIMEDOUT|network|socket/i.test(msg)) {
    return new EngineError(ErrorCodes.NETWORK, `Could not fetch ${source}: ${msg}`, { cause: e });
  }
  if (remote && /Request failed|status code|HTTP/i.test(msg)) return new EngineError(ErrorCodes.NETWORK, `Could not fetch ${source}: ${msg}`, { cause: e });
  return new EngineError(ErrorCodes.CORRUPT_TIFF, `${source} could not be decoded: ${msg}`, { cause: e });
}
