// TIFF LZW in WebAssembly (lzw.wat): the same bytes and the same errors as decodeLzwScalar (raster/block-codecs.ts),
// about twice its speed (bench/README.md). Runs on the main thread and in the decode workers alike.
import { WASM_BASE64 } from './lzw-wasm.generated.js';
import { align16, instantiate, reserve, wasmEnabled, type WasmMemory } from './load.js';

interface Exports {
  memory: WasmMemory;
  lzw(src: number, inLen: number, dst: number, limit: number, tables: number): number;
}

let mod: Exports | null | undefined;

/** True when the LZW kernel runs in this thread. */
export function wasmLzwAvailable(): boolean {
  if (!wasmEnabled()) return false;
  if (mod === undefined) mod = instantiate<Exports>(WASM_BASE64);
  return mod !== null;
}

const TABLES = 0; // 4096 starts + 4096 lengths, int32
const INPUT = 2 * 4096 * 4;

/** Decodes a TIFF LZW stream into at most `limit` bytes, or returns null where the kernel is unavailable. */
export function decodeLzwWasm(input: Uint8Array, limit: number): Uint8Array | null {
  if (!wasmLzwAvailable()) return null;
  const k = mod!;
  const outOff = align16(INPUT + input.length + 4);
  const buf = reserve(k.memory, outOff + limit + 8);
  const mem = new Uint8Array(buf);
  mem.set(input, INPUT);
  mem.fill(0, INPUT + input.length, INPUT + input.length + 4); // the kernel reads up to two bytes past the stream
  const n = k.lzw(INPUT, input.length, outOff, limit, TABLES);
  if (n < 0) {
    const at = new Int32Array(buf, TABLES, 2);
    throw new Error(n === -1 ? `LZW: code ${at[0]} right after a clear code` : `LZW: code ${at[0]} is not in the dictionary (${at[1]} entries)`);
  }
  return mem.slice(outOff, outOff + n);
}
