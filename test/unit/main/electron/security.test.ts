// The Electron shell's checklist (electron security.md), one decision function at a time.
import { describe, expect, it } from 'vitest';
import { APP_ENTRY, isAppUrl, resolveAppRequest } from '../../../../main/electron/app-origin.js';
import {
  appContentSecurityPolicy, externalUrlAllowed, insecureWebPreferences, isTrustedSender, navigationAllowed, permissionAllowed, windowOpenDecision, windowOptions,
} from '../../../../main/electron/security.js';

describe('window options', () => {
  const prefs = windowOptions('/app/dist/main/preload/preload.cjs').webPreferences!;

  it('isolate, sandbox and keep Node out of the page, with webSecurity on and no webview', () => {
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false, navigateOnDragDrop: false });
    expect(prefs.preload).toBe('/app/dist/main/preload/preload.cjs');
    expect(insecureWebPreferences(prefs)).toEqual([]);
  });

  it('the guard main runs before creating a window names every weakened setting', () => {
    const flips: [string, unknown][] = [['contextIsolation', false], ['sandbox', false], ['nodeIntegration', true], ['nodeIntegrationInWorker', true], ['nodeIntegrationInSubFrames', true], ['webSecurity', false], ['allowRunningInsecureContent', true], ['webviewTag', true], ['experimentalFeatures', true], ['enableBlinkFeatures', 'CSSPaintAPI'], ['navigateOnDragDrop', true]];
    for (const [key, value] of flips) {
      const problems = insecureWebPreferences({ ...prefs, [key]: value });
      expect(problems, key).toHaveLength(1);
      expect(problems[0]).toContain(key);
    }
    // Unset is not secure for the settings whose Electron default we must not rely on.
    expect(insecureWebPreferences({})).toEqual(['contextIsolation must be true', 'sandbox must be true', 'nodeIntegration must be false']);
  });
});

describe('content security policy', () => {
  const csp = appContentSecurityPolicy();
  const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));

  it('allows only the app\'s own scripts: no inline, no eval, no remote code, no plugins, no frames', () => {
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['frame-src']).toEqual(["'none'"]);
    expect(directives['base-uri']).toEqual(["'none'"]);
    // The one remote origin is the optional basemap's image tiles: images, never code.
    expect(csp.replace(" https://tile.openstreetmap.org", '')).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
    expect(directives['img-src']).toEqual(["'self'", 'data:', 'blob:', 'https://tile.openstreetmap.org']);
  });
});

describe('navigation, new windows and external links', () => {
  it('lets the window navigate only within app://geosift', () => {
    expect(navigationAllowed(APP_ENTRY)).toBe(true);
    expect(navigationAllowed('app://geosift/index.html#/search')).toBe(true);
    for (const url of ['https://example.com/', 'http://127.0.0.1:8080/', 'file:///etc/passwd', 'app://other/index.html', 'app://user:pw@geosift/', 'javascript:alert(1)', 'data:text/html,<script>1</script>', 'devtools://devtools/', 'not a url']) {
      expect(navigationAllowed(url), url).toBe(false);
    }
  });

  it('denies every window.open; http(s) links go to the browser, nothing else does', () => {
    expect(windowOpenDecision('https://www.openstreetmap.org/copyright')).toEqual({ action: 'deny', openExternally: true });
    expect(windowOpenDecision('http://example.com/docs')).toEqual({ action: 'deny', openExternally: true });
    for (const url of ['file:///C:/Windows/System32/calc.exe', 'smb://host/share', 'javascript:alert(1)', 'app://geosift/index.html', 'ms-msdt:/id', 'https://user:pw@example.com/']) {
      expect(windowOpenDecision(url), url).toEqual({ action: 'deny', openExternally: false });
    }
    expect(externalUrlAllowed(42)).toBe(false);
    expect(externalUrlAllowed('https://example.com/' + 'a'.repeat(3000))).toBe(false);
  });

  it('grants no permission requests', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fileSystem']) expect(permissionAllowed(p)).toBe(false);
  });
});

describe('IPC sender validation', () => {
  const windows = new Set([7]);
  it('accepts only the top frame of a Geosift window showing app://geosift', () => {
    expect(isTrustedSender({ frameUrl: APP_ENTRY, isMainFrame: true, webContentsId: 7 }, windows)).toBe(true);
    expect(isTrustedSender({ frameUrl: APP_ENTRY, isMainFrame: false, webContentsId: 7 }, windows)).toBe(false);
    expect(isTrustedSender({ frameUrl: APP_ENTRY, isMainFrame: true, webContentsId: 8 }, windows)).toBe(false);
    expect(isTrustedSender({ frameUrl: undefined, isMainFrame: true, webContentsId: 7 }, windows)).toBe(false);
    for (const url of ['https://evil.example/', 'file:///tmp/x.html', 'app://evil/index.html', 'about:blank']) {
      expect(isTrustedSender({ frameUrl: url, isMainFrame: true, webContentsId: 7 }, windows), url).toBe(false);
    }
  });
});

describe('the app:// protocol', () => {
  it('serves files of the renderer build, index.html for the root', () => {
    expect(resolveAppRequest('app://geosift/')).toEqual({ ok: true, relPath: 'index.html', type: 'text/html; charset=utf-8' });
    expect(resolveAppRequest('app://geosift/assets/index-abc.js?v=1')).toEqual({ ok: true, relPath: 'assets/index-abc.js', type: 'text/javascript; charset=utf-8' });
    expect(isAppUrl('app://geosift/x')).toBe(true);
  });

  it('refuses traversal (raw, encoded, backslashes), other hosts and directory requests', () => {
    for (const url of ['app://geosift/../package.json', 'app://geosift/%2e%2e/package.json', 'app://geosift/assets/..%2f..%2fpackage.json', 'app://geosift/assets/..%5c..%5cpackage.json', 'app://geosift/a/./b.js']) {
      expect(resolveAppRequest(url), url).toEqual({ ok: false, status: 403 });
    }
    expect(resolveAppRequest('app://other/index.html')).toEqual({ ok: false, status: 403 });
    expect(resolveAppRequest('app://geosift/assets/')).toEqual({ ok: false, status: 404 });
    expect(resolveAppRequest('app://geosift/%zz')).toEqual({ ok: false, status: 400 });
  });
});
