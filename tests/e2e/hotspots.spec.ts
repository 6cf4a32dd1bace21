// The hot-spot page with data: a cluster of reports entered through intake shows as a significant cell on
// the deck.gl layer and at the top of the ranked list, and its reports open below.
import { test, expect } from './support/fixtures';

test('a cluster of reports shows up on the hot-spot layer and list, with its reports', async ({
  page,
  login,
}) => {
  await login('officer', '/cases');
  // 24 reports within a few dozen metres in 大宁路街道 (Jing'an), through the real intake path.
  for (let i = 0; i < 24; i++) {
    const res = await page.request.post('/api/tickets', {
      data: {
        channel: 'phone',
        text: `广中西路工地夜里施工，电锯声吵得睡不着，第${i + 1}次反映`,
        lon: 121.4486 + (i % 4) * 0.0001,
        lat: 31.28997 + (i % 3) * 0.0001,
        category: 'construction.site',
      },
    });
    expect(res.status()).toBe(201);
  }
  await page.getByTestId('nav-hotspots').click();
  await page.waitForURL('**/hotspots');
  const list = page.getByTestId('hotspot-list');
  await expect(list).toBeVisible();
  const first = list.locator('tbody tr').first();
  await expect(first).toHaveAttribute('data-trend', 'new');
  await expect(first).toContainText('大宁路街道');
  await expect(page.getByTestId('hotspot-map')).toHaveAttribute('data-loaded', 'true');
  expect(Number(await page.getByTestId('hotspot-map').getAttribute('data-count'))).toBeGreaterThan(0);
  await expect(page.getByTestId('hotspot-summary')).toContainText('显著热点');

  await first.click();
  const reports = page.getByTestId('hotspot-reports');
  await expect(reports).toContainText('电锯声');
  await expect(reports.locator('li')).not.toHaveCount(0);

  // The window control recomputes.
  await page.getByTestId('hotspot-window').getByText('近 1 天').click();
  await expect(first).toContainText('大宁路街道');
});
