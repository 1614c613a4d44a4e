// Writes an output file so that it either appears whole or not at all (temp file in the same folder, fsync, rename).
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';

export async function writeFileAtomic(path: string, data: string | Uint8Array, signal?: AbortSignal): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await open(tmp, 'wx');
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    if (signal?.aborted) throw new EngineError(ErrorCodes.CANCELED, 'Canceled');
    await rename(tmp, path);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    if (e instanceof EngineError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new EngineError(ErrorCodes.OUTPUT, `Cannot write ${path}: ${err.code === 'ENOENT' ? 'its folder does not exist' : err.code === 'EACCES' || err.code === 'EROFS' ? 'permission denied or read-only' : err.code === 'ENOSPC' ? 'the disk is full' : err.message}`, { cause: e });
  }
}
