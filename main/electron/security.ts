// Every security decision of the Electron shell as a pure function, so each is unit-tested without Electron.
import type { BrowserWindowConstructorOptions } from 'electron';
import { isAppUrl } from './app-origin.js';

/** No inline script, no remote code; the engine is reached over a MessagePort, so nothing to connect to. */
export function appContentSecurityPolicy(): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob: https://tile.openstreetmap.org",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "frame-src 'none'",
  ].join('; ');
}

export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Geosift',
    backgroundColor: '#1e1e1e',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      enableBlinkFeatures: '',
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: true,
    },
  };
}

/** The checklist items windowOptions must satisfy; used by the tests and asserted again at window creation. */
export function insecureWebPreferences(prefs: BrowserWindowConstructorOptions['webPreferences']): string[] {
  const p = prefs ?? {};
  const problems: string[] = [];
  if (p.contextIsolation !== true) problems.push('contextIsolation must be true');
  if (p.sandbox !== true) problems.push('sandbox must be true');
  if (p.nodeIntegration !== false) problems.push('nodeIntegration must be false');
  if (p.nodeIntegrationInWorker === true) problems.push('nodeIntegrationInWorker must be false');
  if (p.nodeIntegrationInSubFrames === true) problems.push('nodeIntegrationInSubFrames must be false');
  if (p.webSecurity === false) problems.push('webSecurity must stay on');
  if (p.allowRunningInsecureContent === true) problems.push('allowRunningInsecureContent must be false');
  if (p.webviewTag === true) problems.push('webviewTag must be false');
  if (p.experimentalFeatures === true) problems.push('experimentalFeatures must be false');
  if (p.enableBlinkFeatures) problems.push('enableBlinkFeatures must be empty');
  if (p.navigateOnDragDrop === true) problems.push('navigateOnDragDrop must be false (a dropped file would replace the app)');
  return problems;
}

/** will-navigate / will-redirect / will-frame-navigate: the app is one page; only a reload of its own origin passes. */
export function navigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

/** Links the app itself makes (about box, docs, OSM attribution) open in the browser: http(s) only, no credentials. */
export function externalUrlAllowed(url: unknown): boolean {
  if (typeof url !== 'string' || url.length > 2048) return false;
  try {
    const u = new URL(url);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '' && u.hostname !== '';
  } catch {
    return false;
  }
}

/** setWindowOpenHandler: never a new Electron window; http(s) links go to the browser. */
export function windowOpenDecision(url: string): { action: 'deny'; openExternally: boolean } {
  return { action: 'deny', openExternally: externalUrlAllowed(url) };
}

/** The parts of an IpcMainEvent / IpcMainInvokeEvent that say who sent it. */
export interface SenderInfo {
  /** event.senderFrame?.url; undefined when the frame is gone. */
  frameUrl: string | undefined;
  /** event.senderFrame === event.sender.mainFrame */
  isMainFrame: boolean;
  /** event.sender.id */
  webContentsId: number;
}

/** Only the top frame of one of our windows, showing our own origin, may use IPC. */
export function isTrustedSender(sender: SenderInfo, windowIds: ReadonlySet<number>): boolean {
  return sender.isMainFrame && windowIds.has(sender.webContentsId) && isAppUrl(sender.frameUrl);
}

/** Permission requests (camera, geolocation, notifications...): the app needs none. */
export function permissionAllowed(_permission: string): boolean {
  return false;
}
