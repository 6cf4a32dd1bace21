// The leaders' wall as a kiosk sees it: signing in with a display token (and being refused once it is
// revoked), no scrollbars at 1920×1080 and 3840×2160, scenes rotating and pausing, the stale banner while
// the server is away and catching up after, and no memory growth over 45 s of fast rotation.
import postgres from 'postgres';
import { test, expect } from './support/fixtures';
import { createDisplayToken, openWall, recordScenes, recordedScenes, wallState } from './support/wall';

test('an admin creates a display token; the kiosk signs in with it, reads only the wall, and is refused once revoked', async ({
  page,
  browser,
  server,
  foreignRequests: _,
}) => {
  const { admin } = await createDisplayToken(browser, server, 'warm-up');
  // Through the admin page: the token is shown once, with the address to open on the display.
  await admin.goto('/admin');
  const section = admin.getByTestId('display-tokens');
  await section.getByTestId('display-token-name').fill('指挥大厅 左屏');
  await section.getByTestId('display-token-create').click();
  const token = (await section.getByTestId('display-token-value').textContent())!.trim();
  expect(token).toMatch(/^cnd_/);
  await expect(section.getByTestId('display-token-url')).toContainText(`/wall/connect?token=${token}`);

  await openWall(page, token);
  await expect(page.getByTestId('wall')).toBeVisible();
  await expect(page.locator('header.top')).toHaveCount(0); // no app navigation on the wall
  await expect(page.getByTestId('wall')).toContainText('指挥大厅 左屏'); // which screen this is
  await expect(page.getByTestId('wall-count-normal')).not.toHaveText('0');
  await expect(page.getByTestId('wall-cases-open')).toHaveText(/^\d[\d,]*$/);
  await expect(page.getByTestId('wall-alarms-open')).toHaveText(/^\d[\d,]*$/);

  // Read-only: other pages lead back to the wall, other APIs and every action are refused.
  await page.goto('/cases');
  await expect(page).toHaveURL(/\/wall$/);
  expect((await page.request.get('/api/cases')).status()).toBe(403);
  expect((await page.request.post('/api/alarms/1/ack', { data: {} })).status()).toBe(403);
  expect((await page.request.get('/api/wall/summary')).status()).toBe(200);
  await openWall(page, token);

  // The admin revokes it: the running wall says so at once (its socket is closed), and a reload is refused.
  admin.once('dialog', (d) => void d.accept());
  const row = section.getByTestId('display-token-row').filter({ hasText: '指挥大厅 左屏' });
  await row.getByTestId('display-token-revoke').click();
  await expect(row).toHaveAttribute('data-state', 'revoked');
  await expect(page.getByTestId('wall-revoked')).toBeVisible({ timeout: 15_000 });
  expect((await page.request.get('/api/wall/summary')).status()).toBe(401);
  await page.goto('/wall');
  await expect(page).toHaveURL(/\/wall\/connect\?refused=revoked/);
  await expect(page.getByTestId('connect-error')).toContainText('被吊销');

  // The old address and an unknown token get their reasons too.
  await page.goto(`/wall/connect?token=${token}`);
  await expect(page.getByTestId('connect-error')).toHaveAttribute('data-refusal', 'revoked');
  await page.goto('/wall/connect?token=cnd_nothing-like-this-was-ever-issued');
  await expect(page.getByTestId('connect-error')).toHaveAttribute('data-refusal', 'unknown');
  await admin.context().close();
});

for (const [width, height] of [
  [1920, 1080],
  [3840, 2160],
] as const) {
  test(`the wall fills ${width}×${height} without scrollbars, every panel whole`, async ({
    page,
    browser,
    server,
    foreignRequests: _,
  }) => {
    const { token, admin } = await createDisplayToken(browser, server, `screen ${width}`);
    await admin.context().close();
    await page.setViewportSize({ width, height });
    await openWall(page, token, '', { map: width <= 1920 });
    await expect(page.getByTestId('wall-hotline-today')).toHaveText(/^\d[\d,]*$/);
    await expect(page.getByTestId('wall-ranking-unit').first()).toBeVisible({ timeout: 20_000 });
    const fit = await page.evaluate(() => {
      const doc = document.documentElement;
      const panels = [...document.querySelectorAll<HTMLElement>('section[data-testid^="wall-"]')].map(
        (el) => {
          const r = el.getBoundingClientRect();
          return {
            id: el.dataset.testid,
            inside: r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight,
            // Content taller than the panel would be cut off: information a viewer cannot see.
            clipped: el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1,
          };
        },
      );
      return {
        scroll: [doc.scrollWidth, doc.scrollHeight, document.body.scrollWidth, document.body.scrollHeight],
        viewport: [innerWidth, innerHeight],
        fontPx: parseFloat(getComputedStyle(document.querySelector('[data-testid="wall"]')!).fontSize),
        panels,
      };
    });
    expect(fit.scroll[0]).toBeLessThanOrEqual(width);
    expect(fit.scroll[1]).toBeLessThanOrEqual(height);
    expect(fit.scroll[2]).toBeLessThanOrEqual(width);
    expect(fit.scroll[3]).toBeLessThanOrEqual(height);
    expect(fit.panels.map((p) => p.id).sort()).toEqual(
      ['wall-alarms', 'wall-cases', 'wall-hotline', 'wall-hotspots', 'wall-ranking'].sort(),
    );
    for (const p of fit.panels) expect(p, p.id).toMatchObject({ inside: true, clipped: false });
    // Big type that scales with the screen: about 20 px at 1920 wide, 40 px at 3840.
    expect(fit.fontPx).toBeCloseTo(width / 96, 0);
  });
}

