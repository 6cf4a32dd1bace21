// The live alarm feed in two browsers: an alarm raised over MQTT appears in both open-alarm lists without
// a reload; officer A acknowledges it from the sensor panel, and officer B's open panel and list show it
// acknowledged (by A) without a reload either.
import mqtt from 'mqtt';
import { test, expect, waitForMap } from './support/fixtures';
import { signedInPage } from './support/sign-in';

interface SensorDetail {
  id: number;
  code: string;
  family: string;
  state: number;
  districtName: string | null;
}

test('an alarm acknowledged by one officer shows as acknowledged on another screen without reloading', async ({
  page,
  login,
  server,
  browser,
}) => {
  await login('officer'); // officer A: 王芳
  const pageB = await signedInPage(browser, server.url, 'admin', server.password); // officer B: may acknowledge too
  try {
    await Promise.all([waitForMap(page), waitForMap(pageB)]);
    await expect(pageB.getByTestId('open-alarms-total')).toHaveText(/^\d[\d,]*$/); // the feed is live

    // A normal manhole cover without alarms.
    let target: SensorDetail | null = null;
    for (let id = 1; id <= 300 && !target; id++) {
      const d = (await (await page.request.get(`/api/sensors/${id}`)).json()) as SensorDetail;
      if (d.family !== 'manhole' || d.state !== 0) continue;
      const { alarms } = await (await page.request.get(`/api/sensors/${id}/alarms`)).json();
      if (alarms.every((a: { status: string }) => a.status === 'cleared')) target = d;
    }
    expect(target, 'no quiet manhole cover in the demo city').not.toBeNull();
    const t = target!;

    // 30° of tilt is critical. Stamped two minutes ahead (within the allowed clock skew), so the
    // simulator's routine reports of this cover, older by then, cannot clear the alarm during the test.
    const client = await mqtt.connectAsync(server.mqttUrl, { clientId: `e2e-live-${Date.now()}` });
    try {
      const district = t.districtName === '徐汇区' ? 'xuhui' : 'jingan';
      await client.publishAsync(
        `citynerve/${district}/manhole/${t.code}/reading`,
        JSON.stringify({
          ts: new Date(Date.now() + 120_000).toISOString(),
          values: { tilt_deg: 30, displacement_mm: 0, open: false, water_level_cm: 10, battery_pct: 90 },
        }),
        { qos: 1 },
      );
    } finally {
      await client.endAsync();
    }

    // Both lists get it live (the newest critical alarm heads the list).
    const itemA = page.locator(`[data-testid="open-alarm"][data-sensor-id="${t.id}"]`);
    const itemB = pageB.locator(`[data-testid="open-alarm"][data-sensor-id="${t.id}"]`);
    await expect(itemA).toHaveAttribute('data-status', 'open');
    await expect(itemB).toHaveAttribute('data-status', 'open');
    const alarmId = await itemA.getAttribute('data-alarm-id');

    // Both open the sensor's panel from the list.
    await itemB.click();
    const panelB = pageB.getByTestId('sensor-panel');
    await expect(panelB).toContainText(t.code);
    const alarmInB = panelB.locator(`[data-testid="alarm"][data-alarm-id="${alarmId}"]`);
    await expect(alarmInB).toHaveAttribute('data-status', 'open');
    await expect(alarmInB.getByTestId('alarm-ack')).toBeVisible();

    await itemA.click();
    const panelA = page.getByTestId('sensor-panel');
    const alarmInA = panelA.locator(`[data-testid="alarm"][data-alarm-id="${alarmId}"]`);
    await alarmInA.getByTestId('alarm-ack').click();
    await expect(alarmInA).toHaveAttribute('data-status', 'acknowledged');

    // B, who did nothing, sees who acknowledged it; B's button is gone.
    await expect(alarmInB).toHaveAttribute('data-status', 'acknowledged');
    await expect(alarmInB).toContainText('王芳');
    await expect(alarmInB.getByTestId('alarm-ack')).toHaveCount(0);
    // Closing the panel shows B's list again, already up to date.
    await panelB.getByRole('button', { name: '关闭' }).click();
    await expect(itemB).toHaveAttribute('data-status', 'acknowledged');
    expect(
      Number(await pageB.getByTestId('open-alarms-acknowledged').getAttribute('data-value')),
    ).toBeGreaterThanOrEqual(1);
  } finally {
    await pageB.context().close();
  }
});
