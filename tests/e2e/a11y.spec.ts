// Accessibility in a real browser: axe-core (WCAG 2.0/2.1 A and AA rules) finds no serious or critical
// problem on the main pages, in both languages and on a phone; and the console, the case page and the
// meeting deck can be worked with the keyboard alone.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import type { AxeResults } from 'axe-core';
import { test, expect, waitForMap } from './support/fixtures';
import { signedInPage } from './support/sign-in';
import { createDisplayToken, openWall } from './support/wall';

/** axe-core from node_modules, evaluated in the page: nothing is fetched from elsewhere. It is evaluated
 * through DevTools rather than added as a script tag, which the page's Content-Security-Policy refuses
 * (rightly: it is inline script without the bootstrap's nonce). */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The serious and critical violations on the page, one line per element, ready to read in a failure. */
async function axeProblems(page: Page, exclude: string[] = []): Promise<string[]> {
  await page.evaluate(AXE);
  const results = await page.evaluate(
    async ({ tags, exclude }) => {
      const axe = (window as unknown as { axe: { run: (...a: unknown[]) => Promise<AxeResults> } }).axe;
      const context = exclude.length ? { exclude: exclude.map((s) => [s]) } : document;
      return axe.run(context, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    },
    { tags: WCAG_TAGS, exclude },
  );
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map(
        (n) => `${v.id} (${v.impact}) ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ')}`,
      ),
    );
}

/** A case of our own for the staff member's unit, dispatched, so the case pages have something to show. */
async function dispatchedCase(page: Page, departmentId: number): Promise<string> {
  const intake = await page.request.post('/api/tickets', {
    data: {
      channel: 'phone',
      text: `无障碍测试：小区门口的垃圾桶满了好几天没人清运 ${Date.now()}`,
      address: '我家楼下',
      category: 'city.sanitation',
    },
  });
  expect(intake.status()).toBe(201);
  const { caseCode } = await intake.json();
  const res = await page.request.post(`/api/cases/${caseCode}/actions`, {
    data: { action: 'dispatch', departmentId },
  });
  expect(res.status()).toBe(200);
  return caseCode;
}

async function staffDepartment(page: Page): Promise<number> {
  const href = await page.getByTestId('nav-department').getAttribute('href');
  return Number(href!.split('/').pop());
}

// The map's canvas is drawn by WebGL and has no text for axe to check; its container is a labelled region
// and everything the map shows is also in the legend, filters and alarm list, which axe does check. The
// canvas is left out for that reason only (axe would otherwise time out sampling colours behind it).
const MAP_CANVAS = ['canvas.maplibregl-canvas'];

test('no serious or critical axe violations on the public pages and the login page', async ({ page }) => {
  await page.goto('/login');
  expect(await axeProblems(page)).toEqual([]);
  await page.goto('/public');
  await expect(page.getByTestId('public-streets')).toBeVisible();
  expect(await axeProblems(page, MAP_CANVAS)).toEqual([]);
});

test('the wall has sufficient contrast and no other serious axe violation, live and when stale', async ({
  page,
  browser,
  server,
}) => {
  test.setTimeout(120_000);
  const { token, admin } = await createDisplayToken(browser, server, 'a11y');
  await admin.context().close();
  // Paused on the whole district, so nothing moves while axe samples the colours; the stale banner after
  // 2 s of silence is checked as well (the server's heartbeats stop when the socket is cut from here).
  await openWall(page, token, 'scenes=city&seconds=600&stale=2');
  await page.keyboard.press('Space');
  await expect(page.getByTestId('wall-pause')).toHaveAttribute('aria-pressed', 'true');
  expect(await axeProblems(page, MAP_CANVAS), '/wall').toEqual([]);
  await page.context().setOffline(true);
  await expect(page.getByTestId('wall')).toHaveAttribute('data-stale', 'true', { timeout: 20_000 });
  expect(await axeProblems(page, MAP_CANVAS), '/wall, stale').toEqual([]);
  await page.context().setOffline(false);
});

