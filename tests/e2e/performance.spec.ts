// Department performance in a real browser: cases handled through the APIs this month show up in the
// ranking and on the unit's page, whose explanations add up to its score; the meeting mode is driven by the
// keyboard; the printed report is a real PDF; staff see their own unit only.
import type { Browser } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { signedInPage } from './support/sign-in';
import type { TestServer } from './support/server';

/** The running Shanghai month, YYYY-MM (the pages take ?month=; the default is the last full month). */
const thisMonth = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);

/**
 * Cases the staff account's unit received, signed and resolved this month: the officer enters each report
 * (unplaced, so it waits in triage) and dispatches it; staff sign and resolve. Returns the unit's id.
 */
async function handledCases(browser: Browser, server: TestServer, n = 3): Promise<number> {
  const staff = await signedInPage(browser, server.url, 'staff', server.password, '/cases');
  const href = await staff.getByTestId('nav-my-performance').getAttribute('href');
  const departmentId = Number(href!.split('/').pop());
  const officer = await signedInPage(browser, server.url, 'officer', server.password, '/cases');
  for (let i = 0; i < n; i++) {
    const intake = await officer.request.post('/api/tickets', {
      data: {
        channel: 'phone',
        text: `绩效测试：楼道里的灯坏了第${i + 1}盏，晚上很黑 ${Date.now()}-${i}`,
        address: '我家楼下',
        category: 'city.sanitation',
      },
    });
    expect(intake.status()).toBe(201);
    const { caseCode } = await intake.json();
    const act = async (who: typeof staff, data: object) => {
      const res = await who.request.post(`/api/cases/${caseCode}/actions`, { data });
      expect(res.status(), await res.text()).toBe(200);
    };
    await act(officer, { action: 'dispatch', departmentId });
    await act(staff, { action: 'sign' });
    await act(staff, { action: 'resolve', note: '已修复，现场检查灯已亮' });
  }
  await staff.context().close();
  await officer.context().close();
  return departmentId;
}

test('the ranking shows this month’s units, and a unit’s explanations add up to its score', async ({
  page,
  login,
  browser,
  server,
}) => {
  const departmentId = await handledCases(browser, server);
  await login('leader', '/cases');
  await page.getByTestId('nav-performance').click();
  await page.waitForURL('**/performance');
  await expect(page.getByTestId('performance-month')).not.toHaveAttribute('data-value', thisMonth()); // last full month
  await page.goto(`/performance?month=${thisMonth()}`);

  const row = page.locator(`[data-testid="ranking-row"][data-department="${departmentId}"]`);
  await expect(row).toBeVisible();
  const score = Number(await row.getAttribute('data-score'));
  expect(score).toBeGreaterThan(0);
  await expect(page.getByTestId('performance-scheme')).toContainText('20');
  // One small multiple per key indicator; the unit's own resolutions make at least one of them bars.
  await expect(page.getByTestId('performance-kpis').locator('figure')).toHaveCount(4);
  await expect(page.getByTestId('kpi-bars').first().locator('rect').first()).toBeVisible();
  await expect(page.getByTestId('trend-chart').first().locator('svg')).toBeVisible();
  await expect(page.getByTestId('performance-csv')).toHaveAttribute('href', /export\.csv\?year=\d{4}/);

  await row.getByRole('link').click();
  await page.waitForURL(
    (u) => u.pathname === `/performance/${departmentId}` && u.search === `?month=${thisMonth()}`,
  );
  const total = Number(await page.getByTestId('unit-score').getAttribute('data-total'));
  expect(total).toBeCloseTo(score, 2);
  const items = page.getByTestId('score-item');
  expect(await items.count()).toBeGreaterThan(0);
  const earned = (
    await items.evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-earned'))))
  ).reduce((s, v) => s + v, 0);
  expect(earned).toBeCloseTo(total, 2);
  await expect(page.getByTestId('score-sum')).toHaveAttribute(
    'data-sum',
    String(Math.round(total * 100) / 100),
  );
  await expect(page.getByTestId('score-explanation').first()).not.toBeEmpty();
  await expect(page.getByTestId('unit-kpis')).toContainText('受理件数');
});

test('staff see their own unit’s explanations in their language and get 403 for another unit', async ({
  browser,
  server,
}) => {
  const departmentId = await handledCases(browser, server, 1);
  const staff = await signedInPage(browser, server.url, 'staff', server.password, '/cases');
  await staff.getByTestId('nav-my-performance').click();
  await staff.waitForURL(`**/performance/${departmentId}`);
  const api = await (await staff.request.get(`/api/performance/${departmentId}?month=${thisMonth()}`)).json();
  await staff.goto(`/performance/${departmentId}?month=${thisMonth()}`);
  await expect(staff.getByTestId('score-explanation').first()).toHaveText(api.score.items[0].explanation.zh);
  await staff.getByTestId('language-switch').click();
  await expect(staff.getByTestId('score-explanation').first()).toHaveText(api.score.items[0].explanation.en);
  // The choice is stored with the user: give the shared demo user back its Chinese for later tests.
  expect((await staff.request.put('/api/me/language', { data: { language: 'zh-CN' } })).status()).toBe(200);

  const other = await staff.goto(`/performance/${departmentId + 1}`);
  expect(other!.status()).toBe(403);
  // The ranking is not theirs either: they land on their own unit.
  await staff.goto('/performance');
  await staff.waitForURL((u) => u.pathname === `/performance/${departmentId}` && u.searchParams.has('month'));
  await staff.context().close();
});

test('meeting mode covers the app and follows the keyboard', async ({ page, login }) => {
  await login('leader', '/cases');
  await page.goto(`/performance?month=${thisMonth()}`);
  await page.getByTestId('performance-meeting').click();
  await page.waitForURL((u) => u.pathname === '/performance/meeting');
  const indicator = page.getByTestId('meeting-step');
  await expect(page.getByTestId('meeting-headline')).toBeVisible();
  const total = Number((await indicator.textContent())!.split('/')[1]);
  expect(total).toBeGreaterThanOrEqual(4);
  await expect(indicator).toHaveText(`1 / ${total}`);
  // The overlay, not the app's header, is what sits at the top left corner.
  const covered = await page.evaluate(
    () => document.elementFromPoint(10, 10)?.closest('[data-testid="meeting"]') !== null,
  );
  expect(covered).toBe(true);

  await page.keyboard.press('ArrowRight');
  await expect(indicator).toHaveText(`2 / ${total}`);
  await expect(page.getByTestId('meeting-ranking')).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(indicator).toHaveText(`1 / ${total}`);
  await page.keyboard.press('End');
  await expect(indicator).toHaveText(`${total} / ${total}`);
  await page.keyboard.press('Home');
  await page.keyboard.press('3');
  await expect(indicator).toHaveText(`3 / ${total}`);
  await page.keyboard.press('Escape');
  await page.waitForURL((u) => u.pathname === '/performance');
});

test('the report prints to a PDF without the app chrome', async ({ page, login, browser, server }) => {
  await handledCases(browser, server, 1);
  await login('leader', '/cases');
  await page.goto(`/performance?month=${thisMonth()}`);
  await expect(page.getByTestId('ranking-row').first()).toBeVisible();
  await expect(page.getByTestId('trend-chart').first().locator('svg')).toBeVisible();
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('header.top')).toBeHidden();
  await expect(page.getByTestId('performance-print')).toBeHidden();
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
  expect(pdf.length).toBeGreaterThan(10_000);
});
