// End to end in Chromium: `geosift serve` (in process, test model) drives the real UI; hit outlines are checked in screenshot pixels.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../main/engine/index.js';
import { startServe, type ServeHandle } from '../../main/serve/server.js';
import { parseColor, rampColor, scoreColor } from '../../renderer/src/map/score-color.js';
import type { LabelSummary, SearchResult } from '../../shared/protocol/engine-api.js';
import { generatedDir, repoRoot, requireData, scenePath } from '../helpers/paths.js';
import { buildRendererIfStale, colorNear, decodeScreenshot, launchChromium, rendererDist, ringSamples, type PageGlobals } from './browser-harness.js';

const artifacts = join(repoRoot, 'test-results', 'e2e');
const rgbScene = requireData(scenePath('rasterio_tests_data/RGB.byte.tif'));
const mosaic = requireData(join(generatedDir, 'mosaic', 'ucm-mosaic.tif'));
const corrupt = requireData(join(generatedDir, 'rasters', 'not-a-tiff.tif'));
const noGeoref = requireData(join(generatedDir, 'rasters', 'no-georef.tif'));

let indexDir: string;
let engine: Engine;
let serve: ServeHandle;
let browser: Browser;
let context: BrowserContext;
let page: Page;

type UiResult = SearchResult;

async function shot(name: string): Promise<Buffer> {
  const png = await page.screenshot({ path: join(artifacts, `${name}.png`) });
  return png;
}

async function waitRendered(): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as PageGlobals).__geosiftTest!.whenRendered());
}

const sceneOpens = () => page.evaluate(() => ((globalThis as unknown as PageGlobals).__geosiftTest?.state.scene as { opens?: number } | undefined)?.opens ?? 0);

/** Clicks a scene in the server's list and waits until the page has switched to it (not just clicked). */
async function openAllowed(fileName: string): Promise<void> {
  const before = await sceneOpens();
  await page.locator('[data-testid="allowed-scene"]', { hasText: fileName }).first().click();
  await expect.poll(sceneOpens).toBeGreaterThan(before);
}

async function waitIndexed(): Promise<void> {
  await page.locator('[data-testid="indexing"][data-status="done"]').waitFor({ timeout: 60_000 });
}

async function search(text: string): Promise<UiResult> {
  await page.evaluate(() => {
    (globalThis as unknown as PageGlobals).__geosiftTest!.state.lastResult = null;
  });
  await page.getByTestId('search-input').fill(text);
  await page.getByTestId('search-button').click();
  await page.waitForFunction((q) => ((globalThis as unknown as PageGlobals).__geosiftTest?.state.lastResult as { query?: { text?: string } } | null)?.query?.text === q, text, { timeout: 30_000 });
  return (await page.evaluate(() => (globalThis as unknown as PageGlobals).__geosiftTest!.state.lastResult)) as UiResult;
}

/** The DOM list shows the engine's hits, in order, with their scores. */
async function expectHitList(result: UiResult): Promise<void> {
  const items = page.getByTestId('hit');
  await expect.poll(() => items.count()).toBe(result.hits.length);
  const indices = await items.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-tile-index'))));
  expect(indices).toEqual(result.hits.map((h) => h.tileIndex));
  const scores = await page.getByTestId('hit-score').allTextContents();
  expect(scores).toEqual(result.hits.map((h) => h.score.toFixed(3)));
}

/**
 * The top hit's outline is drawn where the engine's WGS84 polygon says: sample its edges through the
 * map's own lon/lat -> pixel transform and find the score colour there in the screenshot, but not inside.
 */
async function expectOutlineAtEnginePolygon(result: UiResult, png: Buffer): Promise<{ edgeRatio: number; innerRatio: number }> {
  const top = result.hits[0];
  expect(top.polygon).not.toBeNull();
  const ring = top.polygon!.coordinates[0] as Array<[number, number]>;
  const { edge, inner } = ringSamples(ring);
  const rect = await page.evaluate(() => (globalThis as unknown as PageGlobals).__geosiftTest!.mapRect());
  const toScreen = async (pts: Array<[number, number]>) =>
    (await page.evaluate((p) => p.map((c) => (globalThis as unknown as PageGlobals).__geosiftTest!.pixelFromLonLat(c)), pts)).map((px) => {
      expect(px).not.toBeNull();
      return [rect.left + px![0], rect.top + px![1]] as [number, number];
    });
  const img = decodeScreenshot(png);
  const color = scoreColor(top.score, result.scoreStats);
  const edgePx = await toScreen(edge);
  const innerPx = await toScreen(inner);
  for (const [x, y] of edgePx) {
    expect(x).toBeGreaterThan(rect.left);
    expect(x).toBeLessThan(rect.left + rect.width);
    expect(y).toBeGreaterThan(rect.top);
    expect(y).toBeLessThan(rect.top + rect.height);
  }
  const edgeRatio = edgePx.filter(([x, y]) => colorNear(img, x, y, color)).length / edgePx.length;
  const innerRatio = innerPx.filter(([x, y]) => colorNear(img, x, y, color)).length / innerPx.length;
  expect(edgeRatio).toBeGreaterThanOrEqual(0.75);
  expect(innerRatio).toBeLessThanOrEqual(0.25);
  return { edgeRatio, innerRatio };
}

