// Preload (sandboxed, isolated world): the page's only door to the OS: dialogs, dropped files, saving, links, the engine port.
// A sandboxed preload can require nothing but 'electron', so channel names are repeated here (test/unit/main/electron keeps them equal to main/electron/ipc-channels.ts).
import electron = require('electron');
import type { IpcRendererEvent } from 'electron';

const { contextBridge, ipcRenderer, webUtils } = electron;

const CH = {
  openSceneDialog: 'geosift:open-scene-dialog',
  grantDroppedFile: 'geosift:grant-dropped-file',
  grantUrl: 'geosift:grant-url',
  recentScenes: 'geosift:recent-scenes',
  saveText: 'geosift:save-text',
  saveBytes: 'geosift:save-bytes',
  openExternal: 'geosift:open-external',
  requestEnginePort: 'geosift:request-engine-port',
  enginePort: 'geosift:engine-port',
  engineStatus: 'geosift:engine-status',
  openScene: 'geosift:open-scene',
  menuCommand: 'geosift:menu-command',
} as const;

/** The window message that carries the engine's MessagePort into the page. */
const ENGINE_PORT_MESSAGE = 'geosift:engine-port';

/** Mirrors EngineStatus in main/electron/engine-supervisor.ts. */
export type EngineStatus =
  | { state: 'running'; restarts: number }
  | { state: 'restarting'; reason: string; exitCode: number; retryInMs: number; restarts: number }
  | { state: 'failed'; reason: string; exitCode: number; restarts: number };

export type MenuCommand = 'export';

// The page never receives the IpcRendererEvent (it would hand it `sender`): only the payload.
function subscribe<T>(channel: string, listener: (value: T) => void): () => void {
  const handler = (_e: IpcRendererEvent, value: T) => listener(value);
  ipcRenderer.on(channel, handler);
  return () => {
    ipcRenderer.removeListener(channel, handler);
  };
}

const bridge = {
  /** Shows the OS open dialog; resolves to the granted scene path, or null when dismissed. */
  openSceneDialog: (): Promise<string | null> => ipcRenderer.invoke(CH.openSceneDialog),
  /** Grants a file dropped on the window (or picked with <input type=file>); rejects for files not on disk. */
  pathForFile: (file: File): Promise<string> => {
    const path = webUtils.getPathForFile(file);
    if (!path) return Promise.reject(new Error('This item is not a file on disk: drop a scene from your file manager.'));
    return ipcRenderer.invoke(CH.grantDroppedFile, path);
  },
  /** Grants a remote COG (http/https URL) the user typed. */
  openUrl: (url: string): Promise<string> => ipcRenderer.invoke(CH.grantUrl, String(url)),
  recentScenes: (): Promise<string[]> => ipcRenderer.invoke(CH.recentScenes),
  /** Save dialog, then writes the text; resolves to the path written, or null when dismissed. */
  saveText: (suggestedName: string, text: string): Promise<string | null> => ipcRenderer.invoke(CH.saveText, String(suggestedName), String(text)),
  /** Save dialog, then writes the bytes (binary exports); resolves to the path written, or null when dismissed. */
  saveBytes: (suggestedName: string, bytes: Uint8Array): Promise<string | null> => ipcRenderer.invoke(CH.saveBytes, String(suggestedName), bytes),
  /** Opens an http(s) link in the user's browser. */
  openExternal: (url: string): Promise<boolean> => ipcRenderer.invoke(CH.openExternal, String(url)),
  /** Asks main for a (new) engine port; it arrives as a window message {type: 'geosift:engine-port', reason}. */
  requestEnginePort: (): void => ipcRenderer.send(CH.requestEnginePort),
  /** Scenes main opened for the page (command line, Open recent, File > Open scene..., second instance); already granted. */
  onOpenScene: (listener: (path: string) => void): (() => void) => subscribe<string>(CH.openScene, (p) => listener(String(p))),
  onMenuCommand: (listener: (command: MenuCommand) => void): (() => void) => subscribe<MenuCommand>(CH.menuCommand, listener),
  onEngineStatus: (listener: (status: EngineStatus) => void): (() => void) => subscribe<EngineStatus>(CH.engineStatus, listener),
};

/** What window.geosift is: the renderer does `import type { GeosiftBridge } from '.../main/preload/preload.cjs'`. */
export type GeosiftBridge = typeof bridge;

// MessagePorts cannot cross contextBridge; window.postMessage to our own origin can carry them into the page.
const page = globalThis as unknown as { postMessage(message: unknown, targetOrigin: string, transfer?: readonly unknown[]): void; location: { origin: string } };
ipcRenderer.on(CH.enginePort, (event: IpcRendererEvent, info: { reason?: string | null } | undefined) => {
  page.postMessage({ type: ENGINE_PORT_MESSAGE, reason: info?.reason ?? null }, page.location.origin, event.ports);
});

contextBridge.exposeInMainWorld('geosift', bridge);
