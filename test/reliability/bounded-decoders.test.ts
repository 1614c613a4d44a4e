// The bounded block decoders give geotiff.js's bytes on every real LZW block, and stop at the declared block size on bombs.
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { describe, expect, it } from 'vitest';
// geotiff.js's own decoder, the reference (not exported from the package root).
import GeotiffLzw from '../../node_modules/geotiff/dist-module/compression/lzw.js';
import { blockByteSize, decodeLzw, decodePackBits, jpegFrameSize } from '../../main/engine/raster/bounded-decoders.js';
import { decodeLzwScalar } from '../../main/engine/raster/block-codecs.js';
import { decodeLzwWasm, wasmLzwAvailable } from '../../main/engine/wasm/lzw.js';
import { dataDir, tiffsUnder } from '../helpers/paths.js';

/** The first `max` blocks of every real LZW scene of the data set, with the block size each decodes to. */
async function* realLzwBlocks(max: number): AsyncGenerator<{ path: string; index: number; block: Uint8Array; limit: number }> {
  for (const path of tiffsUnder(join(dataDir, 'scenes'))) {
    const tiff = await fromFile(path);
    try {
      const img = await tiff.getImage(0);
      const fd = img.fileDirectory;
      if (Number(fd.getValue('Compression')) !== 5) continue;
      const tiled = fd.hasTag('TileOffsets');
      const offsets = (await fd.loadValue(tiled ? 'TileOffsets' : 'StripOffsets')) as ArrayLike<number>;
      const counts = (await fd.loadValue(tiled ? 'TileByteCounts' : 'StripByteCounts')) as ArrayLike<number>;
      const limit = blockByteSize({ tileWidth: img.getTileWidth(), tileHeight: img.getTileHeight(), bitsPerSample: (await fd.loadValue('BitsPerSample')) as number[], planarConfiguration: img.planarConfiguration });
      const src = (tiff as unknown as { source: { fetch(s: { offset: number; length: number }[]): Promise<ArrayBuffer[]> } }).source;
      for (let i = 0; i < Math.min(offsets.length, max); i++) {
        const [buf] = await src.fetch([{ offset: Number(offsets[i]), length: Number(counts[i]) }]);
        yield { path, index: i, block: new Uint8Array(buf), limit };
      }
    } finally {
      await tiff.close();
    }
  }
}

describe('bounded decoders', () => {
  it('LZW: identical to geotiff.js on every block of every real LZW scene', async () => {
    const reference = new (GeotiffLzw as unknown as new (p: object) => { decodeBlock(b: ArrayBuffer): ArrayBuffer })({});
    let blocks = 0;
    for await (const { path, index, block, limit } of realLzwBlocks(64)) {
      const ref = new Uint8Array(reference.decodeBlock(block.slice().buffer));
      expect(Buffer.from(decodeLzw(block, limit)).equals(Buffer.from(ref.subarray(0, limit))), `${path} block ${index}`).toBe(true);
      blocks++;
    }
    expect(blocks).toBeGreaterThan(200);
  });

  it('LZW in WebAssembly gives the JavaScript decoder\'s bytes and errors on real blocks, truncated, bit-flipped and bounded', async () => {
    expect(wasmLzwAvailable()).toBe(true);
    let cases = 0;
    let errors = 0;
    let state = 12345;
    const rand = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    const outcome = (f: () => Uint8Array): string => {
      try {
        return `ok ${Buffer.from(f()).toString('base64')}`;
      } catch (e) {
        return `error ${(e as Error).message}`;
      }
    };
    for await (const { path, index: i, block, limit } of realLzwBlocks(24)) {
      const flipped = block.slice();
      for (let f = 0; f < 4; f++) flipped[rand(flipped.length)] ^= 1 << rand(8);
      const variants: [string, Uint8Array, number][] = [
        ['whole', block, limit],
        ['first half', block.subarray(0, block.length >> 1), limit],
        ['bit flips', flipped, limit],
        ['limit / 3', block, Math.floor(limit / 3)],
        ['garbage', Uint8Array.from({ length: 300 }, () => rand(256)), limit],
      ];
      for (const [what, input, lim] of variants) {
        const a = outcome(() => decodeLzwWasm(input, lim)!);
        const b = outcome(() => decodeLzwScalar(input, lim));
        if (a !== b) expect(`${path} block ${i} ${what}: ${a.slice(0, 80)}`).toBe(b.slice(0, 80));
        if (b.startsWith('error')) errors++;
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(500);
    expect(errors).toBeGreaterThan(20); // the corrupt variants reach both error paths' messages
  });

  it('LZW and PackBits stop at the block size however much the stream would expand', () => {
    // 64 KB of (-127, 0) PackBits pairs would be 4 MB; LZW codes 258.. each add a longer string.
    const pairs = new Uint8Array(65536);
    for (let i = 0; i < pairs.length; i += 2) pairs[i] = 0x81;
    expect(decodePackBits(pairs, 1000).length).toBe(1000);
    expect(decodePackBits(new Uint8Array([2, 7, 8, 9, 0xfe, 5, 0x80, 0, 1]), 100)).toEqual(new Uint8Array([7, 8, 9, 5, 5, 5, 1]));
    const codes = [256, 65, ...Array.from({ length: 200 }, (_, k) => 258 + k)];
    const bits: number[] = [];
    let width = 9;
    codes.forEach((c, k) => {
      for (let b = width - 1; b >= 0; b--) bits.push((c >> b) & 1);
      if (k >= 1 && 258 + k >= (1 << width) - 1 && width < 12) width++;
    });
    const bytes = new Uint8Array(Math.ceil(bits.length / 8));
    bits.forEach((b, i) => (bytes[i >> 3] |= b << (7 - (i & 7))));
    const out = decodeLzw(bytes, 5000);
    expect(out.length).toBe(5000);
    expect(out.every((v) => v === 65)).toBe(true);
  });

  it('reads the JPEG frame size the guard compares with the block', () => {
    const sof = new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0x02, 0x00, 0x01, 0x80, 3]);
    expect(jpegFrameSize(sof)).toEqual({ height: 512, width: 384 });
    expect(jpegFrameSize(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]))).toBeNull();
  });
});
