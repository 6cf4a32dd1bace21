// Common problems and the leaders' brief in a real browser: repeated reports of one pothole, entered by
// the hotline operator, show up as one problem on the leaders' map brief and in the panel, with drill-down.
import { test, expect } from './support/fixtures';

test('repeated reports become a common problem on the leaders’ brief and panel', async ({
  page,
  login,
  browser,
  server,
}) => {
  const desk = await browser.newContext({ baseURL: server.url });
  const officer = await desk.newPage();
  await officer.goto('/login?next=/cases');
  await officer.locator('input[name="username"]').fill('officer');
  await officer.locator('input[name="password"]').fill(server.password);
  await Promise.all([
    officer.waitForURL((u) => !u.pathname.startsWith('/login')),
    officer.locator('form button[type="submit"]').click(),
  ]);
  const texts = [
    '临汾路375号门口人行道有个大坑，晚上看不见',
    '临汾路375号人行道上的大坑还没人修，老人差点摔倒',
    '临汾路375号附近人行道大坑，下雨积水更危险',
    '临汾路375号门口的坑又大了，请尽快修复人行道',
  ];
  for (const [i, text] of texts.entries()) {
    const res = await officer.request.post('/api/tickets', {
      data: {
        channel: 'phone',
        text,
        lon: 121.45692 + i * 0.0001,
        lat: 31.31464,
        category: 'construction.roads',
      },
    });
    expect(res.status()).toBe(201);
  }
  await desk.close();

  await login('leader');
  const brief = page.getByTestId('leader-brief');
  await expect(brief).toBeVisible();
  await expect(page.getByTestId('leader-problems')).toContainText('临汾路');

  await page.getByTestId('nav-problems').click();
  await page.waitForURL('**/problems');
  // Other tests on this server report on 临汾路 too: pick the row of this category (道路设施) there.
  const row = page
    .getByTestId('problems-table')
    .locator('tbody tr', { hasText: '道路设施' })
    .filter({ hasText: '临汾路' })
    .first();
  await expect(row).toBeVisible();
  expect(Number(await row.getAttribute('data-size'))).toBeGreaterThanOrEqual(4);
  await row.click();
  const detail = page.getByTestId('problem-detail');
  // The four reports (the simulator's calls elsewhere in the street may join a problem, never these).
  await expect(detail.getByTestId('problem-tickets').locator('li', { hasText: '临汾路375号' })).toHaveCount(
    4,
  );
  await expect(detail).toContainText('大坑');
  await page.getByTestId('problems-sort').selectOption('growth');
  await expect(page.getByTestId('problems-table')).toBeVisible();
});
