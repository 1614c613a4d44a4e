// What the page may ask main to write through the save dialog: a file name to suggest and text or bytes, bounded.

/** Largest export written through the dialog (a class-raster COG of a large scene stays well under it). */
export const MAX_SAVE_BYTES = 512 * 1024 * 1024;

export interface SavePayload {
  /** The suggested file name: a base name only, at most 200 characters. */
  name: string;
  data: string | Uint8Array;
}

/** Validates an IPC save request; throws a plain message for anything else (the page sees it). */
export function checkSavePayload(name: unknown, data: unknown, kind: 'text' | 'bytes'): SavePayload {
  if (typeof name !== 'string' || name.trim() === '' || name.includes('\0')) throw new Error('Nothing sensible to save: no file name.');
  const base = name.split(/[\\/]/).pop()!.slice(0, 200);
  if (kind === 'text') {
    if (typeof data !== 'string' || data.length > MAX_SAVE_BYTES) throw new Error('Nothing sensible to save.');
    return { name: base, data };
  }
  if (!(data instanceof Uint8Array) || data.byteLength === 0 || data.byteLength > MAX_SAVE_BYTES) {
    throw new Error(`Nothing sensible to save: expected 1 byte to ${MAX_SAVE_BYTES / 2 ** 20} MiB of file content.`);
  }
  return { name: base, data };
}
