// The application menu as a pure template: File > Open scene..., Open recent, Export..., Quit.
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openScene(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  exportResults(): void;
  quit(): void;
}

function label(path: string): string {
  const name = path.split(/[\\/]/).pop() ?? path;
  return name === path ? path : `${name}  (${path})`;
}

export function menuTemplate(actions: MenuActions, recent: readonly string[], platform: NodeJS.Platform): MenuItemConstructorOptions[] {
  const recentItems: MenuItemConstructorOptions[] = recent.length
    ? [...recent.map((p) => ({ label: label(p), click: () => actions.openRecent(p) })), { type: 'separator' as const }, { label: 'Clear recent', click: () => actions.clearRecent() }]
    : [{ label: 'No recent scenes', enabled: false }];
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Open scene...', accelerator: 'CmdOrCtrl+O', click: () => actions.openScene() },
      { label: 'Open recent', submenu: recentItems },
      { type: 'separator' },
      { label: 'Export...', accelerator: 'CmdOrCtrl+E', click: () => actions.exportResults() },
      { type: 'separator' },
      { label: 'Quit', accelerator: platform === 'darwin' ? 'Cmd+Q' : 'Ctrl+Q', click: () => actions.quit() },
    ],
  };
  const edit: MenuItemConstructorOptions = { role: 'editMenu' };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }],
  };
  return platform === 'darwin' ? [{ role: 'appMenu' }, file, edit, view, { role: 'windowMenu' }] : [file, edit, view];
}