test('no serious or critical axe violations on the console, the case pages and performance', async ({
  page,
  login,
  browser,
  server,
}) => {
  // Seven pages in two browsers, with the WebGL map drawn in software: give it time on a busy machine.
  test.setTimeout(240_000);
  const staff = await signedInPage(browser, server.url, 'staff', server.password, '/cases');
  const departmentId = await staffDepartment(staff);
  await staff.context().close();

  await login('officer', '/cases');
  const code = await dispatchedCase(page, departmentId);
  await page.goto('/');
  await waitForMap(page);
  expect(await axeProblems(page, MAP_CANVAS), 'map page').toEqual([]);

  await page.goto('/cases');
  await expect(page.locator(`tr[data-code="${code}"]`)).toBeVisible();
  expect(await axeProblems(page, MAP_CANVAS), '/cases').toEqual([]);

  await page.goto(`/cases/${code}`);
  await expect(page.getByTestId('case-state')).toBeVisible();
  // With an action form open, too: its fields must be labelled.
  await page.locator('[data-testid="case-actions"] [data-action]').first().click();
  await expect(page.getByTestId('action-form')).toBeVisible();
  expect(await axeProblems(page, MAP_CANVAS), 'case page').toEqual([]);

  // English labels are checked as well (names, headings and contrast do not depend on the language, but
  // missing English strings would show up as empty names).
  await page.getByTestId('language-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  try {
    await page.goto('/cases');
    await expect(page.locator(`tr[data-code="${code}"]`)).toBeVisible();
    expect(await axeProblems(page, MAP_CANVAS), '/cases in English').toEqual([]);
  } finally {
    await page.request.put('/api/me/language', { data: { language: 'zh-CN' } });
  }

  const leader = await signedInPage(browser, server.url, 'leader', server.password, '/cases');
  await leader.goto('/performance');
  await expect(leader.getByTestId('ranking-row').first()).toBeVisible();
  await expect(leader.getByTestId('trend-chart').first().locator('svg')).toBeVisible();
  expect(await axeProblems(leader), '/performance').toEqual([]);
  await leader.goto('/performance/meeting');
  await expect(leader.getByTestId('meeting-headline')).toBeVisible();
  expect(await axeProblems(leader), '/performance/meeting').toEqual([]);
  await leader.keyboard.press('ArrowRight');
  await expect(leader.getByTestId('meeting-ranking')).toBeVisible();
  expect(await axeProblems(leader), 'meeting ranking').toEqual([]);
  await leader.context().close();
});

test('no serious or critical axe violations on a phone (staff)', async ({ browser, server }) => {
  const context = await browser.newContext({
    baseURL: server.url,
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const officer = await signedInPage(browser, server.url, 'officer', server.password, '/cases');
  const page = await context.newPage();
  await page.goto('/login');
  await page.locator('input[name="username"]').fill('staff');
  await page.locator('input[name="password"]').fill(server.password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.getByTestId('login-submit').tap(),
  ]);
  await page.getByTestId('menu-toggle').tap();
  const code = await dispatchedCase(officer, await staffDepartment(page));
  await officer.context().close();
  expect(await axeProblems(page, MAP_CANVAS), 'map page, menu open').toEqual([]);
  await page.goto('/cases');
  await expect(page.locator(`tr[data-code="${code}"]`)).toBeVisible();
  expect(await axeProblems(page, MAP_CANVAS), '/cases on a phone').toEqual([]);
  await page.goto(`/cases/${code}`);
  await expect(page.getByTestId('case-state')).toBeVisible();
  expect(await axeProblems(page, MAP_CANVAS), 'case page on a phone').toEqual([]);
  await context.close();
});

/** Presses Tab until `selector` has the focus (at most `max` times); fails naming what had it instead. */
async function tabTo(page: Page, selector: string, max = 60, key = 'Tab'): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (
      await page
        .locator(selector)
        .evaluate((el) => el === document.activeElement)
        .catch(() => false)
    )
      return;
    await page.keyboard.press(key);
  }
  const at = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
  throw new Error(`${selector} never got the focus with ${key}; it is on ${at}`);
}

/** Whether the focused element shows a focus ring (an outline, or one on its chip for checkboxes). */
async function focusVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || !el.matches(':focus-visible')) return false;
    const ring = (e: Element | null) => !!e && getComputedStyle(e).outlineStyle !== 'none';
    return ring(el) || ring(el.closest('label'));
  });
}

