import mqtt from 'mqtt';
import { test, expect, waitForMap } from './support/fixtures';
import { isolatedSensors, zoomIn } from './support/map';
import { kindNear, picture } from './support/pixels';

/** A manhole reading with everything the family requires; `tilt` decides the rule outcome. */
function manholeReading(tilt: number, ts: Date) {
  return JSON.stringify({
    ts: ts.toISOString(),
    values: { tilt_deg: tilt, displacement_mm: 0, open: false, water_level_cm: 10, battery_pct: 90 },
  });
}

test('a reading published over MQTT turns the right sensor red, and an officer acknowledges its alarm', async ({
  page,
  login,
  server,
}) => {
  await login('officer');
  await waitForMap(page);
  await zoomIn(page);

  // An isolated, normal manhole cover on screen.
  let target: { id: number; x: number; y: number; code: string; district: string } | null = null;
  for (const c of await isolatedSensors(page, 16, 40)) {
    const d = await (await page.request.get(`/api/sensors/${c.id}`)).json();
    if (d.family === 'manhole') {
      target = { ...c, code: d.code, district: d.districtName === '徐汇区' ? 'xuhui' : 'jingan' };
      break;
    }
  }
  expect(target, 'no isolated manhole cover on the map').not.toBeNull();
  const map = page.getByTestId('map');
  expect(kindNear(await picture(map), target!.x, target!.y)).toBe('normal');

  // The tilted cover keeps reporting its tilt, as a real device does, so a routine report the simulator
  // may send for the same sensor meanwhile cannot clear the alarm before the officer gets to it.
  const client = await mqtt.connectAsync(server.mqttUrl, { clientId: `e2e-${Date.now()}` });
  // 30° of tilt is past the critical band of the manhole.tilt rule.
  const report = () =>
    client.publishAsync(
      `citynerve/${target!.district}/manhole/${target!.code}/reading`,
      manholeReading(30, new Date()),
      { qos: 1 },
    );
  await report();
  const keepReporting = setInterval(() => void report().catch(() => {}), 1000);
  let alarmId = 0;
  try {
    await page.waitForFunction((id) => window.__citynerve!.stateOf(id) === 2, target!.id, {
      timeout: 5000,
    });
    await expect.poll(async () => kindNear(await picture(map), target!.x, target!.y, 3)).toBe('alarm');
    // The officer opens the sensor and acknowledges the open alarm from the panel.
    const box = (await map.boundingBox())!;
    await page.mouse.click(box.x + target!.x, box.y + target!.y);
    const panel = page.getByTestId('sensor-panel');
    await expect(panel).toContainText(target!.code);
    const alarm = panel.locator('[data-testid="alarm"][data-status="open"]').first();
    await expect(alarm).toBeVisible({ timeout: 10_000 });
    await expect(panel.getByTestId('fired-rule')).toContainText('manhole.tilt');
    alarmId = Number(await alarm.getAttribute('data-alarm-id'));
    await alarm.getByTestId('alarm-ack').click();
    await expect(panel.getByTestId('alarm-notice')).toHaveText('告警已确认');
    // The acknowledged alarm names who acknowledged it. (A routine report the simulator sends for the same
    // sensor may clear it a moment later, and the next tilted report opens a new one: the simulator
    // stands in for this very device. So the check follows the alarm by id, not by its status.)
    const acknowledged = panel.locator(`[data-testid="alarm"][data-alarm-id="${alarmId}"]`);
    await expect(acknowledged).not.toHaveAttribute('data-status', 'open');
    await expect(acknowledged).toContainText('王芳');
  } finally {
    clearInterval(keepReporting);
    await client.endAsync();
  }

  // The server agrees, and names who acknowledged it.
  const list = await (await page.request.get(`/api/sensors/${target!.id}/alarms`)).json();
  const acked = list.alarms.find((a: { id: number }) => a.id === alarmId);
  expect(acked).toMatchObject({ ruleId: 'manhole.tilt', severity: 2, acknowledgedBy: '王芳' });
  expect(['acknowledged', 'cleared']).toContain(acked.status);
});

test('a leader sees alarms but cannot acknowledge them', async ({ page, login }) => {
  await login('leader', '/cases');
  const open = await (await page.request.get('/api/alarms?status=open')).json();
  expect(Array.isArray(open.alarms)).toBe(true);
  const res = await page.request.post('/api/alarms/1/ack');
  expect(res.status()).toBe(403);
  expect((await res.json()).message).toContain('leader');
});
