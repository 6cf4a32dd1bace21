// `npm run docs:screenshots`: starts the production build on a fresh embedded database (the demo city with
// its history, as `npm start` makes it), signs in as each role and photographs the main screens for the
// README's tour into docs/tour/. Needs `npm run build` first and Chromium (CHROMIUM_PATH or /usr/bin/chromium).
import { chromium, type Browser, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { startTestServer, type TestServer } from '../tests/e2e/support/server';

const OUT = 'docs/tour';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function signedIn(browser: Browser, server: TestServer, role: string, lang: 'zh-CN' | 'en') {
  const context = await browser.newContext({
    baseURL: server.url,
    locale: lang,
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1440, height: 900 },
  });
  const page = await context.newPage();
  await page.goto('/login?next=/cases');
  await page.locator('input[name="username"]').fill(role);
  await page.locator('input[name="password"]').fill(server.password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.locator('form button[type="submit"]').click(),
  ]);
  return page;
}

async function shot(page: Page, path: string, name: string, wait: () => Promise<unknown>) {
  const t0 = Date.now();
  await page.goto(path);
  await wait();
  await page.waitForTimeout(1500); // transitions and charts settle
  await page.screenshot({ path: `${OUT}/${name}.png` });
  console.log(`${name.padEnd(12)} ${path.padEnd(28)} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const t0 = Date.now();
  const server = await startTestServer(
    {
      DEMO_SENSOR_COUNT: process.env.DEMO_SENSOR_COUNT ?? '20000',
      DEMO_HISTORY_DAYS: process.env.DEMO_HISTORY_DAYS ?? '395',
      SIM_TICK_MS: '1000',
      SIM_FAULTS_PER_SENSOR_HOUR: '',
      SIM_DESK_WORKERS: 'true',
      LOG_LEVEL: 'info',
    },
    { embedded: true },
  );
  console.log(`server ready after ${((Date.now() - t0) / 1000).toFixed(1)} s at ${server.url}`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
  try {
    // Let the live city run a minute: the desk workers pick up the newest cases, alarms come and go.
    await new Promise((r) => setTimeout(r, 60_000));
    const leader = await signedIn(browser, server, 'leader', 'zh-CN');
    const mapReady = () =>
      leader.waitForFunction(() => window.__citynerve?.ready() === true, null, { timeout: 120_000 });
    await shot(leader, '/', 'map', mapReady);
    await shot(leader, '/hotspots', 'hotspots', () => leader.getByTestId('hotspot-list').waitFor());
    await shot(leader, '/problems', 'problems', () => leader.getByTestId('problems-table').waitFor());
    await shot(leader, '/allocation', 'allocation', () => leader.getByTestId('load-chart').waitFor());
    await shot(leader, '/performance', 'performance', () =>
      leader.getByTestId('performance-ranking').waitFor(),
    );
    await shot(leader, '/performance/meeting', 'meeting', () => leader.waitForLoadState('networkidle'));
    await shot(leader, '/public', 'public', () => leader.getByTestId('public-page').waitFor());
    const officer = await signedIn(browser, server, 'officer', 'zh-CN');
    await shot(officer, '/cases', 'cases', () => officer.locator('tr[data-code]').first().waitFor());
    const code = await officer.locator('tr[data-code]').first().getAttribute('data-code');
    await shot(officer, `/cases/${code}`, 'case', () => officer.waitForLoadState('networkidle'));
    const en = await signedIn(browser, server, 'officer', 'en');
    await shot(en, '/cases', 'cases-en', () => en.locator('tr[data-code]').first().waitFor());
    // The wall is a 1920×1080 kiosk signed in with a display token.
    const admin = await signedIn(browser, server, 'admin', 'zh-CN');
    const res = await admin.request.post('/api/admin/display-tokens', { data: { name: 'tour' } });
    const { token } = (await res.json()) as { token: string };
    const wall = await (
      await browser.newContext({
        baseURL: server.url,
        viewport: { width: 1920, height: 1080 },
        locale: 'zh-CN',
      })
    ).newPage();
    await shot(wall, `/wall/connect?token=${encodeURIComponent(token)}&scenes=city&seconds=600`, 'wall', () =>
      wall.waitForFunction(() => window.__citynerve?.ready() === true, null, { timeout: 120_000 }),
    );
    const phone = await (
      await browser.newContext({
        baseURL: server.url,
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        locale: 'zh-CN',
      })
    ).newPage();
    await phone.goto('/login?next=/cases');
    await phone.locator('input[name="username"]').fill('staff');
    await phone.locator('input[name="password"]').fill(server.password);
    await Promise.all([
      phone.waitForURL((u) => u.pathname === '/cases'),
      phone.locator('form button[type="submit"]').click(),
    ]);
    await shot(phone, '/cases', 'phone', () => phone.waitForLoadState('networkidle'));
  } finally {
    await browser.close();
    await server.dispose();
  }
}

await main();
