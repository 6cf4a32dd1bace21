// A deployment's own offline basemap: the OpenStreetMap samples beside the project are imported with the
// same code as `npm run import:basemap`, the server is started with BASEMAP_PMTILES, and the map shows
// roads with their Chinese names, metro stations, the OpenStreetMap attribution, all from the app's own
// origin (the fixture fails the test on any other request). Skipped where the samples are absent.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, expect, waitForMap } from './support/fixtures';
import { buildBasemap } from '../../server/basemap/build';
import type { Page } from '@playwright/test';

const SAMPLES = path.resolve(process.cwd(), '../shared/data/basemap');
const present = existsSync(path.join(SAMPLES, 'jingan-east-roads.osm'));

function importSamples(): string {
  if (!present) return '';
  const files = ['jingan-east-roads.osm', 'shanghai-metro-stations.geojson'].map((name) => ({
    name,
    text: readFileSync(path.join(SAMPLES, name), 'utf8'),
  }));
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'citynerve-basemap-e2e-')), 'basemap.pmtiles');
  writeFileSync(file, buildBasemap(files).archive);
  return file;
}

test.skip(!present, 'the OpenStreetMap samples (../shared/data/basemap) are not on this machine');
test.use({ serverOptions: { env: { BASEMAP_PMTILES: importSamples(), DEMO_SENSOR_COUNT: '2000' } } });

/** Zooms the map in around [lon, lat] by double clicks until it reaches `zoom`. */
async function zoomTo(page: Page, lon: number, lat: number, zoom: number) {
  const canvas = page.locator('.maplibregl-canvas');
  for (let i = 0; i < 12; i++) {
    const z = await page.evaluate(() => window.__citynerve!.zoom());
    if (z >= zoom) break;
    const [x, y] = await page.evaluate(([lo, la]) => window.__citynerve!.project(lo, la), [lon, lat]);
    await canvas.dblclick({ position: { x, y } });
    await page.waitForFunction(
      (min) => !window.__citynerve!.moving() && window.__citynerve!.zoom() >= min,
      z + 0.9,
      {
        timeout: 30_000,
      },
    );
  }
  await page.waitForFunction(() => window.__citynerve!.basemap()!.roadNames.length > 0, null, {
    timeout: 30_000,
  });
}

test('the map draws the imported roads with their names and metro stations, credited to OpenStreetMap', async ({
  page,
  login,
}) => {
  await login('leader');
  await waitForMap(page);
  // At city zoom the outlines and the attribution are there; stations wait for street zoom.
  await expect(page.locator('.maplibregl-ctrl-attrib')).toContainText('© OpenStreetMap contributors');
  expect((await page.evaluate(() => window.__citynerve!.basemap()))!.stationNames).toEqual([]);

  // People's Square / 大世界, inside the sample's road extract.
  await zoomTo(page, 121.4755, 31.2318, 15.5);
  const drawn = (await page.evaluate(() => window.__citynerve!.basemap()))!;
  expect(drawn.roadLines).toBeGreaterThan(20);
  expect(drawn.roadNames.length).toBeGreaterThanOrEqual(5);
  expect(drawn.roadNames.some((n) => /[路道街]$/.test(n))).toBe(true);
  expect(drawn.stationNames.length).toBeGreaterThanOrEqual(1);
  await expect(page.locator('.maplibregl-ctrl-attrib')).toBeVisible();

  // The English page puts English names first (where OpenStreetMap has them).
  await page.getByRole('button', { name: 'English' }).click();
  await page.waitForFunction(
    () => window.__citynerve!.basemap()!.labelField?.startsWith('["coalesce",["get","name:en"]'),
    null,
    {
      timeout: 10_000,
    },
  );
});

test('tile requests are checked: a tile outside the grid gets a clear 400, an empty one 204', async ({
  request,
}) => {
  const info = await request.get('/api/map/basemap');
  expect(info.status()).toBe(200);
  expect(await info.json()).toMatchObject({
    minZoom: 10,
    maxZoom: 16,
    attribution: '© OpenStreetMap contributors',
  });
  const bad = await request.get('/api/map/basemap/14/99999/1');
  expect(bad.status()).toBe(400);
  expect((await bad.json()).message).toBe('tile x and y must be below 16384 at zoom 14, got 99999/1');
  const word = await request.get('/api/map/basemap/14/abc/1');
  expect(word.status()).toBe(400);
  expect((await word.json()).message).toContain('tile x must be a whole number');
  // The open sea east of Shanghai: no data, no tile.
  expect((await request.get('/api/map/basemap/14/14500/6600')).status()).toBe(204);
  const tile = await request.get('/api/map/basemap/15/27440/13388');
  expect(tile.status()).toBe(200);
  expect(tile.headers()['content-type']).toBe('application/vnd.mapbox-vector-tile');
});

test('the public view and the hot-spot map draw the same basemap, credited', async ({ page, login }) => {
  await page.goto('/public');
  await expect(page.locator('.maplibregl-ctrl-attrib').first()).toContainText('OpenStreetMap', {
    timeout: 30_000,
  });
  await login('leader', '/hotspots');
  await expect(page.locator('.maplibregl-ctrl-attrib').first()).toContainText('OpenStreetMap', {
    timeout: 30_000,
  });
});