beforeAll(async () => {
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  await buildRendererIfStale();
  indexDir = mkdtempSync(join(tmpdir(), 'geosift-e2e-'));
  engine = createEngine({ modelSearchPaths: [join(generatedDir, 'models')], defaultModel: 'test-clip', indexDir, threads: 1 });
  serve = await startServe({ engine, scenes: [rgbScene, mosaic, corrupt, noGeoref], port: 0, staticDir: rendererDist });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') console.error('page console:', m.text());
  });
  await page.goto(serve.url);
  await page.locator('[data-testid="connection"][data-status="ready"]').waitFor();
  await page.getByTestId('allowed-scene').first().waitFor();
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await serve?.close();
  await engine?.dispose();
  if (indexDir) rmSync(indexDir, { recursive: true, force: true });
});

describe('geosift serve in Chromium', () => {
  it('opens a real scene, indexes it and finds green in English and Portuguese, outlines where the engine says', async () => {
    await openAllowed('RGB.byte.tif');
    await waitIndexed();
    await page.getByTestId('tab-scene').click();
    await expect.poll(() => page.getByTestId('scene-info').textContent()).toContain('EPSG:32618');
    await page.getByTestId('tab-search').click();

    const green = await search('green');
    expect(green.hits.length).toBeGreaterThan(0);
    await expectHitList(green);
    await expect.poll(() => page.getByTestId('calibration').getAttribute('data-verdict')).toBe(green.calibration.verdict);
    await waitRendered();
    const ratios = await expectOutlineAtEnginePolygon(green, await shot('01-rgb-green'));
    writeFileSync(join(artifacts, '01-rgb-green.json'), JSON.stringify({ hits: green.hits.length, ...ratios }, null, 2));

    // Map and list are linked: a click on the third hit's outline on the map selects it in the list.
    const third = green.hits[2];
    const thirdRing = third.polygon!.coordinates[0] as Array<[number, number]>;
    const corner = await page.evaluate((c) => (globalThis as unknown as PageGlobals).__geosiftTest!.pixelFromLonLat(c), ringSamples(thirdRing).inner[0]);
    const mapBox = await page.evaluate(() => (globalThis as unknown as PageGlobals).__geosiftTest!.mapRect());
    await page.mouse.click(mapBox.left + corner![0], mapBox.top + corner![1]);
    await expect.poll(() => page.locator('[data-testid="hit"].selected').getAttribute('data-tile-index')).toBe(String(third.tileIndex));
    // Leaving the map clears the hover highlight (it would otherwise cover the neighbours' edges).
    await page.mouse.move(5, 790);

    const verde = await search('verde');
    await expectHitList(verde);
    // The test model embeds colour words of every language alike: the Portuguese ranking is the English one.
    expect(verde.hits.map((h) => h.tileIndex)).toEqual(green.hits.map((h) => h.tileIndex));
    await waitRendered();
    await expectOutlineAtEnginePolygon(verde, await shot('02-rgb-verde'));
  });

  it('exports the hits as GeoJSON through a browser download', async () => {
    const result = (await page.evaluate(() => (globalThis as unknown as PageGlobals).__geosiftTest!.state.lastResult)) as UiResult;
    const [west, south, east, north] = (await engine.info(rgbScene)).boundsWgs84!;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-hits').click()]);
    expect(download.suggestedFilename()).toBe('geosift-verde.geojson');
    const fc = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { type: string; features: Array<{ geometry: { type: string; coordinates: number[][][] }; properties: Record<string, unknown> }> };
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features).toHaveLength(result.hits.length);
    fc.features.forEach((f, i) => {
      expect(f.geometry.type).toBe('Polygon');
      expect(f.properties.rank).toBe(result.hits[i].rank);
      expect(f.properties.score).toBeCloseTo(result.hits[i].score, 6);
      // RFC 7946 lon/lat inside the scene's own WGS84 bounds.
      for (const [lon, lat] of f.geometry.coordinates[0]) {
        expect(lon).toBeGreaterThanOrEqual(west - 1e-6);
        expect(lon).toBeLessThanOrEqual(east + 1e-6);
        expect(lat).toBeGreaterThanOrEqual(south - 1e-6);
        expect(lat).toBeLessThanOrEqual(north + 1e-6);
      }
    });
  });

  it('finds the green cells of the UC Merced mosaic and outlines the top one', async () => {
    await openAllowed('ucm-mosaic.tif');
    await waitIndexed();
    const green = await search('green');
    expect(green.hits.length).toBeGreaterThan(0);
    await expectHitList(green);
    // Heatmap of every tile's score, opaque: inside the top hit it shows the top of the ramp.
    await page.getByTestId('heatmap-toggle').check();
    await page.waitForFunction(() => ((globalThis as unknown as PageGlobals).__geosiftTest?.state.heatTiles as number) > 0, undefined, { timeout: 30_000 }).catch(async (e: unknown) => {
      await shot('03-mosaic-heatmap-timeout');
      throw new Error(`heatmap never arrived; banner: ${await page.getByTestId('error').allTextContents()}`, { cause: e });
    });
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__geosiftTest!.state.heatTiles)).toBe(green.tiling.tilesEmbedded);
    await page.getByTestId('heatmap-opacity').focus();
    await page.keyboard.press('End');
    await waitRendered();
    const heatShot = decodeScreenshot(await shot('03-mosaic-heatmap'));
    const rect = await page.evaluate(() => (globalThis as unknown as PageGlobals).__geosiftTest!.mapRect());
    const { inner } = ringSamples(green.hits[0].polygon!.coordinates[0] as Array<[number, number]>);
    const innerPx = await page.evaluate((p) => p.map((c) => (globalThis as unknown as PageGlobals).__geosiftTest!.pixelFromLonLat(c)), inner);
    const hot = innerPx.filter((p) => colorNear(heatShot, rect.left + p![0], rect.top + p![1], rampColor(1), 0, 12)).length;
    expect(hot / innerPx.length).toBeGreaterThanOrEqual(0.75);
    await page.getByTestId('heatmap-toggle').uncheck();

    // Keyboard: arrows walk hits, Enter zooms to the selected one.
    await page.locator('body').click({ position: { x: 5, y: 795 } });
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('[data-testid="hit"].selected').getAttribute('data-tile-index')).toBe(String(green.hits[0].tileIndex));
    await page.keyboard.press('Enter');
    await waitRendered();
    await expectOutlineAtEnginePolygon(green, await shot('04-mosaic-green-zoomed'));
  });

  it('labels the mosaic with typed colour classes: legend, class overlay pixels, a clicked tile, export', async () => {
    await openAllowed('ucm-mosaic.tif');
    await waitIndexed();
    await page.getByTestId('tab-label').click();
    await page.getByTestId('label-mode-classes').click();
    await page.getByTestId('label-classes').fill('red, green, blue');
    await page.getByTestId('label-run').click();
    await page.waitForFunction(() => !!(globalThis as unknown as PageGlobals).__geosiftTest?.state.lastLabel, undefined, { timeout: 30_000 });
    const summary = (await page.evaluate(() => (globalThis as unknown as PageGlobals).__geosiftTest!.state.lastLabel)) as LabelSummary;
    expect(summary.scheme.classes.map((c) => c.name)).toEqual(['red', 'green', 'blue']);
    const legend = page.getByTestId('legend').locator('li');
    const legendIds = await legend.evaluateAll((els) => els.map((e) => e.getAttribute('data-class-id')));
    expect(legendIds.slice(0, 3)).toEqual(summary.scheme.classes.map((c) => c.id));
    // Opaque overlay so the class colours reach the screen unblended.
    await page.getByTestId('label-opacity').focus();
    await page.keyboard.press('End');
    await waitRendered();
    const png = await shot('05-mosaic-labels');
    const img = decodeScreenshot(png);
    const rect = await page.evaluate(() => (globalThis as unknown as PageGlobals).__geosiftTest!.mapRect());
    const colors = new Map(summary.scheme.classes.map((c) => [c.id, parseColor(c.color)]));
    const labelled = summary.tiles.filter((t) => colors.has(t.classId) && t.polygon);
    expect(labelled.length).toBeGreaterThan(0);
    const sample = labelled.filter((_, i) => i % Math.max(1, Math.floor(labelled.length / 60)) === 0);
    const centres = sample.map((t) => {
      const ring = t.polygon!.coordinates[0].slice(0, -1);
      return [ring.reduce((a, p) => a + p[0], 0) / ring.length, ring.reduce((a, p) => a + p[1], 0) / ring.length] as [number, number];
    });
    const px = await page.evaluate((c) => c.map((p) => (globalThis as unknown as PageGlobals).__geosiftTest!.pixelFromLonLat(p)), centres);
    const matches = sample.filter((t, i) => colorNear(img, rect.left + px[i]![0], rect.top + px[i]![1], colors.get(t.classId)!, 0, 12)).length;
    expect(matches / sample.length).toBeGreaterThanOrEqual(0.9);

    // A click on a tile shows its most likely classes.
    const target = sample[0];
    await page.mouse.click(rect.left + px[0]![0], rect.top + px[0]![1]);
    const picked = page.getByTestId('picked-tile');
    await picked.waitFor();
    expect(await picked.textContent()).toContain(`Tile ${target.tileIndex}`);
    expect(await picked.textContent()).toContain(summary.scheme.classes.find((c) => c.id === target.classId)!.name);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-labels').click()]);
    expect(download.suggestedFilename()).toBe('geosift-labels-ucm-mosaic.geojson');
    const fc = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { type: string; features: Array<{ geometry: { type: string } }> };
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.length).toBeGreaterThan(0);
    await page.getByTestId('tab-search').click();
  });

  it('cancels an indexing run and says so without calling it a failure', async () => {
    await page.getByTestId('tab-settings').click();
    await page.getByTestId('setting-tile').fill('8px');
    await page.getByTestId('tab-search').click();
    await openAllowed('ucm-mosaic.tif');
    await page.getByTestId('cancel-indexing').click();
    await page.locator('[data-testid="indexing"][data-status="canceled"]').waitFor();
    await expect.poll(() => page.getByTestId('indexing').textContent()).toContain('Indexing canceled');
    expect(await page.getByTestId('error').count()).toBe(0);
    await shot('06-indexing-canceled');
    await page.getByTestId('tab-settings').click();
    await page.getByTestId('setting-tile').fill('');
    await page.getByTestId('tab-search').click();
  });

  it('shows a scene without georeferencing in pixel coordinates with a warning, hits outlined by their windows', async () => {
    await openAllowed('no-georef.tif');
    await waitIndexed();
    expect(await page.getByTestId('pixel-warning').textContent()).toContain('pixel coordinates');
    const green = await search('green');
    expect(green.hits.length).toBeGreaterThan(0);
    expect(green.hits[0].polygon).toBeNull();
    await expectHitList(green);
    await waitRendered();
    const img = decodeScreenshot(await shot('08-no-georef-pixel-mode'));
    const rect = await page.evaluate(() => (globalThis as unknown as PageGlobals).__geosiftTest!.mapRect());
    const w = green.hits[0].window;
    const ring: Array<[number, number]> = [[w.x, w.y], [w.x + w.width, w.y], [w.x + w.width, w.y + w.height], [w.x, w.y + w.height], [w.x, w.y]];
    const { edge } = ringSamples(ring);
    const px = await page.evaluate((pts) => pts.map(([c, r]) => (globalThis as unknown as PageGlobals).__geosiftTest!.pixelFromScenePixel(c, r)), edge);
    const color = scoreColor(green.hits[0].score, green.scoreStats);
    const matches = px.filter((p) => colorNear(img, rect.left + p![0], rect.top + p![1], color)).length;
    expect(matches / px.length).toBeGreaterThanOrEqual(0.75);
  });

  it('shows a corrupt file as an error in plain words', async () => {
    await page.getByTestId('scene-path').fill(corrupt);
    await page.getByTestId('open-scene').click();
    const error = page.getByTestId('error');
    await error.waitFor();
    const text = (await error.textContent()) ?? '';
    expect(text).toContain('Not a GeoTIFF');
    expect(text).toContain('not-a-tiff.tif');
    await shot('07-corrupt-file');
  });
});
