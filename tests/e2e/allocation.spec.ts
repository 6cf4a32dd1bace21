// The resource-allocation page in a real browser: the two d3 charts draw, a what-if computes a projection
// and shows the server's refusal inline, a leader accepts a recommendation (or sees that there is none),
// and department staff are refused.
import type { AllocationResponse } from '../../src/lib/api/allocation';
import { test, expect } from './support/fixtures';

test('a duty officer sees the load chart and a what-if projection; bad input is refused inline', async ({
  page,
  login,
}) => {
  await login('officer', '/cases');
  await page.getByTestId('nav-allocation').click();
  await page.waitForURL('**/allocation');

  // Every unit has a capacity, so the load chart always has rows, even on a fresh city.
  const chart = page.getByTestId('load-chart');
  await expect(chart).toBeVisible();
  expect(await chart.locator('[data-testid="load-row"] rect.capacity').count()).toBeGreaterThan(0);
  await expect(page.getByTestId('allocation-stats')).toContainText('预计逾期');
  // The forecast needs full days of history: a fresh city has none, and the panel says so.
  const forecast = page.getByTestId('demand-chart');
  if (await forecast.count()) {
    await expect(forecast.locator('path.line.actual')).toHaveAttribute('d', /M/);
  } else {
    await expect(page.getByText('暂无街道需求数据')).toBeVisible();
  }
  // Duty officers may look but not decide.
  await expect(page.getByTestId('rec-accept')).toHaveCount(0);

  const whatIf = page.getByTestId('what-if');
  const row = whatIf.getByTestId('whatif-row').first();
  const input = row.getByTestId('whatif-staff');
  const staff = Number(await input.inputValue());
  await input.fill(String(staff + 3));
  await whatIf.getByTestId('whatif-compute').click();
  await expect(whatIf.getByTestId('whatif-total')).toContainText('合计预计逾期');
  await expect(row.getByTestId('whatif-projected')).toHaveText(/^\s*\d+(\.\d)?\s*$/);
  await expect(whatIf.getByTestId('whatif-save')).toHaveCount(0); // admins only

  await input.fill('-1');
  await whatIf.getByTestId('whatif-compute').click();
  await expect(whatIf.getByTestId('whatif-error')).toContainText('changes.0.staff: must be 0 or more');
});

test('a leader accepts a recommendation and it is recorded with who and when', async ({ page, login }) => {
  await login('leader', '/cases');
  await page.goto('/allocation');
  await expect(page.getByTestId('load-chart')).toBeVisible();

  const moves = page.getByTestId('rec-move');
  const buttons = page.getByTestId('rec-accept');
  if ((await moves.count()) === 0) {
    await expect(page.getByTestId('recs-empty')).toHaveText(/当前负荷均衡，没有需要调配的人员|个单位超负荷/);
  }
  if ((await buttons.count()) === 0) {
    await expect(page.getByTestId('decisions-empty')).toBeVisible();
    return;
  }
  const first = page.locator('tr:has([data-testid="rec-accept"])').first();
  await first.locator('input').fill('先试两周');
  await first.getByTestId('rec-accept').click();
  await expect(page.getByTestId('rec-accepted').first()).toContainText('已采纳 · ');
  const decision = page.getByTestId('decision-row').first();
  await expect(decision).toContainText('先试两周');
  // The decision is stored: it is still there after a reload.
  await page.reload();
  await expect(page.getByTestId('decision-row').first()).toContainText('先试两周');
});

test('with an overloaded street office, a leader accepts the recommended move', async ({
  page,
  login,
  browser,
  server,
}) => {
  // An admin takes five reports for one street office and sets its staff to 0, so it cannot keep up.
  const adminContext = await browser.newContext({ baseURL: server.url });
  const admin = await adminContext.newPage();
  await admin.goto('/login');
  await admin.locator('input[name="username"]').fill('admin');
  await admin.locator('input[name="password"]').fill(server.password);
  await Promise.all([
    admin.waitForURL((u) => !u.pathname.startsWith('/login')),
    admin.locator('form button[type="submit"]').click(),
  ]);
  for (let i = 0; i < 5; i++) {
    const res = await admin.request.post('/api/tickets', {
      data: {
        channel: 'phone',
        text: `临汾路小区门口垃圾没人清运，第${i + 1}处`,
        lon: 121.45692 + (i - 2) * 0.0025,
        lat: 31.31464,
        category: 'city.sanitation',
      },
    });
    expect(res.status()).toBe(201);
  }
  const plan = (await (await admin.request.get('/api/allocation')).json()) as AllocationResponse;
  const target = plan.units
    .filter((u) => u.kind === 'street_office')
    .sort((a, b) => b.backlog - a.backlog)[0];
  expect(target.backlog).toBeGreaterThan(0);
  const put = (staff: number) =>
    admin.request.put('/api/allocation/capacity', { data: { departmentId: target.departmentId, staff } });
  expect((await put(0)).status()).toBe(200);

  try {
    await login('leader', '/cases');
    await page.goto('/allocation');
    const overloaded = page.locator('[data-testid="load-row"][data-overloaded="true"]');
    await expect(overloaded.first()).toBeVisible();
    await expect(overloaded.first().locator('rect.demand')).toHaveClass(/over/);
    const move = page
      .getByTestId('rec-move')
      .filter({ hasText: `到 ${target.name}` })
      .first();
    await expect(move).toContainText('预计逾期');
    await expect(move).toContainText('减少');
    await move.locator('input').fill('先调两周看看');
    await move.getByTestId('rec-accept').click();
    await expect(move.getByTestId('rec-accepted')).toContainText(/已采纳 · .+ · \d{4}年\d{1,2}月\d{1,2}日/);
    const decision = page.getByTestId('decision-row').first();
    await expect(decision).toContainText(target.name);
    await expect(decision).toContainText('先调两周看看');
  } finally {
    await put(target.staff);
    await adminContext.close();
  }
});

test('department staff get no menu item and a 403 page', async ({ page, login }) => {
  await login('staff', '/cases');
  await expect(page.getByTestId('nav-allocation')).toHaveCount(0);
  const res = await page.goto('/allocation');
  expect(res?.status()).toBe(403);
  expect((await page.request.get('/api/allocation')).status()).toBe(403);
});
