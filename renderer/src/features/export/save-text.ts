// Saves an exported file through the Electron save dialog when there is one, else as a browser download.
import type { ExportedFile } from '../../../../shared/protocol/engine-api.js';
import type { GeosiftBridge } from '../../engine-client/bridge.js';

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function base64Bytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Resolves to where it went (a path in Electron, the file name in a browser) or null when the user dismissed the dialog. */
export async function saveExport(bridge: GeosiftBridge | null, baseName: string, file: ExportedFile): Promise<string | null> {
  const name = `${baseName}.${file.extension.replace(/^\./, '')}`;
  if (file.text !== undefined) {
    if (bridge) return bridge.saveText(name, file.text);
    download(name, new Blob([file.text], { type: file.mediaType }));
    return name;
  }
  if (file.base64 !== undefined) {
    const bytes = base64Bytes(file.base64);
    if (bridge) return bridge.saveBytes(name, bytes);
    download(name, new Blob([bytes], { type: file.mediaType }));
    return name;
  }
  throw new Error('The engine returned an empty export');
}

export function fileSlug(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase()
      .slice(0, 40) || 'hits'
  );
}
