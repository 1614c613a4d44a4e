// The bundled default model in the browser: `geosift serve` as installed (no model named), a UC Merced mosaic, queries in English and Portuguese.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../main/engine/index.js';
import { startServe, type ServeHandle } from '../../main/serve/server.js';
import { scoreColor } from '../../renderer/src/map/score-color.js';
import type { SearchResult } from '../../shared/protocol/engine-api.js';
import { generatedDir, repoRoot, requireData } from '../helpers/paths.js';
import { buildRendererIfStale, colorNear, decodeScreenshot, launchChromium, rendererDist, ringSamples, type PageGlobals } from './browser-harness.js';

const artifacts = join(repoRoot, 'test-results', 'e2e');
const mosaic = requireData(join(generatedDir, 'mosaic', 'ucm-mosaic.tif'));

let indexDir: string;
let engine: Engine;
let serve: ServeHandle;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  await buildRendererIfStale();
  indexDir = mkdtempSync(join(tmpdir(), 'geosift-e2e-default-'));
  // As the app runs it: the default model found in the repository's models/ folder.
  engine = createEngine({ indexDir, threads: 1 });
  serve = await startServe({ engine, scenes: [mosaic], port: 0, staticDir: rendererDist });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.goto(serve.url);
  await page.locator('[data-testid="connection"][data-status="ready"]').waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await serve?.close();
  await engine?.dispose();
  if (indexDir) rmSync(indexDir, { recursive: true, force: true });
});

async function search(text: string): Promise<SearchResult> {
  await page.evaluate(() => ((globalThis as unknown as PageGlobals).__geosiftTest!.state.lastResult = null));
  await page.getByTestId('search-input').fill(text);
  await page.getByTestId('search-button').click();
  await page.waitForFunction((q) => ((globalThis as unknown as PageGlobals).__geosiftTest?.state.lastResult as { query?: { text?: string } } | null)?.query?.text === q, text, { timeout: 60_000 });
  return (await page.evaluate(() => (globalThis as unknown as PageGlobals).__geosiftTest!.state.lastResult)) as SearchResult;
}

describe('geosift serve with the bundled default model', () => {
  it('indexes the mosaic and searches in English and Portuguese; the list and the outlines follow the engine', async () => {
    await page.getByTestId('allowed-scene').first().click();
    await page.locator('[data-testid="indexing"][data-status="done"]').waitFor({ timeout: 120_000 });
    for (const [query, name] of [['airplanes parked at an airport', '09-default-en'], ['aviões estacionados num aeroporto', '10-default-pt']] as const) {
      const r = await search(query);
      expect(r.model.id).toBe('geosift-rs-mini');
      const direct = await engine.search({ scene: mosaic, query, top: r.hits.length });
      expect(r.hits.map((h) => h.tileIndex)).toEqual(direct.hits.map((h) => h.tileIndex));
      const items = page.getByTestId('hit');
      await expect.poll(() => items.count()).toBe(r.hits.length);
      expect(await items.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-tile-index'))))).toEqual(r.hits.map((h) => h.tileIndex));
      await page.evaluate(() => (globalThis as unknown as PageGlobals).__geosiftTest!.whenRendered());
      const img = decodeScreenshot(await page.screenshot({ path: join(artifacts, `${name}.png`) }));
      const rect = await page.evaluate(() => (globalThis as unknown as PageGlobals).__geosiftTest!.mapRect());
      const { edge } = ringSamples(r.hits[0].polygon!.coordinates[0] as Array<[number, number]>);
      const px = await page.evaluate((pts) => pts.map((c) => (globalThis as unknown as PageGlobals).__geosiftTest!.pixelFromLonLat(c)), edge);
      const colour = scoreColor(r.hits[0].score, r.scoreStats);
      const onEdge = px.filter((p) => p && colorNear(img, rect.left + p[0], rect.top + p[1], colour)).length / px.length;
      expect(onEdge).toBeGreaterThanOrEqual(0.75);
    }
  });

  it('offers the installed models in the settings, the default first, with their languages', async () => {
    await page.getByTestId('tab-settings').click();
    const options = await page.getByTestId('setting-model').locator('option').allTextContents();
    expect(options[0]).toMatch(/^geosift-rs-mini \(default\) · 10 languages$/);
    await page.screenshot({ path: join(artifacts, '11-default-settings.png') });
  });
});
