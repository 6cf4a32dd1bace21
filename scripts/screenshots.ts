// `npm run docs:screenshots`: starts the production build on a fresh embedded database (the demo city with
// its history, as `npm start` makes it), signs in as each role and photographs the main screens for the
// README's tour into docs/tour/ (Chinese, 1440×900, JPEG). Needs `npm run build` first and Chromium
// (CHROMIUM_PATH or /usr/bin/chromium).
//   TOUR_AUDIT=dir   also photographs every screen in English and on a phone (390×844), into dir
//   TOUR_URL=url     photographs a server that is already running instead (its demo password: DEMO_PASSWORD)
import { chromium, type Browser, type BrowserContextOptions, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { startTestServer } from '../tests/e2e/support/server';

const OUT = 'docs/tour';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

type Lang = 'zh-CN' | 'en';
type Role = 'leader' | 'officer' | 'admin';

interface Target {
  url: string;
  password: string;
}

/** One way of looking: the language, the screen, and where the pictures go. */
interface Look {
  lang: Lang;
  phone: boolean;
  dir: string;
}

function contextOptions(target: Target, look: Look): BrowserContextOptions {
  return {
    baseURL: target.url,
    locale: look.lang,
    timezoneId: 'Asia/Shanghai',
    viewport: look.phone ? PHONE : DESKTOP,
    ...(look.phone ? { deviceScaleFactor: 2, isMobile: true, hasTouch: true } : {}),
  };
}

/** A browser signed in as `role`, speaking `look.lang` (the user's stored language wins over the browser's). */
async function signedIn(browser: Browser, target: Target, role: Role, look: Look): Promise<Page> {
  const page = await newPage(browser, target, look);
  await page.goto('/login?next=/cases');
  await page.locator('input[name="username"]').fill(role);
  await page.locator('input[name="password"]').fill(target.password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.locator('form button[type="submit"]').click(),
  ]);
  const res = await page.request.put('/api/me/language', { data: { language: look.lang } });
  if (!res.ok()) throw new Error(`language switch failed: ${res.status()} ${await res.text()}`);
  return page;
}

/** A fresh browser that speaks `look.lang` before anyone signs in (the `lang` cookie). */
async function newPage(
  browser: Browser,
  target: Target,
  look: Look,
  extra: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext({ ...contextOptions(target, look), ...extra });
  // The embedded database answers one query at a time: a heavy page may keep the next one waiting.
  context.setDefaultTimeout(120_000);
  const u = new URL(target.url);
  await context.addCookies([{ name: 'lang', value: look.lang, domain: u.hostname, path: '/' }]);
  return context.newPage();
}

/**
 * Opens `path`, waits for `wait` and for the answers to the requests named in `fetches` (a map draws its
 * outlines only once they arrive, which may be after the page went quiet once), and photographs it.
 */
async function shot(
  page: Page,
  look: Look,
  path: string,
  name: string,
  wait: () => Promise<unknown>,
  fetches: string[] = [],
) {
  const t0 = Date.now();
  const answers = fetches.map((part) =>
    page.waitForResponse((r) => r.url().includes(part), { timeout: 120_000 }),
  );
  await page.goto(path);
  await wait();
  await Promise.all(answers);
  // Maps and charts fetch their data after the page is up; a page with a live socket never goes idle.
  await page.waitForLoadState('networkidle', { timeout: 30_000 }).catch(() => {});
  await page.waitForTimeout(2000); // transitions and charts settle
  await page.screenshot({ path: `${look.dir}/${name}.jpg`, type: 'jpeg', quality: 80 });
  const took = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`${look.dir}/${name}.jpg`.padEnd(44), path.slice(0, 40).padEnd(42), `${took} s`);
}

