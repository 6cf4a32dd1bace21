// A district with a past, from a fresh embedded start: the demo city generates 13 months of history (at a
// lower daily volume than the demo's, same code path), and every analytic screen shows it — a spread-out
// ranking with a 12-month trend, significant hot-spots, common problems, forecasts for every street, the
// wall's baseline — with no internal ids in what people read. The numbers are then checked against the
// embedded database itself, opened after the server stopped.
import { test, expect } from './support/fixtures';
import { idLeaks } from './support/id-leaks';
import { openPglite } from '../../server/db/client';
import { sql } from 'drizzle-orm';
import { createDisplayToken, openWall } from './support/wall';
import { signedInPage } from './support/sign-in';

test.use({
  serverOptions: {
    embedded: true,
    env: { DEMO_HISTORY_DAYS: '395', DEMO_HISTORY_CALLS_PER_DAY: '100', DEMO_SENSOR_COUNT: '1500' },
  },
});
test.describe.configure({ mode: 'serial' });

/** What the pages showed, checked against the database at the end. */
const seen: { month?: string; scores?: Map<number, number>; streetsForecast?: number } = {};

const lastMonth = () => {
  const d = new Date(Date.now() + 8 * 3_600_000);
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
};

test('the ranking of the last complete month spreads out, with a 12-month trend', async ({ page, login }) => {
  await login('leader', '/performance');
  const rows = page.getByTestId('ranking-row');
  await expect(rows.first()).toBeVisible();
  const scores = await rows.evaluateAll((els) =>
    els.map((e) => [Number(e.getAttribute('data-department')), Number(e.getAttribute('data-score'))]),
  );
  expect(scores.length).toBeGreaterThanOrEqual(50);
  expect(new Set(scores.map(([, s]) => s.toFixed(2))).size).toBeGreaterThanOrEqual(20);
  seen.month = lastMonth();
  seen.scores = new Map(scores as [number, number][]);
  const res = await page.request.get(`/api/performance/${scores[0][0]}?month=${seen.month}`);
  expect(res.status()).toBe(200);
  const unit = (await res.json()) as { trend: { month: string; score: number }[] };
  expect(unit.trend.length).toBeGreaterThanOrEqual(12);
  // Months differ: a unit's trend is not one flat line.
  expect(new Set(unit.trend.map((t) => t.score.toFixed(2))).size).toBeGreaterThan(1);
  await expect(page.getByTestId('trend-chart').first().locator('svg')).toBeVisible();
});

test('hot-spots: significant this week, and the planted bar street over 30 days', async ({ page, login }) => {
  await login('leader', '/hotspots');
  await expect(page.getByTestId('hotspot-list').locator('tbody tr').first()).toBeVisible({ timeout: 30_000 });
  // The default window is the last 7 days: at least one cell is significant after the FDR correction.
  await expect(
    page.getByTestId('hotspot-list').locator('tbody tr[data-significant="true"]').first(),
  ).toBeVisible();
  await page.getByTestId('hotspot-window').getByRole('radio').nth(3).check();
  const list = page.getByTestId('hotspot-list');
  // The bar street (衡山路, 天平路街道) is loud all year; the flooded block only shows after rain, which a
  // December month may not have (tests/integration/history.test.ts finds it in a rainy window).
  await expect(list).toContainText('天平路街道', { timeout: 30_000 });
});

test('common problems: at least ten, the elevator compound and the tilting-manhole road among them', async ({
  page,
  login,
}) => {
  await login('leader', '/problems');
  const table = page.getByTestId('problems-table');
  await expect(table.locator('tbody tr').first()).toBeVisible({ timeout: 30_000 });
  expect(await table.locator('tbody tr').count()).toBeGreaterThanOrEqual(10);
  // The elevator compound (寿昌坊 in 康健新村街道) with its sensor's alarms as evidence. Its label names the
  // compound's road or, when the complaints that week name no road often enough, the street.
  const lift = table.locator('tbody tr', { hasText: /寿昌|康健新村/ }).filter({ hasText: '电梯' });
  await expect(lift.first()).toContainText('告警');
  await expect(table).toContainText('虹梅路');
});

test('allocation forecasts every street', async ({ page, login }) => {
  await login('leader', '/allocation');
  const options = page.getByTestId('demand-street').locator('option');
  await expect(options.first()).toBeAttached({ timeout: 30_000 });
  seen.streetsForecast = await options.count();
  expect(seen.streetsForecast).toBe(27);
  await expect(page.getByTestId('forecast-point').first()).toBeAttached();
});

test('the wall compares today with the usual, and no screen shows internal ids in either language', async ({
  page,
  browser,
  server,
}) => {
  const { token, admin } = await createDisplayToken(browser, server, 'history wall');
  await admin.context().close();
  await openWall(page, token, 'scenes=city&seconds=600', { map: false });
  await expect(page.getByTestId('wall-hotline-verdict')).toBeVisible({ timeout: 30_000 });
  expect(await idLeaks(page)).toEqual([]);
  // The wall ranks the last complete month: the best units' scores differ, not 57 ties at full marks.
  const wallScores = await page.getByTestId('wall-ranking-unit').locator('.score').allInnerTexts();
  expect(wallScores.length).toBeGreaterThanOrEqual(5);
  expect(new Set(wallScores).size).toBeGreaterThan(1);

  const officer = await signedInPage(browser, server.url, 'officer', server.password, '/cases');
  for (const lang of ['zh-CN', 'en'] as const) {
    await officer.request.put('/api/me/language', { data: { language: lang } });
    await officer.goto('/cases?source=sensor');
    const row = officer.locator('tr[data-code]').first();
    await expect(row).toBeVisible();
    expect(await idLeaks(officer), `/cases in ${lang}`).toEqual([]);
    await row.locator('a').first().click();
    await officer.waitForURL(/\/cases\/AL-/);
    await expect(officer.locator('h1')).toBeVisible();
    expect(await idLeaks(officer), `alarm case in ${lang}`).toEqual([]);
  }
  await officer.context().close();
});

test('what the pages showed is what the database holds', async ({ server }) => {
  test.setTimeout(120_000);
  await server.stop();
  const db = await openPglite(server.dataDir!);
  try {
    const snaps = await db.rows<{ department_id: number; total: number }>(sql`
      select s.department_id, (s.score->>'total')::float8 as total
      from score_snapshots s join scoring_schemes v on v.id = s.scheme_id and v.active
      where s.month = ${seen.month!}`);
    expect(snaps.length).toBe(seen.scores!.size);
    for (const s of snaps) expect(seen.scores!.get(Number(s.department_id))).toBeCloseTo(Number(s.total), 2);
    const [{ n }] = await db.rows<{ n: number }>(sql`select count(*)::int as n from streets`);
    expect(seen.streetsForecast).toBe(Number(n));
    const [{ months }] = await db.rows<{ months: number }>(sql`
      select count(distinct to_char(received_at at time zone 'Asia/Shanghai', 'YYYY-MM'))::int as months
      from hotline_tickets`);
    expect(Number(months)).toBeGreaterThanOrEqual(13);
  } finally {
    await db.close();
  }
});
