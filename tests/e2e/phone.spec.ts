// Department staff in the field, on a phone (390×844): the console and the case pages fit the screen
// without sideways scrolling, the navigation folds into a menu button, cases are cards, and a staff member
// opens a case and signs for it with thumb-sized buttons.
import type { Page } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { signedInPage } from './support/sign-in';

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

/** Whether anything makes the page wider than the screen (which would mean scrolling sideways). */
async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** Smallest side of an element's box in CSS pixels. */
async function minSide(page: Page, selector: string): Promise<number> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not shown`);
  return Math.min(box.width, box.height);
}

test('staff open a case from the phone and sign for it', async ({ page, login, browser, server }) => {
  // A duty officer (at a desk) takes a call and dispatches it to the staff member's unit.
  await login('staff', '/cases');
  // The demo user's language is stored with the user: this test reads the Chinese labels.
  expect((await page.request.put('/api/me/language', { data: { language: 'zh-CN' } })).status()).toBe(200);
  const deptHref = await page.getByTestId('nav-department').getAttribute('href');
  const departmentId = Number(deptHref!.split('/').pop());
  const officer = await signedInPage(browser, server.url, 'officer', server.password, '/cases');
  const intake = await officer.request.post('/api/tickets', {
    data: {
      channel: 'phone',
      text: `手机测试：小区门口的路灯坏了好几天，晚上很黑 ${Date.now()}`,
      address: '我家楼下',
      category: 'city.sanitation',
    },
  });
  expect(intake.status()).toBe(201);
  const { caseCode } = await intake.json();
  const dispatched = await officer.request.post(`/api/cases/${caseCode}/actions`, {
    data: { action: 'dispatch', departmentId },
  });
  expect(dispatched.status()).toBe(200);
  await officer.context().close();

  // The console (map) fits the phone; the navigation is behind the menu button.
  await page.goto('/');
  await expect(page.getByTestId('map')).toBeVisible();
  expect(await horizontalOverflow(page)).toBe(0);
  const menu = page.getByTestId('menu-toggle');
  await expect(menu).toBeVisible();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByTestId('nav-cases')).toBeHidden();
  expect(await minSide(page, '[data-testid="menu-toggle"]')).toBeGreaterThanOrEqual(40);
  await menu.tap();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByTestId('nav-cases')).toBeVisible();
  expect(await minSide(page, '[data-testid="nav-cases"]')).toBeGreaterThanOrEqual(40);
  await page.getByTestId('nav-cases').tap();
  await page.waitForURL('**/cases');
  await expect(page.getByTestId('nav-cases')).toBeHidden(); // the menu closed after navigating

  // The queue: cards, no sideways scrolling, a code link big enough to tap.
  const card = page.locator(`tr[data-code="${caseCode}"]`);
  await expect(card).toBeVisible();
  expect(await horizontalOverflow(page)).toBe(0);
  await expect(page.locator('[data-testid="case-queue"] thead')).toBeHidden();
  const cardBox = (await card.boundingBox())!;
  expect(cardBox.width).toBeLessThanOrEqual(390);
  expect(await minSide(page, `tr[data-code="${caseCode}"] td.code a`)).toBeGreaterThanOrEqual(40);
  await expect(card).toContainText('已派单');
  await card.getByRole('link', { name: caseCode }).tap();
  await page.waitForURL(`**/cases/${caseCode}`);

  // The case page: fits, and the actions come first, as big buttons.
  await expect(page.getByTestId('case-state')).toHaveText('已派单');
  expect(await horizontalOverflow(page)).toBe(0);
  const sign = page.locator('[data-action="sign"]');
  await expect(sign).toBeInViewport();
  expect(await minSide(page, '[data-action="sign"]')).toBeGreaterThanOrEqual(40);
  expect(await minSide(page, '[data-action="return"]')).toBeGreaterThanOrEqual(40);
  await sign.tap();
  expect(await minSide(page, '[data-testid="action-submit"]')).toBeGreaterThanOrEqual(40);
  await page.getByTestId('action-submit').tap();
  await expect(page.getByTestId('case-state')).toHaveText('已签收');
  await expect(page.getByTestId('action-message')).toBeVisible();
  expect(await horizontalOverflow(page)).toBe(0);

  // Once signed, resolving and asking for more time are within reach too.
  for (const action of ['resolve', 'request_extension']) {
    await expect(page.locator(`[data-action="${action}"]`)).toBeVisible();
    expect(await minSide(page, `[data-action="${action}"]`)).toBeGreaterThanOrEqual(40);
  }
});

test('the phone layout in English fits too, and the menu closes with Escape', async ({ page, login }) => {
  await login('staff');
  await page.getByTestId('language-switch').tap();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  try {
    for (const path of ['/', '/cases']) {
      await page.goto(path);
      await expect(page.getByTestId('menu-toggle')).toBeVisible();
      expect(await horizontalOverflow(page), path).toBe(0);
    }
    await page.getByTestId('menu-toggle').tap();
    await expect(page.getByTestId('nav-cases')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('nav-cases')).toBeHidden();
  } finally {
    // The demo staff account is shared with other tests of this server: give it its default back.
    await page.request.put('/api/me/language', { data: { language: 'zh-CN' } });
  }
});
