// Electron main: a broker. Starts the engine host in a utilityProcess, hands each window a MessagePort to it, serves OS dialogs; never touches scene data.
import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join, relative, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app, BrowserWindow, dialog, ipcMain, Menu, MessageChannelMain, protocol, session, shell, utilityProcess,
  type IpcMainEvent, type IpcMainInvokeEvent, type MessagePortMain,
} from 'electron';
import { APP_ENTRY, APP_SCHEME, resolveAppRequest } from './app-origin.js';
import { EngineSupervisor, type EngineStatus } from './engine-supervisor.js';
import { GrantStore, plausibleLocalPath, plausibleRemoteUrl, type Grant } from './grants.js';
import { IPC } from './ipc-channels.js';
import { scenesFromArgv } from './launch-args.js';
import { checkSavePayload, type SavePayload } from './save-payload.js';
import { menuTemplate } from './menu.js';
import { parseRecent, pushRecent } from './recent.js';
import {
  appContentSecurityPolicy, externalUrlAllowed, insecureWebPreferences, isTrustedSender, navigationAllowed, permissionAllowed, windowOpenDecision, windowOptions,
} from './security.js';

const here = dirname(fileURLToPath(import.meta.url));
const HOST_ENTRY = join(here, '..', 'host', 'host-main.js');
const PRELOAD = join(here, '..', 'preload', 'preload.cjs');
const RENDERER_DIR = join(here, '..', '..', 'renderer');
const SERVICE_NAME = 'Geosift engine';

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);
app.enableSandbox();

const grants = new GrantStore();
const windows = new Map<number, BrowserWindow>();
const pendingOpens = new Map<number, string[]>();
let recent: string[] = [];
const recentFile = () => join(app.getPath('userData'), 'recent.json');

const supervisor = new EngineSupervisor<MessagePortMain>({
  fork: () => {
    const args = app.isPackaged ? ['--models', join(process.resourcesPath, 'models')] : [];
    return utilityProcess.fork(HOST_ENTRY, args, { serviceName: SERVICE_NAME, stdio: 'inherit' });
  },
  createChannel: () => new MessageChannelMain(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  now: () => Date.now(),
});

function trusted(event: IpcMainEvent | IpcMainInvokeEvent): boolean {
  const ids = new Set([...windows.values()].map((w) => w.webContents.id));
  return isTrustedSender({ frameUrl: event.senderFrame?.url, isMainFrame: event.senderFrame === event.sender.mainFrame, webContentsId: event.sender.id }, ids);
}

function handle(channel: string, fn: (win: BrowserWindow, ...args: unknown[]) => Promise<unknown>): void {
  ipcMain.handle(channel, (event, ...args) => {
    const win = BrowserWindow.fromWebContents(event.sender);
    if (!trusted(event) || !win) throw new Error('Refused: this request did not come from a Geosift window.');
    return fn(win, ...args);
  });
}

async function rememberRecent(path: string): Promise<void> {
  recent = pushRecent(recent, path);
  buildMenu();
  await mkdir(dirname(recentFile()), { recursive: true }).catch(() => undefined);
  await writeFile(recentFile(), JSON.stringify(recent)).catch(() => undefined);
}

/** Grants a path to one window (main's record, then the host's), and returns the path the engine will use. */
async function grant(win: BrowserWindow, g: Grant): Promise<string> {
  const canonical = await supervisor.grant(win.webContents.id, g);
  grants.add(win.webContents.id, { kind: g.kind, path: canonical });
  await rememberRecent(canonical);
  return canonical;
}

async function grantLocalFile(win: BrowserWindow, path: unknown): Promise<string> {
  if (!plausibleLocalPath(path)) throw new Error('Not an absolute file path.');
  const st = await stat(path).catch(() => null);
  if (!st?.isFile()) throw new Error(`${path} is not a readable file.`);
  return grant(win, { kind: 'file', path });
}

/** Opens a scene for the page: granted first, then announced (queued until the page has its engine port). */
async function openInWindow(win: BrowserWindow, path: string): Promise<void> {
  const canonical = /^https?:\/\//i.test(path) ? await grant(win, { kind: 'url', path }) : await grantLocalFile(win, path);
  const queue = pendingOpens.get(win.webContents.id);
  if (queue) queue.push(canonical);
  else win.webContents.send(IPC.openScene, canonical);
}

async function showOpenDialog(win: BrowserWindow): Promise<string | null> {
  const r = await dialog.showOpenDialog(win, { title: 'Open scene', properties: ['openFile'], filters: [{ name: 'GeoTIFF / COG', extensions: ['tif', 'tiff'] }, { name: 'All files', extensions: ['*'] }] });
  if (r.canceled || !r.filePaths[0]) return null;
  return grantLocalFile(win, r.filePaths[0]);
}

function focusedWindow(): BrowserWindow | undefined {
  return BrowserWindow.getFocusedWindow() ?? [...windows.values()][0];
}

function buildMenu(): void {
  const report = (e: unknown) => dialog.showErrorBox('Geosift', e instanceof Error ? e.message : String(e));
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        {
          openScene: () => {
            const win = focusedWindow();
            if (win) showOpenDialog(win).then((p) => p && win.webContents.send(IPC.openScene, p), report);
          },
          openRecent: (p) => {
            const win = focusedWindow();
            if (win) openInWindow(win, p).catch(report);
          },
          clearRecent: () => {
            recent = [];
            buildMenu();
            void writeFile(recentFile(), '[]').catch(() => undefined);
          },
          exportResults: () => focusedWindow()?.webContents.send(IPC.menuCommand, 'export'),
          quit: () => app.quit(),
        },
        recent,
        process.platform,
      ),
    ),
  );
}

