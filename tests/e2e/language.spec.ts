// The UI language in a real browser: Chinese by default, English on request — labels, dates and numbers
// change with it — and a signed-in user's choice follows them to a fresh browser at the next login.
import { test, expect } from './support/fixtures';

test('a new user sees Chinese; switching to English changes the labels, dates and durations', async ({
  page,
  login,
}) => {
  await login('officer', '/cases');
  // One case of our own, dispatched so it has a deadline, whatever the simulator has done so far.
  const intake = await page.request.post('/api/tickets', {
    data: { channel: 'phone', text: `语言测试：路灯不亮 ${Date.now()}`, address: '我家楼下' },
  });
  expect(intake.status()).toBe(201);
  const { caseCode } = await intake.json();
  await page.goto(`/cases?q=${caseCode}`);
  const departmentId = await page
    .getByTestId('filter-department')
    .locator('option')
    .nth(1)
    .getAttribute('value');
  const dispatched = await page.request.post(`/api/cases/${caseCode}/actions`, {
    data: { action: 'dispatch', departmentId: Number(departmentId) },
  });
  expect(dispatched.status()).toBe(200);
  await page.reload();

  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByTestId('nav-cases')).toHaveText('工单');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('工单受理台');
  const row = page.locator(`tr[data-code="${caseCode}"]`);
  await expect(row.locator('td.updated')).toHaveText(/^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/);
  await expect(row.getByTestId('time-left')).toHaveText(/^还剩 (\d+天)?(\d+小时)?(\d+分钟?)?$/);
  await expect(page.getByTestId('queue-total')).toHaveText('共 1 件');

  await page.getByTestId('language-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByTestId('nav-cases')).toHaveText('Cases');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Case console');
  await expect(row.locator('td.updated')).toHaveText(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}$/);
  await expect(row.getByTestId('time-left')).toHaveText(/^(\d+ d)? ?(\d+ h)? ?(\d+ min)? left$/);
  await expect(page.getByTestId('queue-total')).toHaveText('Cases: 1');
  await expect(page.getByTestId('language-switch')).toHaveText('中文');

  // The case page: its dates and the deadline hint follow too.
  await row.getByRole('link', { name: caseCode }).click();
  await page.waitForURL(`**/cases/${caseCode}`);
  await expect(page.getByTestId('case-time-left')).toHaveText(/· .+ left$/);
  await expect(page.getByTestId('case-timeline').locator('time').first()).toHaveText(
    /^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}$/,
  );

  // A reload keeps English (cookie and account agree), and so does another page.
  await page.reload();
  await expect(page.getByTestId('nav-cases')).toHaveText('Cases');
  await page.goto('/public');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  // Back to Chinese.
  await page.getByTestId('language-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByTestId('nav-cases')).toHaveText('工单');
});

test('the choice is kept on the account: log out, log in from a fresh browser → still English', async ({
  browser,
  server,
}) => {
  // Four sign-ins in three browsers: more than the default minute and a half on a busy machine.
  test.setTimeout(240_000);
  const signIn = async (context: Awaited<ReturnType<typeof browser.newContext>>, username: string) => {
    const page = await context.newPage();
    // Landing on the performance pages rather than the WebGL map keeps each sign-in quick.
    await page.goto('/login?next=/performance');
    await page.locator('input[name="username"]').fill(username);
    await page.locator('input[name="password"]').fill(server.password);
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith('/login')),
      page.locator('form button[type="submit"]').click(),
    ]);
    return page;
  };
  const fresh = () =>
    browser.newContext({ baseURL: server.url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });

  const first = await fresh();
  const leader = await signIn(first, 'leader');
  await expect(leader.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await leader.getByTestId('language-switch').click();
  await expect(leader.locator('html')).toHaveAttribute('lang', 'en');
  await leader.getByTestId('logout').click();
  await leader.waitForURL('**/login');
  await first.close();

  // Another browser, no cookies: the login page is Chinese, the session English.
  const second = await fresh();
  const again = await second.newPage();
  await again.goto('/login');
  await expect(again.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await again.close();
  const back = await signIn(second, 'leader');
  await expect(back.locator('html')).toHaveAttribute('lang', 'en');
  await expect(back.getByTestId('logout')).toHaveText('Sign out');
  // The cookie was brought in line at login, so even the login page stays English after signing out.
  await back.getByTestId('logout').click();
  await back.waitForURL('**/login');
  await expect(back.locator('html')).toHaveAttribute('lang', 'en');
  // Leave the shared demo account as it was for the other tests of this server.
  const reset = await signIn(second, 'leader');
  expect((await reset.request.put('/api/me/language', { data: { language: 'zh-CN' } })).status()).toBe(200);
  await second.close();

  // A user who never chose gets the default, whatever another user picked.
  const third = await fresh();
  const staff = await signIn(third, 'staff');
  await expect(staff.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(staff.getByTestId('nav-cases')).toHaveText('工单');
  await third.close();
});

test('a bad language is refused with a 400 naming the problem', async ({ request }) => {
  const res = await request.put('/api/me/language', { data: { language: 'fr' } });
  expect(res.status()).toBe(400);
  expect((await res.json()).message).toBe('language: must be one of zh-CN, en, got "fr"');
});
