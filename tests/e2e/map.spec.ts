import postgres from 'postgres';
import { test, expect, waitForMap } from './support/fixtures';
import { isolatedSensor, zoomIn } from './support/map';
import { census, kindNear, picture } from './support/pixels';

const STATE_KIND = ['normal', 'warning', 'alarm', 'offline'] as const;

test.describe('the live map', () => {
  test('shows the streets and the sensors coloured by state', async ({ page, login }) => {
    await login('leader');
    await waitForMap(page);
    const map = page.getByTestId('map');
    const pic = await picture(map);
    const seen = census(pic);
    // Sensors: plenty of green pixels, and the district fills (not just the dark background) cover the map.
    expect(seen.normal).toBeGreaterThan(200);
    let filled = 0;
    for (let y = 0; y < pic.height; y += 4)
      for (let x = 0; x < pic.width; x += 4) {
        const [r, , b] = pic.at(x, y);
        if (b > 50 && b > r + 15) filled++; // the districts' blue and violet fills
      }
    // The two districts are a tall, narrow shape: at the fitted view they fill about 8% of a 1280×800 map.
    expect(filled / ((pic.width / 4) * (pic.height / 4))).toBeGreaterThan(0.05);

    // The live counters add up to the number of sensors.
    const counts = await Promise.all(
      STATE_KIND.map(async (k) => Number(await page.getByTestId(`count-${k}`).getAttribute('data-count'))),
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1500);
  });

  test('a state change made in the database reaches the page within 2 seconds, in the right colour', async ({
    page,
    login,
    server,
  }) => {
    test.skip(
      !server.databaseUrl,
      'needs TEST_DATABASE_URL: the test writes to the server database directly',
    );
    await login('officer');
    await waitForMap(page);
    await zoomIn(page);
    const s = await isolatedSensor(page);
    expect(s, 'no isolated sensor found on the map').not.toBeNull();
    const map = page.getByTestId('map');
    expect(kindNear(await picture(map), s!.x, s!.y)).toBe('normal');

    const sql = postgres(server.databaseUrl!, { max: 1 });
    try {
      const t0 = Date.now();
      await sql`update sensor_state set state = 2 where sensor_id = ${s!.id}`;
      await page.waitForFunction((id) => window.__citynerve!.stateOf(id) === 2, s!.id, {
        timeout: 2000,
        polling: 50,
      });
      const ms = Date.now() - t0;
      expect(ms).toBeLessThan(2000);
      await expect.poll(async () => kindNear(await picture(map), s!.x, s!.y, 3)).toBe('alarm');
    } finally {
      await sql.end();
    }
  });

  test('zoomed in, the page gets changes in view at once and the rest when it zooms out again', async ({
    page,
    login,
    server,
  }) => {
    test.skip(
      !server.databaseUrl,
      'needs TEST_DATABASE_URL: the test writes to the server database directly',
    );
    await login('officer');
    await waitForMap(page);
    await zoomIn(page, 3); // past the zoom where deltas are scoped to the viewport
    // The server has applied the scope of the final view (on a loaded machine it can lag behind the zoom).
    await page.waitForFunction(() => window.__citynerve!.viewportScoped(), null, { timeout: 10_000 });
    const inView = await isolatedSensor(page);
    expect(inView).not.toBeNull();
    const sql = postgres(server.databaseUrl!, { max: 1 });
    try {
      // A normal sensor far outside the view (the other district).
      const outside = await page.evaluate(() => {
        const h = window.__citynerve!;
        const box = document.querySelector('[data-testid="map"]')!.getBoundingClientRect();
        for (let id = 1; id <= 1500; id++) {
          const p = h.positionOf(id);
          if (!p || h.stateOf(id) !== 0) continue;
          // The scope is the view plus half a view on each side, snapped out by about 130 px: anything
          // a full view beyond that, in any direction, is out of scope wherever the zoom landed.
          const [x, y] = h.project(p[0], p[1]);
          if (y < -2 * box.height || y > 3 * box.height || x < -2 * box.width || x > 3 * box.width) return id;
        }
        return null;
      });
      expect(outside).not.toBeNull();
      await sql`update sensor_state set state = 1 where sensor_id in (${inView!.id}, ${outside!})`;
      await page.waitForFunction((id) => window.__citynerve!.stateOf(id) === 1, inView!.id, {
        timeout: 2000,
      });
      // The legend still counts the whole city (the server sends the counts with scoped deltas).
      await expect
        .poll(async () => Number(await page.getByTestId('count-warning').getAttribute('data-count')))
        .toBeGreaterThan(1);
      // ...and the filter chips agree with it (the page's own table has not heard of the far change).
      const agree = () =>
        page.evaluate(() => {
          const legend = document.querySelector('[data-testid="count-warning"]')?.getAttribute('data-count');
          const chip = document
            .querySelector('[data-testid="filtered-count-warning"]')
            ?.getAttribute('data-count');
          return Number(legend) === Number(chip);
        });
      await expect.poll(agree).toBe(true);
      // With a family hidden, the chips count the others city-wide too (the server sends per-family counts).
      const [{ family }] = await sql<{ family: string }[]>`
        select t.code as family from sensors s join sensor_types t on t.id = s.type_id where s.id = ${outside!}`;
      const hidden = family === 'hydrant' ? 'manhole' : 'hydrant';
      await page.getByTestId(`filter-family-${hidden}`).uncheck();
      const warningsShown = async () => {
        const [{ n }] = await sql<{ n: number }[]>`
          select count(*)::int as n from sensor_state st join sensors s on s.id = st.sensor_id
          join sensor_types t on t.id = s.type_id where st.state = 1 and t.code <> ${hidden}`;
        const chip = await page.getByTestId('filtered-count-warning').getAttribute('data-count');
        return Number(chip) === n;
      };
      await expect.poll(warningsShown).toBe(true);
      await page.getByTestId(`filter-family-${hidden}`).check();
      expect(await page.evaluate((id) => window.__citynerve!.stateOf(id), outside!)).toBe(0);
      // Zoomed out again, the sensor that changed out of view is caught up.
      for (let i = 0; i < 3; i++) await page.locator('.maplibregl-ctrl-zoom-out').click();
      await page.waitForFunction((id) => window.__citynerve!.stateOf(id) === 1, outside!, { timeout: 5000 });
    } finally {
      await sql.end();
    }
  });

  test('clicking a sensor opens its details', async ({ page, login, request }) => {
    await login('officer');
    await waitForMap(page);
    await zoomIn(page);
    const s = await isolatedSensor(page, 12);
    expect(s).not.toBeNull();
    const box = (await page.getByTestId('map').boundingBox())!;
    await page.mouse.click(box.x + s!.x, box.y + s!.y);
    const panel = page.getByTestId('sensor-panel');
    await expect(panel).toBeVisible();
    const detail = await (await page.request.get(`/api/sensors/${s!.id}`)).json();
    await expect(panel).toContainText(detail.code);
    await expect(panel).toContainText(detail.streetName);
    void request;
  });

  test('the API rejects bad sensor ids with a clear message', async ({ page, login }) => {
    await login('officer', '/cases');
    const bad = await page.request.get('/api/sensors/abc');
    expect(bad.status()).toBe(400);
    expect((await bad.json()).message).toContain('sensor id must be a positive integer');
    const missing = await page.request.get('/api/sensors/999999');
    expect(missing.status()).toBe(404);
    // Search by device code finds the sensor whatever the case, and names what it could not find.
    const one = await (await page.request.get('/api/sensors/1')).json();
    const found = await page.request.get(`/api/sensors/by-code/${one.code.toLowerCase()}`);
    expect(await found.json()).toEqual({ id: 1 });
    const unknown = await page.request.get('/api/sensors/by-code/NOPE-1');
    expect(unknown.status()).toBe(404);
    expect((await unknown.json()).message).toContain('no sensor with code "NOPE-1"');
    const weird = await page.request.get('/api/sensors/by-code/' + encodeURIComponent('a b;drop'));
    expect(weird.status()).toBe(400);
  });
});