/** The ten main screens, in the order the README shows them. */
async function tour(browser: Browser, target: Target, look: Look) {
  mkdirSync(look.dir, { recursive: true });
  const leader = await signedIn(browser, target, 'leader', look);
  const mapReady = () =>
    leader.waitForFunction(() => window.__citynerve?.ready() === true, null, { timeout: 120_000 });
  await shot(leader, look, '/', 'map', mapReady);

  // The wall is a 1920×1080 kiosk signed in with a display token; photographed at 3/4 scale (1440×810).
  const admin = await signedIn(browser, target, 'admin', look);
  const res = await admin.request.post('/api/admin/display-tokens', {
    data: { name: look.lang === 'en' ? 'Control room' : '指挥大厅' },
  });
  if (!res.ok()) throw new Error(`display token: ${res.status()} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  const wall = await newPage(
    browser,
    target,
    look,
    look.phone ? {} : { viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 0.75 },
  );
  await shot(
    wall,
    look,
    `/wall/connect?token=${encodeURIComponent(token)}&scenes=city&seconds=600`,
    'wall',
    () => wall.waitForFunction(() => window.__citynerve?.ready() === true, null, { timeout: 120_000 }),
  );
  await admin.context().close();
  await wall.context().close();

  const officer = await signedIn(browser, target, 'officer', look);
  await shot(officer, look, '/cases', 'cases', () => officer.locator('tr[data-code]').first().waitFor());
  // A case in hand (signed, being handled) shows a running deadline and the actions on it.
  const open = officer.locator('tr[data-code][data-state="in_progress"]').first();
  const row = (await open.count()) > 0 ? open : officer.locator('tr[data-code]').first();
  const code = await row.getAttribute('data-code');
  await shot(officer, look, `/cases/${code}`, 'case', () => officer.getByTestId('case-page').waitFor());
  await officer.context().close();

  await shot(leader, look, '/hotspots', 'hotspots', () => leader.getByTestId('hotspot-list').waitFor(), [
    '/api/map/boundaries',
  ]);
  await shot(leader, look, '/problems', 'problems', () => leader.getByTestId('problems-table').waitFor());
  await shot(leader, look, '/allocation', 'allocation', () => leader.getByTestId('load-chart').waitFor());
  await shot(leader, look, '/performance', 'performance', () =>
    leader.getByTestId('performance-ranking').waitFor(),
  );
  await shot(leader, look, '/performance/meeting', 'meeting', () =>
    leader.getByTestId('meeting-headline').waitFor(),
  );
  await leader.context().close();

  const citizen = await newPage(browser, target, look);
  await shot(
    citizen,
    look,
    '/public',
    'public',
    () => citizen.locator('[data-testid="public-map"][data-loaded="true"]').waitFor(),
    ['/api/public/boundaries/streets', '/api/public/boundaries/districts'],
  );
  await citizen.context().close();
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const t0 = Date.now();
  const server = process.env.TOUR_URL
    ? null
    : await startTestServer(
        {
          DEMO_SENSOR_COUNT: process.env.DEMO_SENSOR_COUNT ?? '20000',
          DEMO_HISTORY_DAYS: process.env.DEMO_HISTORY_DAYS ?? '395',
          SIM_TICK_MS: '1000',
          SIM_FAULTS_PER_SENSOR_HOUR: '',
          SIM_DESK_WORKERS: 'true',
          LOG_LEVEL: 'info',
        },
        // The demo past is made on first start: about 1.5 min on two free cores.
        { embedded: true, startTimeoutMs: 600_000 },
      );
  const target: Target = server
    ? { url: server.url, password: server.password }
    : { url: process.env.TOUR_URL!, password: process.env.DEMO_PASSWORD ?? 'citynerve-demo' };
  console.log(`server ready after ${((Date.now() - t0) / 1000).toFixed(1)} s at ${target.url}`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
  try {
    // Let the live city run a minute: the desk workers pick up the newest cases, alarms come and go.
    if (server) await new Promise((r) => setTimeout(r, 60_000));
    await tour(browser, target, { lang: 'zh-CN', phone: false, dir: OUT });
    const audit = process.env.TOUR_AUDIT;
    if (audit) {
      await tour(browser, target, { lang: 'en', phone: false, dir: `${audit}/en` });
      await tour(browser, target, { lang: 'zh-CN', phone: true, dir: `${audit}/phone-zh` });
      await tour(browser, target, { lang: 'en', phone: true, dir: `${audit}/phone-en` });
    }
    // The demo accounts speak Chinese again afterwards.
    for (const role of ['leader', 'officer', 'admin'] as const)
      await (
        await signedIn(browser, target, role, { lang: 'zh-CN', phone: false, dir: OUT })
      )
        .context()
        .close();
  } finally {
    await browser.close();
    await server?.dispose();
  }
}

await main();
