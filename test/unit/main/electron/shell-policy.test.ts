// Path policy, launch arguments, recent list, menu, IPC channel table and the broker rule of the Electron shell.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GrantStore, plausibleLocalPath, plausibleRemoteUrl } from '../../../../main/electron/grants.js';
import { ENGINE_PORT_MESSAGE, IPC, PAGE_TO_MAIN } from '../../../../main/electron/ipc-channels.js';
import { scenesFromArgv } from '../../../../main/electron/launch-args.js';
import { menuTemplate, type MenuActions } from '../../../../main/electron/menu.js';
import { parseRecent, pushRecent } from '../../../../main/electron/recent.js';
import { repoRoot } from '../../../helpers/paths.js';

describe('path policy in main', () => {
  it('accepts only absolute paths without NUL bytes, and only http(s) URLs without credentials', () => {
    expect(plausibleLocalPath('/data/scene.tif')).toBe(true);
    for (const p of ['scene.tif', '', '/a\0b', 42, null, '/' + 'a'.repeat(5000)]) expect(plausibleLocalPath(p), String(p)).toBe(false);
    expect(plausibleRemoteUrl('https://example.com/cog.tif')).toBe(true);
    for (const u of ['file:///etc/passwd', 'ftp://x/y.tif', 'https://u:p@example.com/a.tif', 'javascript:1', 7]) expect(plausibleRemoteUrl(u), String(u)).toBe(false);
  });

  it('keeps grants per window, without duplicates, forgotten when the window closes', () => {
    const g = new GrantStore();
    expect(g.add(1, { kind: 'file', path: '/a.tif' })).toBe(true);
    expect(g.add(1, { kind: 'file', path: '/a.tif' })).toBe(false);
    g.add(1, { kind: 'url', path: 'https://x/c.tif' });
    expect(g.has(1, { kind: 'file', path: '/a.tif' })).toBe(true);
    expect(g.has(2, { kind: 'file', path: '/a.tif' })).toBe(false);
    expect(g.list(1)).toEqual([{ kind: 'file', path: '/a.tif' }, { kind: 'url', path: 'https://x/c.tif' }]);
    g.forget(1);
    expect(g.list(1)).toEqual([]);
  });
});

describe('launch arguments', () => {
  it('opens scene files and URLs from argv, skipping the executable, the app path and switches', () => {
    expect(scenesFromArgv(['/opt/Geosift/geosift', '--no-sandbox', 'a.tif', '/d/b.TIFF', 'notes.txt', 'https://x/c.tif'], { isPackaged: true, cwd: '/home/u' })).toEqual(['/home/u/a.tif', '/d/b.TIFF', 'https://x/c.tif']);
    expect(scenesFromArgv(['electron', '.', 'a.tif'], { isPackaged: false, cwd: '/w' })).toEqual(['/w/a.tif']);
    expect(scenesFromArgv(['geosift', '--', '-odd-name.tif'], { isPackaged: true, cwd: '/w' })).toEqual(['/w/-odd-name.tif']);
  });
});

describe('recent list', () => {
  it('keeps the most recent first, without duplicates, at most 10', () => {
    let r: string[] = [];
    for (let i = 0; i < 12; i++) r = pushRecent(r, `/s${i}.tif`);
    r = pushRecent(r, '/s5.tif');
    expect(r[0]).toBe('/s5.tif');
    expect(r).toHaveLength(10);
    expect(new Set(r).size).toBe(10);
  });

  it('trusts nothing but a list of strings from disk', () => {
    expect(parseRecent('["/a.tif", 3, null, "/b.tif"]')).toEqual(['/a.tif', '/b.tif']);
    expect(parseRecent('{"x":1}')).toEqual([]);
    expect(parseRecent('not json')).toEqual([]);
    expect(parseRecent(null)).toEqual([]);
  });
});