test('scenes rotate on the schedule in the URL; Space and the button pause and resume', async ({
  page,
  browser,
  server,
  foreignRequests: _,
}) => {
  const { token, admin } = await createDisplayToken(browser, server, 'rotation');
  await admin.context().close();
  await openWall(page, token, 'scenes=city,districts&seconds=2');
  expect((await wallState(page)).sceneCount).toBe(3);

  // Whole district → each district → the whole district again, each scene in turn, none skipped.
  await recordScenes(page);
  await expect.poll(async () => (await recordedScenes(page)).length, { timeout: 25_000 }).toBeGreaterThan(5);
  const seen = await recordedScenes(page);
  const k = seen.indexOf('city');
  const order = seen.slice(k, k + 3);
  expect([...order].sort()).toEqual(['city', 'district:jingan', 'district:xuhui']);
  for (let i = 1; i < seen.length; i++) expect(seen[i]).toBe(order[(order.indexOf(seen[i - 1]) + 1) % 3]);
  await expect(page.getByTestId('wall-scene-name')).not.toHaveText('');

  // Space pauses: the scene stays for well over its time (2.5 times).
  await page.keyboard.press('Space');
  const paused = await wallState(page);
  expect(paused.paused).toBe(true);
  await expect(page.getByTestId('wall-pause')).toHaveAttribute('aria-pressed', 'true');
  await page.waitForTimeout(5_000);
  expect((await wallState(page)).sceneId).toBe(paused.sceneId);

  // The visible button resumes.
  await page.getByTestId('wall-pause').click();
  expect((await wallState(page)).paused).toBe(false);
  await page.waitForFunction(
    (last) => document.querySelector<HTMLElement>('[data-testid="wall"]')!.dataset.sceneId !== last,
    paused.sceneId,
    { timeout: 8_000 },
  );
});

test('the stale banner shows the last update while the server is away and goes once data flows again, caught up', async ({
  page,
  browser,
  server,
  foreignRequests: _,
}) => {
  test.setTimeout(180_000);
  const { token, admin } = await createDisplayToken(browser, server, 'stale');
  await admin.context().close();
  await openWall(page, token, 'scenes=city&stale=4');
  const banner = page.getByTestId('wall-stale');
  await expect(banner).toHaveCount(0);
  await expect(page.getByTestId('wall')).not.toHaveAttribute('data-summary-at', '');
  const before = await wallState(page);

  await server.stop();
  await expect(banner).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('wall-stale-text')).toHaveText(/数据已停止更新 · 最后更新 \d{2}:\d{2}:\d{2}/);
  expect((await wallState(page)).stale).toBe(true);

  // A change made while the server is away must reach the wall after it is back.
  const sql = server.databaseUrl ? postgres(server.databaseUrl, { max: 1 }) : null;
  let changedId: number | null = null;
  if (sql) {
    const [row] = await sql`select sensor_id from sensor_state where state = 0 order by sensor_id limit 1`;
    changedId = row.sensor_id as number;
    await sql`update sensor_state set state = 3 where sensor_id = ${changedId}`;
  }
  const seqDown = await page.evaluate(() => window.__citynerve!.seq());

  await server.start();
  await expect(banner).toHaveCount(0, { timeout: 60_000 });
  expect((await wallState(page)).stale).toBe(false);
  // The sensor feed resumed past where it stopped, and the figures were fetched again.
  await page.waitForFunction((s) => (window.__citynerve!.seq() ?? 0) > (s ?? 0), seqDown, {
    timeout: 20_000,
  });
  await expect(page.getByTestId('wall')).not.toHaveAttribute('data-summary-at', before.summaryAt, {
    timeout: 20_000,
  });
  if (sql && changedId !== null) {
    await page.waitForFunction((id) => window.__citynerve!.stateOf(id) === 3, changedId, { timeout: 10_000 });
    await sql.end();
  }
});

test('a wall rotating fast for 20 seconds after warming up does not grow its heap', async ({
  page,
  browser,
  server,
  foreignRequests: _,
}) => {
  test.setTimeout(300_000);
  const { token, admin } = await createDisplayToken(browser, server, 'soak');
  await admin.context().close();
  await openWall(page, token, 'scenes=city,districts&seconds=2');
  const cdp = await page.context().newCDPSession(page);
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  // Warm up: every scene (3 of them at 2 s) flown to at least once, so the map's caches are filled; then
  // the same cycle again and again, which is what a wall does all day: a leak grows with every cycle.
  await page.waitForTimeout(9_000);
  const start = await heap();
  await page.getByTestId('wall').evaluate((el) => {
    const w = window as unknown as { sceneChanges: number };
    w.sceneChanges = 0;
    new MutationObserver(() => w.sceneChanges++).observe(el, {
      attributes: true,
      attributeFilter: ['data-scene-id'],
    });
  });
  await page.waitForTimeout(20_000);
  const end = await heap();
  const growth = end - start;
  console.log(`wall heap: ${(start / 2 ** 20).toFixed(1)} MB → ${(end / 2 ** 20).toFixed(1)} MB`);
  // It kept rotating the whole time (a scene every 2 s: about 3 whole cycles) and stayed live.
  const changes = await page.evaluate(() => (window as unknown as { sceneChanges: number }).sceneChanges);
  expect(changes).toBeGreaterThan(7);
  expect((await wallState(page)).stale).toBe(false);
  expect(growth).toBeLessThan(20 * 2 ** 20);
  expect(growth / start).toBeLessThan(0.3);
});
