// Sign-in throttling in a real browser against a production server of its own with short limits: 20 wrong
// passwords in a row are slowed and then refused with "try again in N minutes" in Chinese and English, the
// right password works once the refusal has passed, an unknown name reads like a wrong password, admins
// see the attempts, and a hostile `next` after sign-in stays on the site.
import type { Page } from '@playwright/test';
import { test, expect } from './support/fixtures';

/** 3 free failures, then 4 s, 8 s…; the 6th failure refuses the account for 20 s. */
const LOCK_S = 20;
test.use({
  serverOptions: {
    env: {
      LOGIN_ACCOUNT_FREE_FAILURES: '3',
      LOGIN_ACCOUNT_LIMIT: '6',
      LOGIN_BACKOFF_BASE_MS: '4000',
      LOGIN_LOCK_S: String(LOCK_S),
      LOGIN_WINDOW_S: '120',
      SIM_ENABLED: 'false',
      DEMO_SENSOR_COUNT: '200',
    },
  },
});

/** Submits the form once and waits for the answer; the error code and text shown. */
async function tryPassword(page: Page, username: string, password: string) {
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  const answered = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login',
  );
  await page.locator('form button[type="submit"]').click();
  await answered;
  await expect(page.getByTestId('login-submit')).toBeEnabled();
  const error = page.getByTestId('login-error');
  return { code: await error.getAttribute('data-error'), text: (await error.textContent())?.trim() ?? '' };
}

test.describe('sign-in throttling', () => {
  test('20 wrong passwords are slowed, then refused in both languages; the right one works after the refusal', async ({
    page,
    server,
    foreignRequests: _,
  }) => {
    test.setTimeout(120_000);
    await page.goto('/login');
    const answers: { code: string | null; text: string }[] = [];
    for (let i = 0; i < 20; i++) answers.push(await tryPassword(page, 'leader', `wrong-${i}`));
    const codes = answers.map((a) => a.code);
    expect(codes.slice(0, 3)).toEqual(['bad_credentials', 'bad_credentials', 'bad_credentials']);
    const firstRefused = codes.indexOf('refused');
    expect(codes.slice(3, firstRefused)).toContain('throttled');
    expect(firstRefused).toBeLessThanOrEqual(6);
    expect(codes.slice(firstRefused)).toEqual(Array(20 - firstRefused).fill('refused'));
    expect(answers[0].text).toBe('用户名或密码错误');
    expect(answers.find((a) => a.code === 'throttled')!.text).toMatch(/^尝试次数过多，请 \d+ 秒后再试$/);
    expect(answers[19].text).toBe('尝试次数过多，请 1 分钟后再试');
    const refusedAt = Date.now();

    // The same refusal in English, and the right password is refused too while it lasts.
    await page.getByTestId('language-switch').click();
    await expect(page.getByTestId('login-submit')).toHaveText('Sign in');
    const english = await tryPassword(page, 'leader', server.password);
    expect(english).toEqual({ code: 'refused', text: 'Too many attempts, try again in a minute' });
    await expect(page).toHaveURL(/\/login/);

    // Once the refusal has passed, the right password signs in.
    await page.waitForTimeout(Math.max(0, refusedAt + LOCK_S * 1000 + 1000 - Date.now()));
    await page.locator('input[name="username"]').fill('leader');
    await page.locator('input[name="password"]').fill(server.password);
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith('/login')),
      page.locator('form button[type="submit"]').click(),
    ]);
    expect((await page.context().cookies()).find((c) => c.name === 'cn_session')).toBeTruthy();
  });

  test('an unknown login name reads exactly like a wrong password', async ({ page, foreignRequests: _ }) => {
    await page.goto('/login');
    const known = await tryPassword(page, 'officer', 'not-the-password');
    const unknown = await tryPassword(page, 'no-such-officer', 'not-the-password');
    expect(unknown).toEqual(known);
    expect(known.code).toBe('bad_credentials');
  });

  test('admins see every attempt, newest first, filtered by outcome, in both languages', async ({
    page,
    login,
  }) => {
    await login('admin', '/admin');
    await page.getByTestId('logins-link').click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('登录记录');
    const rows = page.getByTestId('logins-table').locator('tbody tr');
    // The newest is this admin's own sign-in.
    await expect(rows.first()).toHaveAttribute('data-outcome', 'ok');
    await expect(rows.first().locator('td').nth(1)).toHaveText('admin');
    await page.getByTestId('logins-outcome').selectOption('refused');
    await page.getByTestId('logins-login').fill('leader');
    await page.getByTestId('logins-apply').click();
    await expect(page).toHaveURL(/outcome=refused/);
    const refused = await rows.count();
    expect(refused).toBeGreaterThanOrEqual(14);
    for (let i = 0; i < refused; i++) await expect(rows.nth(i)).toHaveAttribute('data-outcome', 'refused');
    await expect(rows.first().locator('td').nth(4)).toHaveText('已拒绝（超过上限）');
    await page.getByTestId('language-switch').click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign-in attempts');
    await expect(rows.first().locator('td').nth(4)).toHaveText('Refused (limit reached)');
  });

  test('a hostile next after sign-in lands on the site, not elsewhere', async ({ page, server }) => {
    await page.goto(`/login?next=${encodeURIComponent('/\\evil.example')}`);
    await page.locator('input[name="username"]').fill('officer');
    await page.locator('input[name="password"]').fill(server.password);
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith('/login')),
      page.locator('form button[type="submit"]').click(),
    ]);
    expect(new URL(page.url()).origin).toBe(new URL(server.url).origin);
    expect(new URL(page.url()).pathname).toBe('/');
  });
});
