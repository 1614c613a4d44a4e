// End to end in the real Electron shell (playwright-core's _electron): runs wherever an Electron binary is installed.
// Here (ELECTRON_SKIP_BINARY_DOWNLOAD=1, no network) there is none, and the suite is reported as skipped, with the reason in its name.
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedDir, repoRoot } from '../helpers/paths.js';
import { buildRendererIfStale } from './browser-harness.js';

function electronBinary(): string | null {
  try {
    // The electron package exports its binary's path, and throws when the binary was never downloaded.
    const p = createRequire(import.meta.url)('electron') as unknown;
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const REASON = 'no Electron binary installed here (npm install without ELECTRON_SKIP_BINARY_DOWNLOAD provides one)';
if (!binary) console.warn(`test/e2e/electron.test.ts: skipped: ${REASON}`);

const mosaic = realpathSync(join(generatedDir, 'mosaic', 'ucm-mosaic.tif'));
const notGranted = realpathSync(join(generatedDir, 'rasters', 'no-georef.tif'));

/** The page's globals these tests touch (the test program has no DOM lib). */
interface PortLike { onmessage: ((e: { data: { id?: number; t?: string } }) => void) | null; postMessage(m: unknown): void }
interface WindowMessage { data: unknown; ports: readonly PortLike[] }
interface PageWindow {
  addEventListener(type: 'message', l: (e: WindowMessage) => void): void;
  removeEventListener(type: 'message', l: (e: WindowMessage) => void): void;
  open(url: string): unknown;
  location: { href: string };
  geosift?: { requestEnginePort(): void };
}

/** Raw rpc over the engine port the preload hands the page; ids far from the app's own client's. */
type RpcReply = { t: string; value?: { width?: number }; error?: { code: string; details?: { refused?: string } } };

async function portCall(page: Page, method: string, args: unknown[]): Promise<RpcReply> {
  return page.evaluate(
    ([m, a]) =>
      new Promise<RpcReply>((resolve) => {
        const window = globalThis as unknown as PageWindow;
        const onMessage = (e: WindowMessage) => {
          if ((e.data as { type?: string })?.type !== 'geosift:engine-port' || !e.ports[0]) return;
          window.removeEventListener('message', onMessage);
          const port = e.ports[0];
          const id = 900_000 + Math.floor(Math.random() * 1000);
          port.onmessage = (ev) => {
            if (ev.data?.id === id && (ev.data.t === 'result' || ev.data.t === 'error')) resolve(ev.data as RpcReply);
          };
          port.postMessage({ t: 'call', id, method: m, args: a });
        };
        window.addEventListener('message', onMessage);
        window.geosift!.requestEnginePort();
      }),
    [method, args] as const,
  );
}

describe('Electron shell end to end', () => {
  let app: ElectronApplication;
  let page: Page;

  beforeAll(async () => {
    if (!binary) return;
    await buildRendererIfStale();
    app = await _electron.launch({ executablePath: binary, args: [repoRoot, mosaic] });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  afterAll(async () => {
    await app?.close();
  });

  it.skipIf(!binary)(`loads app://geosift with the bridge and without Node [skipped when ${REASON}]`, async () => {
    expect(page.url()).toBe('app://geosift/index.html');
    const globals = await page.evaluate(() => ({
      bridge: Object.keys((globalThis as unknown as PageWindow).geosift ?? {}).sort(),
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
    }));
    expect(globals.bridge).toEqual(['onEngineStatus', 'onMenuCommand', 'onOpenScene', 'openExternal', 'openSceneDialog', 'openUrl', 'pathForFile', 'recentScenes', 'requestEnginePort', 'saveBytes', 'saveText'].sort());
    expect(globals.require).toBe('undefined');
    expect(globals.process).toBe('undefined');
  });

  it.skipIf(!binary)(`denies window.open and navigation away from the app [skipped when ${REASON}]`, async () => {
    expect(await page.evaluate(() => (globalThis as unknown as PageWindow).open('https://example.com/') === null)).toBe(true);
    await page.evaluate(() => {
      (globalThis as unknown as PageWindow).location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe('app://geosift/index.html');
    expect(app.windows()).toHaveLength(1);
  });

  it.skipIf(!binary)(`serves the engine over the port: the scene from the command line opens, others are refused [skipped when ${REASON}]`, async () => {
    const ok = await portCall(page, 'info', [mosaic]);
    expect(ok).toMatchObject({ t: 'result', value: { width: 1536 } });
    const refused = await portCall(page, 'info', [notGranted]);
    expect(refused).toMatchObject({ t: 'error', error: { code: 'E_BAD_ARGUMENT', details: { refused: 'not-allowed' } } });
  });

  it.skipIf(!binary)(`restarts a killed engine and hands the window a new port with the reason [skipped when ${REASON}]`, async () => {
    const pid = await app.evaluate(({ app: a }) => a.getAppMetrics().find((m) => m.type === 'Utility' && m.serviceName === 'Geosift engine')?.pid);
    expect(pid).toBeGreaterThan(0);
    const reason = page.evaluate(
      () =>
        new Promise<string>((resolve) =>
          (globalThis as unknown as PageWindow).addEventListener('message', (e) => {
            const d = e.data as { type?: string; reason?: string | null };
            if (d?.type === 'geosift:engine-port' && d.reason) resolve(d.reason);
          }),
        ),
    );
    process.kill(pid as number, 'SIGKILL');
    expect(await reason).toMatch(/^The engine stopped: /);
    // Grants survive the restart: main replays them to the new host.
    expect(await portCall(page, 'info', [mosaic])).toMatchObject({ t: 'result', value: { width: 1536 } });
  });
});
