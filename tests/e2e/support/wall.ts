// The leaders' wall in browser tests: a display token made by the admin, and a page signed in with it.
import type { Browser, Page } from '@playwright/test';
import type { CreatedDisplayToken } from '../../../src/lib/api/display-tokens';
import type { TestServer } from './server';
import { signedInPage } from './sign-in';

/** Creates a display token through the admin API; returns it with the admin's page (close it when done). */
export async function createDisplayToken(
  browser: Browser,
  server: TestServer,
  name: string,
): Promise<CreatedDisplayToken & { admin: Page }> {
  const admin = await signedInPage(browser, server.url, 'admin', server.password, '/cases');
  const res = await admin.request.post('/api/admin/display-tokens', { data: { name } });
  if (res.status() !== 201) throw new Error(`creating a display token: ${res.status()} ${await res.text()}`);
  return { ...((await res.json()) as CreatedDisplayToken), admin };
}

/**
 * Opens the wall as a kiosk with `token` (query: e.g. "seconds=3&scenes=city,districts") and waits for the
 * map to draw the sensors (or, with `map: false`, for the live feed only: software WebGL at 3840×2160 takes
 * longer than a test should wait).
 */
export async function openWall(
  page: Page,
  token: string,
  query = '',
  opts: { map?: boolean } = {},
): Promise<void> {
  await page.goto(`/wall/connect?token=${encodeURIComponent(token)}${query ? `&${query}` : ''}`);
  await page.waitForURL((u) => u.pathname === '/wall');
  if (opts.map === false)
    await page.waitForFunction(() => (window.__citynerve?.seq() ?? null) !== null, null, { timeout: 60_000 });
  else await page.waitForFunction(() => window.__citynerve?.ready() === true, null, { timeout: 60_000 });
}

/** Records every scene the wall shows, in order, as it happens (window.wallScenes). */
export async function recordScenes(page: Page): Promise<void> {
  await page.getByTestId('wall').evaluate((el: HTMLElement) => {
    const w = window as unknown as { wallScenes: string[] };
    w.wallScenes = [el.dataset.sceneId ?? ''];
    new MutationObserver(() => w.wallScenes.push(el.dataset.sceneId ?? '')).observe(el, {
      attributes: true,
      attributeFilter: ['data-scene-id'],
    });
  });
}

/** The scenes recorded so far. */
export const recordedScenes = (page: Page): Promise<string[]> =>
  page.evaluate(() => (window as unknown as { wallScenes: string[] }).wallScenes);

/** The wall root's data-* attributes: scene, pause and stale state. */
export async function wallState(page: Page) {
  return page.getByTestId('wall').evaluate((el: HTMLElement) => ({
    sceneId: el.dataset.sceneId ?? '',
    sceneIndex: Number(el.dataset.sceneIndex),
    sceneCount: Number(el.dataset.sceneCount),
    paused: el.dataset.paused === 'true',
    stale: el.dataset.stale === 'true',
    summaryAt: el.dataset.summaryAt ?? '',
  }));
}
