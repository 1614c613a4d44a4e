// IPC channel names between main and the preload. The sandboxed preload cannot import them, so it repeats them; a test keeps both equal.

export const IPC = {
  /** invoke: show the open dialog; returns the granted path or null. */
  openSceneDialog: 'geosift:open-scene-dialog',
  /** invoke(path): a path webUtils.getPathForFile gave for a dropped file; returns the granted path. */
  grantDroppedFile: 'geosift:grant-dropped-file',
  /** invoke(url): a remote COG the user typed; returns the granted URL. */
  grantUrl: 'geosift:grant-url',
  /** invoke: the recent scenes list. */
  recentScenes: 'geosift:recent-scenes',
  /** invoke(suggestedName, text): save dialog, then write; returns the path or null. */
  saveText: 'geosift:save-text',
  /** invoke(suggestedName, bytes): save dialog, then write a binary export (FlatGeobuf, COG); returns the path or null. */
  saveBytes: 'geosift:save-bytes',
  /** invoke(url): open an http(s) link in the browser. */
  openExternal: 'geosift:open-external',
  /** send: the page is ready for its engine port (sent again after a reload). */
  requestEnginePort: 'geosift:request-engine-port',
  /** main -> page (with a port): the engine's MessagePort. */
  enginePort: 'geosift:engine-port',
  /** main -> page: engine running / restarting / failed, and why. */
  engineStatus: 'geosift:engine-status',
  /** main -> page: a scene to open (command line, Open recent, second instance, menu dialog), already granted. */
  openScene: 'geosift:open-scene',
  /** main -> page: a menu command the page carries out (export). */
  menuCommand: 'geosift:menu-command',
} as const;

/** Channels the page may invoke/send; anything else is ignored by main. */
export const PAGE_TO_MAIN = [IPC.openSceneDialog, IPC.grantDroppedFile, IPC.grantUrl, IPC.recentScenes, IPC.saveText, IPC.saveBytes, IPC.openExternal, IPC.requestEnginePort] as const;

/** The window message the preload posts into the page, transferring the engine port (renderer/src/engine-client/bridge.ts). */
export const ENGINE_PORT_MESSAGE = 'geosift:engine-port';
