// Replay in a real browser (issue 19): a manhole cover tilts (a real MQTT reading) and its alarm is
// acknowledged a little later; the map opened at an instant between the two shows the sensor red and the
// alarm unacknowledged under an unmistakable replay banner; a step past the acknowledgement shows it
// acknowledged; "return to live" ends the replay. No simulator here, so nothing else moves the sensor.
import mqtt from 'mqtt';
import { test, expect, waitForMap } from './support/fixtures';

test.use({ serverOptions: { env: { SIM_ENABLED: 'false', DEMO_SENSOR_COUNT: '300' } } });

const tilted = (ts: Date) =>
  JSON.stringify({
    ts: ts.toISOString(),
    values: { tilt_deg: 30, displacement_mm: 0, open: false, water_level_cm: 10, battery_pct: 90 },
  });

test('an instant between an alarm and its acknowledgement shows it red and unacknowledged; a step later, acknowledged; then live', async ({
  page,
  login,
  server,
}) => {
  test.setTimeout(120_000);
  await login('officer');
  await waitForMap(page);

  // A manhole cover of the demo city.
  let sensor: { id: number; code: string; district: string } | null = null;
  for (let id = 1; id <= 60 && !sensor; id++) {
    const d = await (await page.request.get(`/api/sensors/${id}`)).json();
    if (d.family === 'manhole' && d.state === 0)
      sensor = { id, code: d.code, district: d.districtName === '徐汇区' ? 'xuhui' : 'jingan' };
  }
  expect(sensor, 'no normal manhole cover among the first sensors').not.toBeNull();
  const { id, code, district } = sensor!;

  const client = await mqtt.connectAsync(server.mqttUrl, { clientId: `e2e-replay-${Date.now()}` });
  await client.publishAsync(`citynerve/${district}/manhole/${code}/reading`, tilted(new Date()), { qos: 1 });
  await client.endAsync();
  await page.waitForFunction((sid) => window.__citynerve!.stateOf(sid) === 2, id, { timeout: 10_000 });
  const open = (await (await page.request.get(`/api/sensors/${id}/alarms`)).json()).alarms[0];
  expect(open).toMatchObject({ ruleId: 'manhole.tilt', status: 'open' });

  // Acknowledged three seconds later.
  await page.waitForTimeout(3000);
  const ack = await page.request.post(`/api/alarms/${open.id}/ack`);
  expect(ack.status()).toBe(200);
  const acked = (await ack.json()).alarm;
  const between = new Date((Date.parse(open.openedAt) + Date.parse(acked.acknowledgedAt)) / 2);

  // The link to that instant opens the replay there.
  await page.goto(`/?replay=${encodeURIComponent(between.toISOString())}`);
  await waitForMap(page);
  const banner = page.getByTestId('replay-banner');
  await expect(banner).toHaveAttribute('data-at', between.toISOString());
  await expect(banner).toHaveText(/^回放 — \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}:\d{2}/);
  await expect(page.getByTestId('map').locator('..')).toHaveAttribute('data-replay', between.toISOString());
  await page.waitForFunction((sid) => window.__citynerve!.stateOf(sid) === 2, id);
  const row = page.locator(`[data-testid="open-alarm"][data-alarm-id="${open.id}"]`);
  await expect(row).toHaveAttribute('data-status', 'open');
  await expect(row).toContainText('未确认');
  // The address still says which instant is shown.
  expect(new URL(page.url()).searchParams.get('replay')).toBe(between.toISOString());

  // One minute on (past the acknowledgement; the replay stops at the present): acknowledged.
  await page.getByTestId('replay-forward-minute').click();
  await expect(row).toHaveAttribute('data-status', 'acknowledged');
  await expect(row).toContainText('已确认');
  await page.waitForFunction((sid) => window.__citynerve!.stateOf(sid) === 2, id);

  // Before the tilt the cover was normal and no alarm of it was open.
  const before = new Date(Date.parse(open.openedAt) - 2000);
  await page.goto(`/?replay=${encodeURIComponent(before.toISOString())}`);
  await expect(page.getByTestId('replay-banner')).toHaveAttribute('data-at', before.toISOString());
  await page.waitForFunction((sid) => window.__citynerve!.stateOf(sid) === 0, id);
  await expect(row).toHaveCount(0);

  // Back to live: no banner, the cover red again, its alarm acknowledged, the link without an instant.
  await page.getByTestId('replay-live').click();
  await expect(page.getByTestId('replay-banner')).toHaveCount(0);
  await page.waitForFunction((sid) => window.__citynerve!.stateOf(sid) === 2, id);
  await expect(row).toHaveAttribute('data-status', 'acknowledged');
  expect(new URL(page.url()).searchParams.get('replay')).toBeNull();

  // In English the banner says so too.
  await page.getByTestId('language-switch').click();
  await page.getByTestId('replay-open').click();
  await expect(page.getByTestId('replay-banner')).toHaveText(/^Replay — /);
  await page.getByTestId('replay-live').click();
  await page.getByTestId('language-switch').click();
});

test('a bookmarked moment is listed in the replay bar and the meeting deck, whose link opens the same replay', async ({
  page,
  login,
}) => {
  await login('officer');
  await waitForMap(page);
  await page.getByTestId('replay-open').click();
  const banner = page.getByTestId('replay-banner');
  await expect(banner).not.toHaveAttribute('data-at', '');
  const at = (await banner.getAttribute('data-at'))!;
  const note = `井盖复盘 ${Date.now() % 100_000}`;
  await page.getByTestId('replay-note').fill(note);
  await page.getByTestId('replay-bookmark').click();
  const list = page.getByTestId('replay-bookmarks');
  await expect(list.locator('option', { hasText: note })).toHaveCount(1);
  await expect(page.getByTestId('replay-note')).toHaveValue('');

  // The monthly meeting of this month lists it, with a link to the replay.
  const month = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
  })
    .format(new Date(at))
    .slice(0, 7);
  await page.goto(`/performance/meeting?month=${month}`);
  await page.getByRole('button', { name: '回放书签' }).click();
  const item = page.getByTestId('meeting-replays').locator('li', { hasText: note });
  await expect(item).toBeVisible();
  await item.getByTestId('meeting-replay-link').click();
  await page.waitForURL((u) => u.pathname === '/' && u.searchParams.get('replay') === at);
  await expect(page.getByTestId('replay-banner')).toHaveAttribute('data-at', at);
});

test('department staff get no replay button, and the replay API refuses them', async ({ page, login }) => {
  await login('staff');
  await expect(page.getByTestId('connection-status')).toBeVisible();
  await expect(page.getByTestId('replay-open')).toHaveCount(0);
  const res = await page.request.get(`/api/replay/state?at=${encodeURIComponent(new Date().toISOString())}`);
  expect(res.status()).toBe(403);
});