describe('menu', () => {
  const calls: string[] = [];
  const actions: MenuActions = { openScene: () => calls.push('open'), openRecent: (p) => calls.push(`recent ${p}`), clearRecent: () => calls.push('clear'), exportResults: () => calls.push('export'), quit: () => calls.push('quit') };
  type Item = { label?: string; accelerator?: string; submenu?: Item[]; click?: () => void; enabled?: boolean; role?: string };

  it('has File > Open scene..., Open recent, Export..., Quit with shortcuts, wired to their actions', () => {
    const [file] = menuTemplate(actions, ['/d/a.tif'], 'linux') as Item[];
    const items = file.submenu!.filter((i) => i.label);
    expect(items.map((i) => [i.label, i.accelerator])).toEqual([['Open scene...', 'CmdOrCtrl+O'], ['Open recent', undefined], ['Export...', 'CmdOrCtrl+E'], ['Quit', 'Ctrl+Q']]);
    items[0].click!();
    items[1].submenu![0].click!();
    items[2].click!();
    items[3].click!();
    expect(calls).toEqual(['open', 'recent /d/a.tif', 'export', 'quit']);
  });

  it('shows an empty recent list as disabled, and the app menu on macOS', () => {
    const [file] = menuTemplate(actions, [], 'linux') as Item[];
    expect(file.submenu![1].submenu).toEqual([{ label: 'No recent scenes', enabled: false }]);
    const mac = menuTemplate(actions, [], 'darwin') as Item[];
    expect(mac[0].role).toBe('appMenu');
    expect((mac[1].submenu as Item[]).at(-1)!.accelerator).toBe('Cmd+Q');
  });
});

describe('the preload and main agree, and main stays a broker', () => {
  const preload = readFileSync(join(repoRoot, 'main', 'preload', 'preload.cts'), 'utf8');

  it('the preload repeats exactly main\'s channel names (it cannot import them in the sandbox)', () => {
    const inPreload = new Set([...preload.matchAll(/'(geosift:[a-z-]+)'/g)].map((m) => m[1]));
    expect(inPreload).toEqual(new Set([...Object.values(IPC), ENGINE_PORT_MESSAGE]));
    for (const ch of PAGE_TO_MAIN) expect(preload).toContain(`'${ch}'`);
  });

  it('the preload requires nothing but electron, and never hands the page ipcRenderer or the IPC event', () => {
    expect([...preload.matchAll(/require\('([^']+)'\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
    expect(preload).toContain("contextBridge.exposeInMainWorld('geosift', bridge)");
  });

  it('main/electron never imports the engine, the host or onnxruntime (it starts the host by path)', () => {
    const dir = join(repoRoot, 'main', 'electron');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text, f).not.toMatch(/from '[^']*(\/engine\/|\/host\/|onnxruntime)/);
    }
  });
});

describe('saving exports through main', () => {
  it('takes a base name and text or bytes within the limit, nothing else', async () => {
    const { checkSavePayload, MAX_SAVE_BYTES } = await import('../../../../main/electron/save-payload.js');
    expect(checkSavePayload('hits.geojson', '{}', 'text')).toEqual({ name: 'hits.geojson', data: '{}' });
    const fgb = new Uint8Array([0x66, 0x67, 0x62, 3]);
    expect(checkSavePayload('../../etc/labels.fgb', fgb, 'bytes')).toEqual({ name: 'labels.fgb', data: fgb });
    expect(checkSavePayload('C:\\Users\\x\\labels.tif', fgb, 'bytes').name).toBe('labels.tif');
    for (const [name, data, kind] of [
      ['', 'x', 'text'], [42, 'x', 'text'], ['a\0b', 'x', 'text'], ['a.csv', 7, 'text'], ['a.fgb', 'text', 'bytes'],
      ['a.fgb', new Uint8Array(0), 'bytes'], ['a.fgb', [1, 2, 3], 'bytes'],
    ] as const) {
      expect(() => checkSavePayload(name, data, kind), `${String(name)} ${kind}`).toThrow(/Nothing sensible to save/);
    }
    expect(() => checkSavePayload('big.tif', { byteLength: MAX_SAVE_BYTES + 1 }, 'bytes')).toThrow(/MiB/);
  });
});
