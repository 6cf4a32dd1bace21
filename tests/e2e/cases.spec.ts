// The work-order loop in a real browser: the hotline operator takes a call, a duty officer dispatches it
// from the console, and the department's staff sign for it and resolve it — each side seeing the others'
// actions live.
import { test, expect } from './support/fixtures';

test('operator form → dispatch from the console → staff sign and resolve', async ({
  page,
  login,
  browser,
  server,
}) => {
  // The staff member's unit (the demo staff account belongs to a street office).
  const staffContext = await browser.newContext({ baseURL: server.url });
  const staff = await staffContext.newPage();
  await staff.goto('/login');
  await staff.locator('input[name="username"]').fill('staff');
  await staff.locator('input[name="password"]').fill(server.password);
  await Promise.all([
    staff.waitForURL((u) => !u.pathname.startsWith('/login')),
    staff.locator('form button[type="submit"]').click(),
  ]);
  const deptHref = await staff.getByTestId('nav-department').getAttribute('href');
  const departmentId = deptHref!.split('/').pop()!;

  // 1. The operator takes the call; the address cannot be placed, so it waits in triage.
  await login('officer', '/cases');
  await page.getByTestId('nav-intake').click();
  await page.waitForURL('**/intake');
  const text = `小区门口的垃圾桶满了好几天没人清运，味道很大 ${Date.now()}`;
  // A letter's title line is kept as the case title.
  const subject = `关于小区垃圾桶无人清运的反映 ${Date.now()}`;
  await page.locator('input[name="subject"]').fill(subject);
  await page.locator('textarea[name="text"]').fill(text);
  await expect(page.getByTestId('intake-guess')).toBeVisible();
  await page.locator('input[name="callerName"]').fill('李女士');
  await page.locator('input[name="callerPhone"]').fill('13912345678');
  await page.locator('input[name="address"]').fill('我家楼下');
  await page.locator('select[name="category"]').selectOption('city.sanitation');
  await page.getByTestId('intake-submit').click();
  const result = page.getByTestId('intake-result');
  await expect(result).toBeVisible();
  await expect(result).toContainText('待分拣');
  const code = (await result.getAttribute('data-case'))!;
  expect(code).toMatch(/^GD-\d{8}-\d+$/);

  // 2. The duty officer finds it in the triage queue and dispatches it to the staff member's unit.
  await page.getByTestId('nav-cases').click();
  await page.getByTestId('filter-triage').check();
  const row = page.locator(`tr[data-code="${code}"]`);
  await expect(row).toBeVisible();
  await row.getByRole('link', { name: code }).click();
  await page.waitForURL(`**/cases/${code}`);
  await expect(page.getByTestId('case-state')).toHaveText('受理');
  await expect(page.getByTestId('case-title')).toContainText(subject);
  await expect(page.getByTestId('case-tickets')).toContainText('李女士');
  await page.locator('[data-action="dispatch"]').click();
  await page.getByTestId('action-department').selectOption(departmentId);
  await page.getByTestId('action-submit').click();
  await expect(page.getByTestId('case-state')).toHaveText('已派单');

  // 3. Staff see it in their queue, sign for it and resolve it.
  await staff.goto('/cases');
  const staffRow = staff.locator(`tr[data-code="${code}"]`);
  await expect(staffRow).toBeVisible();
  await staffRow.getByRole('link', { name: code }).click();
  await staff.waitForURL(`**/cases/${code}`);
  await expect(staff.getByTestId('case-tickets')).toContainText('李**'); // personal data masked for staff
  await expect(staff.getByTestId('case-tickets')).not.toContainText('13912345678');
  await staff.locator('[data-action="sign"]').click();
  await staff.getByTestId('action-submit').click();
  await expect(staff.getByTestId('case-state')).toHaveText('已签收');
  await expect(staff.getByTestId('case-deadline')).toHaveText('正常');

  // The officer's open case page follows live.
  await expect(page.getByTestId('case-state')).toHaveText('已签收');

  await staff.locator('[data-action="resolve"]').click();
  await staff.getByTestId('action-note').fill('已安排环卫清运，现场已清理干净');
  await staff.getByTestId('action-submit').click();
  await expect(staff.getByTestId('case-state')).toHaveText('已办结');
  await expect(page.getByTestId('case-state')).toHaveText('已办结');
  await expect(page.getByTestId('case-timeline')).toContainText('已安排环卫清运');

  // A refused action says why and changes nothing: staff cannot call back.
  expect(await staff.locator('[data-action="call_back"]').count()).toBe(0);
  const refused = await staff.request.post(`/api/cases/${code}/actions`, {
    data: { action: 'call_back', note: 'x' },
  });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).message).toMatch(/only duty officers/);
  await staffContext.close();
});

test('the intake form picks a point on the map and refuses an empty complaint', async ({ page, login }) => {
  await login('officer', '/cases');
  await page.goto('/intake');
  const map = page.getByTestId('intake-map');
  await expect(map).toHaveAttribute('data-loaded', 'true');
  const box = (await map.boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await expect(page.getByTestId('intake-point')).toBeVisible();
  await page.locator('textarea[name="text"]').fill('路灯不亮');
  // The browser stops a too-short text; the server refuses it too, naming the field.
  const res = await page.request.post('/api/tickets', {
    data: { channel: 'phone', text: '', lon: 121.45, lat: 31.3 },
  });
  expect(res.status()).toBe(400);
  expect((await res.json()).message).toMatch(/^text:/);
});
