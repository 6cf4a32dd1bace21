import type { Page } from '@playwright/test';
import { test, expect, waitForMap } from './support/fixtures';

/** The code of a manhole cover with no overrides yet, from the API the panel uses. */
async function plainManhole(page: Page, skip = 0): Promise<string> {
  let seen = 0;
  for (let id = 1; id <= 300; id++) {
    const res = await page.request.get(`/api/sensors/${id}/rules`);
    if (!res.ok()) continue;
    const r = await res.json();
    if (r.family === 'manhole' && r.overrides === null && seen++ === skip) return r.code;
  }
  throw new Error('no manhole cover without overrides among the first 300 sensors');
}

/** Finds a sensor by code with the search box; its panel opens. */
async function openPanel(page: Page, code: string) {
  await page.getByTestId('sensor-search').fill(code);
  await page.getByTestId('sensor-search').press('Enter');
  const panel = page.getByTestId('sensor-panel');
  await expect(panel.getByTestId('sensor-code')).toHaveText(code);
  return panel;
}

test('an officer changes a threshold in the sensor panel; it stays marked overridden after a reload', async ({
  page,
  login,
}) => {
  await login('officer');
  await waitForMap(page);
  const code = await plainManhole(page);
  let panel = await openPanel(page, code);
  const rules = panel.getByTestId('sensor-rules');
  const tiltOn = rules.locator('[data-testid="rule"][data-rule-id="manhole.tilt"] [data-param="on"]');
  await expect(tiltOn).toHaveAttribute('data-overridden', 'false');

  await rules.getByTestId('rules-edit').click();
  const input = (param: string) =>
    rules.locator(`[data-testid="rule-input"][data-rule-id="manhole.tilt"][data-param="${param}"]`);
  await expect(input('on')).toHaveValue('5');

  // A clear level above the raise level is refused by the server, and its reason is shown in place.
  await input('off').fill('9');
  await rules.getByTestId('rules-save').click();
  await expect(rules.getByTestId('rules-notice')).toContainText('manhole.tilt.off');
  await expect(rules.getByTestId('rules-form')).toBeVisible();

  await input('off').fill('3');
  await input('on').fill('4');
  await rules.getByTestId('rules-save').click();
  await expect(rules.getByTestId('rules-notice')).toContainText('规则已保存');
  await expect(tiltOn).toHaveAttribute('data-overridden', 'true');

  await page.reload();
  await waitForMap(page);
  panel = await openPanel(page, code);
  const after = panel.locator(
    '[data-testid="sensor-rules"] [data-testid="rule"][data-rule-id="manhole.tilt"] [data-param="on"]',
  );
  await expect(after).toHaveAttribute('data-overridden', 'true');
  await expect(after).toContainText('4');
  await expect(after).toContainText('已单独设置');
  await expect(after).toContainText('类型默认 5');
  await expect(panel.getByTestId('rules-last-change')).toContainText('王芳');
  // Only the changed value is marked.
  await expect(
    panel.locator('[data-testid="rule"][data-rule-id="manhole.tilt"] [data-param="off"]'),
  ).toHaveAttribute('data-overridden', 'false');
});

test('a leader sees the rules but has no edit form, and the API refuses the change', async ({
  page,
  login,
}) => {
  await login('leader');
  await waitForMap(page);
  const code = await plainManhole(page, 1);
  const panel = await openPanel(page, code);
  const rules = panel.getByTestId('sensor-rules');
  await expect(rules.locator('[data-testid="rule"]').first()).toBeVisible();
  await expect(rules.getByTestId('rules-edit')).toHaveCount(0);
  const res = await page.request.put('/api/sensors/1/rules', { data: { 'manhole.tilt': { on: 4 } } });
  expect(res.status()).toBe(403);
});
