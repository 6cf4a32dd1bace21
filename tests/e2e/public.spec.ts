// The public transparency view in a real browser, signed out: the overview renders its numbers, tables and
// the cell map, the catalogue lists datasets and licence, downloads parse, nothing outside the origin is
// requested, and no page or linked resource shows the personal data of a report the hotline took.
import type { Browser } from '@playwright/test';
import { test, expect } from './support/fixtures';

const CITIZEN = {
  callerName: '隐私端到端欧阳某',
  callerPhone: '13987654321',
  callerEmail: 'e2e.secret@privacy.example.test',
  text: '端到端秘密诉求：隔壁装修噪音每天到半夜，联系人住三楼',
  address: '隐私端到端路88弄8号302室',
  lon: 121.43787,
  lat: 31.19263,
};
const SECRETS = [
  CITIZEN.callerName,
  CITIZEN.callerPhone,
  CITIZEN.callerEmail,
  CITIZEN.text,
  CITIZEN.address,
  '端到端秘密诉求',
  '隐私端到端',
];

/** The duty officer signs in (in a context of its own) and enters calls from this citizen. */
async function seedReports(browser: Browser, url: string, password: string) {
  const desk = await browser.newContext({ baseURL: url });
  const officer = await desk.newPage();
  await officer.goto('/login?next=/cases');
  await officer.locator('input[name="username"]').fill('officer');
  await officer.locator('input[name="password"]').fill(password);
  await Promise.all([
    officer.waitForURL((u) => !u.pathname.startsWith('/login')),
    officer.locator('form button[type="submit"]').click(),
  ]);
  for (let i = 0; i < 6; i++) {
    const res = await officer.request.post('/api/tickets', {
      data: {
        channel: 'phone',
        ...CITIZEN,
        lon: Number((CITIZEN.lon + i * 0.00011).toFixed(5)),
        category: 'environment.noise',
      },
    });
    expect(res.status(), await res.text()).toBe(201);
  }
  await desk.close();
}

/** Fails when a body holds any seeded secret or the exact point. */
function expectNoPersonalData(where: string, body: string) {
  for (const s of SECRETS) expect(body, `${where} contains "${s}"`).not.toContain(s);
  expect(body.includes('121.43787') && body.includes('31.19263'), `${where} contains the exact point`).toBe(
    false,
  );
}

function parseCsvHeader(bytes: Buffer): string[] {
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString('utf8');
  expect(text.endsWith('\r\n')).toBe(true);
  return text.split('\r\n')[0].split(',');
}

test('the public view renders for anonymous visitors, offline, without personal data', async ({
  page,
  server,
  browser,
  foreignRequests,
}) => {
  await seedReports(browser, server.url, server.password);

  await page.goto('/login');
  await expect(page.getByTestId('nav-public')).toBeVisible();
  await page.getByTestId('nav-public').click();
  await expect(page).toHaveURL(/\/public$/);
  await expect(page.getByTestId('public-page')).toBeVisible();
  await expect(page.getByTestId('headline-tickets')).toContainText(/\d|<\d/);
  await expect(page.getByTestId('public-rules')).toContainText('1000');
  await expect(page.getByTestId('public-streets').locator('tbody tr')).not.toHaveCount(0);
  await expect(page.getByTestId('public-departments').locator('tbody tr')).not.toHaveCount(0);
  await expect(page.getByTestId('public-trend').locator('svg path.line')).toHaveCount(3);
  const map = page.getByTestId('public-map');
  await expect(map).toHaveAttribute('data-loaded', 'true', { timeout: 60_000 });
  expect(Number(await map.getAttribute('data-count'))).toBeGreaterThan(0);
  await page.getByTestId('map-days-30').click();
  await expect(map).toHaveAttribute('data-loaded', 'true');
  expectNoPersonalData('/public', await page.content());

  await page.getByTestId('public-data-link').click();
  await expect(page.getByTestId('public-data-page')).toBeVisible();
  await expect(page.getByTestId('public-licence')).toContainText('CC-BY-4.0');
  for (const id of ['summary', 'streets', 'departments', 'trend', 'cells'])
    await expect(page.getByTestId(`dataset-${id}`)).toBeVisible();
  expectNoPersonalData('/public/data', await page.content());

  // Downloads parse.
  const hrefs = await page
    .getByTestId('download-link')
    .evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
  expect(hrefs.length).toBeGreaterThanOrEqual(6);
  for (const href of hrefs) {
    const res = await page.request.get(href);
    expect(res.status(), href).toBe(200);
    expect(res.headers()['cache-control']).toMatch(/^public, max-age=\d+$/);
    if (href.includes('.csv')) expect(parseCsvHeader(await res.body()).length, href).toBeGreaterThan(1);
    else {
      const fc = (await res.json()) as { type: string; features: { geometry: { type: string } }[] };
      expect(fc.type).toBe('FeatureCollection');
      expect(fc.features.every((f) => f.geometry.type === 'Polygon')).toBe(true);
    }
  }
  expect(foreignRequests).toEqual([]);
});

test('every link on the public pages answers without personal data', async ({ page, server, browser }) => {
  await seedReports(browser, server.url, server.password);

  const origin = new URL(server.url).origin;
  const seen = new Set<string>();
  const queue = ['/public', '/public/data'];
  while (queue.length) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const res = await page.request.get(path);
    expect(res.status(), path).toBeLessThan(400);
    expectNoPersonalData(path, await res.text());
    if (!path.startsWith('/public')) continue;
    // The page's own data endpoint too.
    const data = await page.request.get(`${path.replace(/\/$/, '')}/__data.json`);
    expect(data.status()).toBe(200);
    expectNoPersonalData(`${path}/__data.json`, await data.text());
    await page.goto(path);
    const links = await page
      .locator('a[href]')
      .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    for (const link of links) {
      const u = new URL(link);
      if (u.origin !== origin) continue;
      const local = u.pathname + u.search;
      // The public pages link to the login page and the operations pages behind it: those need no crawl.
      if (local.startsWith('/public') || local.startsWith('/api/public')) queue.push(local);
    }
  }
  for (const p of [
    '/api/public/summary',
    '/api/public/streets',
    '/api/public/departments',
    '/api/public/trend',
    '/api/public/cells',
    '/api/public/boundaries/streets',
    '/open311/v2/requests.json',
    '/open311/v2/requests.xml',
  ]) {
    if (seen.has(p)) continue;
    const res = await page.request.get(p);
    expect(res.status(), p).toBe(200);
    expectNoPersonalData(p, await res.text());
  }
  expect(seen.size).toBeGreaterThanOrEqual(10);
});