function registerIpc(): void {
  handle(IPC.openSceneDialog, (win) => showOpenDialog(win));
  handle(IPC.grantDroppedFile, (win, path) => grantLocalFile(win, path));
  handle(IPC.grantUrl, async (win, url) => {
    if (!plausibleRemoteUrl(url)) throw new Error('Only http(s) URLs of remote scenes can be opened.');
    return grant(win, { kind: 'url', path: url });
  });
  handle(IPC.recentScenes, async () => recent);
  const save = async (win: BrowserWindow, p: SavePayload) => {
    const r = await dialog.showSaveDialog(win, { title: 'Export', defaultPath: p.name });
    if (r.canceled || !r.filePath) return null;
    await writeFile(r.filePath, p.data);
    return r.filePath;
  };
  handle(IPC.saveText, async (win, name, text) => save(win, checkSavePayload(name, text, 'text')));
  handle(IPC.saveBytes, async (win, name, bytes) => save(win, checkSavePayload(name, bytes, 'bytes')));
  handle(IPC.openExternal, async (_win, url) => {
    if (!externalUrlAllowed(url)) return false;
    await shell.openExternal(url as string);
    return true;
  });
  ipcMain.on(IPC.requestEnginePort, (event) => {
    const win = BrowserWindow.fromWebContents(event.sender);
    if (!trusted(event) || !win) return;
    void supervisor.reconnect(win.webContents.id);
  });
}

function createWindow(initial: string[]): BrowserWindow {
  const options = windowOptions(PRELOAD);
  const problems = insecureWebPreferences(options.webPreferences);
  if (problems.length) throw new Error(`Refusing to open an insecure window: ${problems.join('; ')}`);
  // Spelled out again at the call so static scanners (electronegativity) see the literal values.
  const win = new BrowserWindow({ ...options, webPreferences: { ...options.webPreferences, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true } });
  const id = win.webContents.id;
  windows.set(id, win);
  pendingOpens.set(id, []);
  win.once('ready-to-show', () => win.show());
  const link = {
    sendPort: (port: MessagePortMain, reason: string | null) => {
      if (win.isDestroyed()) return;
      win.webContents.postMessage(IPC.enginePort, { reason }, [port]);
      const queue = pendingOpens.get(id);
      pendingOpens.delete(id);
      for (const p of queue ?? []) win.webContents.send(IPC.openScene, p);
    },
    sendStatus: (s: EngineStatus) => {
      if (!win.isDestroyed()) win.webContents.send(IPC.engineStatus, s);
    },
    grants: () => grants.list(id),
  };
  win.webContents.once('did-finish-load', () => void supervisor.addWindow(id, link));
  win.on('closed', () => {
    supervisor.removeWindow(id);
    grants.forget(id);
    windows.delete(id);
    pendingOpens.delete(id);
  });
  void win.loadURL(APP_ENTRY);
  for (const p of initial) openInWindow(win, p).catch((e) => dialog.showErrorBox('Geosift', e instanceof Error ? e.message : String(e)));
  return win;
}

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('will-navigate', (event, url) => {
    if (!navigationAllowed(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!navigationAllowed(url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    const d = windowOpenDecision(url);
    if (d.openExternally) void shell.openExternal(url);
    return { action: d.action };
  });
});

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_e, argv, cwd) => {
    const win = focusedWindow();
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
    for (const p of scenesFromArgv(argv, { isPackaged: app.isPackaged, cwd })) openInWindow(win, p).catch(() => undefined);
  });
  const macOpens: string[] = [];
  app.on('open-file', (event, path) => {
    event.preventDefault();
    const win = focusedWindow();
    if (win) openInWindow(win, path).catch(() => undefined);
    else macOpens.push(path);
  });
  app.on('child-process-gone', (_e, details) => {
    if (details.type === 'Utility' && details.serviceName === SERVICE_NAME) supervisor.noteGone(details.reason);
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => supervisor.stop());

  void app.whenReady().then(async () => {
    session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permissionAllowed(permission)));
    session.defaultSession.setPermissionCheckHandler((_wc, permission) => permissionAllowed(permission));
    // The app:// handler sets the CSP on its own responses; this covers anything else a window might load.
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [appContentSecurityPolicy()] } });
    });
    protocol.handle(APP_SCHEME, async (request) => {
      const r = resolveAppRequest(request.url);
      if (!r.ok) return new Response(null, { status: r.status });
      const file = join(RENDERER_DIR, r.relPath);
      const rel = relative(RENDERER_DIR, file);
      if (rel.startsWith('..') || isAbsolute(rel)) return new Response(null, { status: 403 });
      try {
        const body = await readFile(file);
        return new Response(body, { headers: { 'Content-Type': r.type, 'Content-Security-Policy': appContentSecurityPolicy(), 'X-Content-Type-Options': 'nosniff' } });
      } catch {
        return new Response(null, { status: 404 });
      }
    });
    recent = parseRecent(await readFile(recentFile(), 'utf8').catch(() => null));
    buildMenu();
    registerIpc();
    supervisor.start();
    createWindow([...scenesFromArgv(process.argv, { isPackaged: app.isPackaged, cwd: process.cwd() }), ...macOpens]);
  });
}
