// Instantiates the engine's hand-written WebAssembly modules (the *.wat beside this file, carried as base64 by their
// generated modules) and holds the switch that turns them all off: GEOSIFT_WASM=0, or setWasmKernels(false) in tests
// and benches. Every kernel has a JavaScript twin that gives the same bytes; callers fall back to it when a module
// is off or cannot be instantiated (no WebAssembly SIMD).

// The engine compiles without the DOM library, which declares WebAssembly: the little used here, typed locally.
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let enabled = process.env.GEOSIFT_WASM !== '0';

/** Whether the WebAssembly kernels may run (GEOSIFT_WASM=0 turns them off). */
export function wasmEnabled(): boolean {
  return enabled;
}

/** Turns the WebAssembly kernels off (their JavaScript twins run) or back on; returns the former setting. */
export function setWasmKernels(on: boolean): boolean {
  const before = enabled;
  enabled = on;
  return before;
}

/** A compiled WebAssembly module (for a library that instantiates it with imports of its own). */
export function compileWasm(bytes: Uint8Array): object {
  if (!WA) throw new Error('this runtime has no WebAssembly');
  return new WA.Module(bytes);
}

/** The exports of a module given as base64, or null where it cannot be instantiated. */
export function instantiate<T>(base64: string): T | null {
  if (!WA) return null;
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return new WA.Instance(compileWasm(bytes), {}).exports as T;
  } catch {
    return null;
  }
}

/** Grows a module's memory to at least `bytes`; returns its (possibly new) buffer. */
export function reserve(memory: WasmMemory, bytes: number): ArrayBuffer {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
  return memory.buffer;
}

export const align16 = (n: number): number => (n + 15) & ~15;