test('the case console and a case are worked with the keyboard alone', async ({
  page,
  login,
  browser,
  server,
}) => {
  const staff = await signedInPage(browser, server.url, 'staff', server.password, '/cases');
  const departmentId = await staffDepartment(staff);
  await staff.context().close();
  await login('officer', '/cases');
  const intake = await page.request.post('/api/tickets', {
    data: {
      channel: 'phone',
      text: `键盘测试：路口井盖松动，车辆经过有响声 ${Date.now()}`,
      address: '我家楼下',
    },
  });
  const { caseCode: code } = await intake.json();

  await page.goto('/cases');
  await expect(page.getByTestId('case-queue')).toBeVisible();
  // The first Tab reaches the skip link, which jumps past the navigation.
  await page.keyboard.press('Tab');
  const skip = page.locator('a.skip');
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();

  // Filters: a state picked with the arrow keys, the triage box with Space, a search typed and sent.
  await tabTo(page, '[data-testid="filter-state"]');
  expect(await focusVisible(page)).toBe(true);
  await page.keyboard.press('ArrowDown');
  await expect(page).toHaveURL(/state=received/);
  await tabTo(page, '[data-testid="filter-triage"]');
  expect(await focusVisible(page)).toBe(true);
  await page.keyboard.press('Space');
  await expect(page.getByTestId('filter-triage')).toBeChecked();
  await expect(page).toHaveURL(/triage=true/);
  await tabTo(page, '[data-testid="filter-q"]');
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-testid="case-queue"] tbody tr')).toHaveCount(1);

  // Into the list and onto the case.
  await tabTo(page, `tr[data-code="${code}"] a`);
  expect(await focusVisible(page)).toBe(true);
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/cases/${code}`);

  // Dispatch it: the action button, the department list (arrow keys), the note, submit.
  await tabTo(page, '[data-action="dispatch"]');
  expect(await focusVisible(page)).toBe(true);
  await page.keyboard.press('Enter');
  await tabTo(page, '[data-testid="action-department"]');
  const options = await page
    .getByTestId('action-department')
    .locator('option:not([disabled])')
    .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
  for (let i = 0; i <= options.indexOf(String(departmentId)); i++) await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('action-department')).toHaveValue(String(departmentId));
  await tabTo(page, '[data-testid="action-note"]');
  await page.keyboard.type('键盘派单');
  await tabTo(page, '[data-testid="action-submit"]');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('case-state')).toHaveText('已派单');
});

test('the map console’s filters and search work from the keyboard', async ({ page, login }) => {
  await login('officer');
  await waitForMap(page);
  const sensor = await (await page.request.get('/api/sensors/1')).json();

  const family = `[data-testid="filter-family-${sensor.family}"]`;
  await tabTo(page, family);
  expect(await focusVisible(page)).toBe(true);
  const before = await page.getByTestId('filtered-shown').textContent();
  await page.keyboard.press('Space');
  await expect(page.locator(family)).not.toBeChecked();
  await expect(page.getByTestId('filtered-shown')).not.toHaveText(before!);
  await page.keyboard.press('Space');
  await expect(page.locator(family)).toBeChecked();
  await expect(page.getByTestId('filtered-shown')).toHaveText(before!);

  // The search box comes next in the tab order.
  await tabTo(page, '[data-testid="sensor-search"]');
  expect(await focusVisible(page)).toBe(true);
  await page.keyboard.type(sensor.code);
  await page.keyboard.press('Enter');
  const panel = page.getByTestId('sensor-panel');
  await expect(panel.getByTestId('sensor-code')).toHaveText(sensor.code);
  await page.keyboard.press('Escape');
  await expect(panel.getByTestId('sensor-code')).toBeHidden();
});

test('the meeting deck is driven by the keyboard, and its agenda and buttons by Tab', async ({
  page,
  login,
}) => {
  await login('leader', '/cases');
  await page.goto('/performance/meeting');
  const indicator = page.getByTestId('meeting-step');
  await expect(page.getByTestId('meeting-headline')).toBeVisible();
  const total = Number((await indicator.textContent())!.split('/')[1]);

  // Space and the arrow keys step through the deck.
  await page.keyboard.press('Space');
  await expect(indicator).toHaveText(`2 / ${total}`);
  await page.keyboard.press('ArrowRight');
  await expect(indicator).toHaveText(`3 / ${total}`);
  await page.keyboard.press('ArrowLeft');
  await expect(indicator).toHaveText(`2 / ${total}`);

  // Tab stays on the deck: the app's header underneath is out of the tab order.
  const agenda = page.locator('[data-testid="meeting"] nav button');
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab');
    const inDeck = await page.evaluate(
      () => document.activeElement?.closest('[data-testid="meeting"]') !== null,
    );
    expect(inDeck, 'focus went under the deck').toBe(true);
    expect(await focusVisible(page)).toBe(true);
  }
  // Enter and Space on an agenda entry open that step (and leave the focus there).
  await tabTo(page, '[data-testid="meeting"] nav li:nth-child(4) button');
  await page.keyboard.press('Enter');
  await expect(indicator).toHaveText(`4 / ${total}`);
  await expect(agenda.nth(3)).toHaveAttribute('aria-current', 'step');
  await tabTo(page, '[data-testid="meeting"] nav li:nth-child(1) button', 10, 'Shift+Tab');
  await page.keyboard.press('Space');
  await expect(indicator).toHaveText(`1 / ${total}`);
  // The leave button is pressed with Space like any button.
  await tabTo(page, '[data-testid="meeting-leave"]', 20, 'Shift+Tab');
  await page.keyboard.press('Space');
  await page.waitForURL((u) => u.pathname === '/performance');
});
