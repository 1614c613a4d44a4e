// The Electron preload bridge (window.geosift), typed from the object the preload exposes; absent in a browser.
import type { GeosiftBridge } from '../../../main/preload/preload.cjs';

export type { EngineStatus, GeosiftBridge, MenuCommand } from '../../../main/preload/preload.cjs';

/** The window message the preload posts, transferring the engine's MessagePort (main/electron/ipc-channels.ts ENGINE_PORT_MESSAGE). */
export const ENGINE_PORT_MESSAGE = 'geosift:engine-port';

export function electronBridge(): GeosiftBridge | null {
  const w = window as unknown as { geosift?: GeosiftBridge };
  return w.geosift && typeof w.geosift.openSceneDialog === 'function' ? w.geosift : null;
}
