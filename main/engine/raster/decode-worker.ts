// A decode-pool worker (decode-pool.ts): decodes one block at a time with the bounded decoders of block-codecs.ts and
// hands the pixels back by transferring their buffer. Errors go back as their message; the pool rethrows them.

import { parentPort } from 'node:worker_threads';
import { decodeWith, type PoolCodec } from './block-codecs.js';

export interface DecodeRequest {
  id: number;
  codec: PoolCodec;
  input: Uint8Array;
  limit: number;
}

export type DecodeReply = { id: number; ok: true; out: Uint8Array } | { id: number; ok: false; name: string; message: string };

const port = parentPort;
if (port) {
  port.on('message', (req: DecodeRequest) => {
    decodeWith(req.codec, req.input, req.limit).then(
      (out) => {
        // The decoders return arrays that own their buffer, except when one hands back a view (a stored block's input,
        // say): transfer only a buffer the array fills, copy otherwise.
        // An empty buffer stays out of the transfer list (Node drops a message that transfers a detached one).
        const own = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength && out.buffer instanceof ArrayBuffer ? out : out.slice();
        port.postMessage({ id: req.id, ok: true, out: own } satisfies DecodeReply, own.byteLength > 0 ? [own.buffer as ArrayBuffer] : []);
      },
      (e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        port.postMessage({ id: req.id, ok: false, name: err.name, message: err.message } satisfies DecodeReply);
      },
    );
  });
  port.postMessage({ ready: true });
}
