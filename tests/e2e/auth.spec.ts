import { test, expect } from './support/fixtures';

test.describe('login and roles', () => {
  for (const role of ['admin', 'leader', 'officer', 'staff'] as const) {
    test(`${role} signs in and lands on the map`, async ({ page, login }) => {
      await login(role);
      await expect(page).toHaveURL(/\/$/);
      await expect(page.getByTestId('map')).toBeVisible();
      const cookies = await page.context().cookies();
      const session = cookies.find((c) => c.name === 'cn_session');
      expect(session?.httpOnly).toBe(true);
    });
  }

  test('a wrong password is refused with a message and no session', async ({ page, foreignRequests: _ }) => {
    await page.goto('/login');
    await page.locator('input[name="username"]').fill('leader');
    await page.locator('input[name="password"]').fill('not-the-password');
    await page.locator('form button[type="submit"]').click();
    await expect(page.getByTestId('login-error')).toBeVisible();
    await expect(page).toHaveURL(/\/login/);
    expect((await page.context().cookies()).find((c) => c.name === 'cn_session')).toBeUndefined();
  });

  test('pages and APIs need a session', async ({ page, request, foreignRequests: _ }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/login\?next=%2F/);
    const api = await request.get('/api/map/boundaries');
    expect(api.status()).toBe(401);
  });

  test('department staff cannot open admin pages or another department', async ({ page, login, request }) => {
    await login('staff', '/cases');
    const own = await page.evaluate(async () => {
      const r = await fetch('/api/health');
      return r.ok;
    });
    expect(own).toBe(true);
    const admin = await page.goto('/admin');
    expect(admin?.status()).toBe(403);
    await expect(page.getByTestId('error-status')).toHaveText('403');
    // Their own department opens; a different one is forbidden.
    await page.goto('/');
    const link = page.getByTestId('nav-department');
    const href = await link.getAttribute('href');
    const ownId = Number(href!.split('/').pop());
    expect((await page.goto(`/departments/${ownId}`))?.status()).toBe(200);
    expect((await page.goto(`/departments/${ownId + 1}`))?.status()).toBe(403);
    void request;
  });

  test('leaders cannot open admin pages; admins can', async ({ page, login }) => {
    await login('leader', '/cases');
    expect((await page.goto('/admin'))?.status()).toBe(403);
    await page.context().clearCookies();
    await login('admin', '/cases');
    expect((await page.goto('/admin'))?.status()).toBe(200);
    await expect(page.getByText('leader').first()).toBeVisible();
  });

  test('logout ends the session', async ({ page, login }) => {
    await login('officer', '/cases');
    await page.getByTestId('logout').click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto('/');
    await expect(page).toHaveURL(/\/login/);
  });
});

test('the header keeps every link on one line and every button on screen at laptop widths, in both languages', async ({
  page,
  login,
}) => {
  await login('admin', '/cases'); // the longest menu
  for (const lang of ['zh', 'en'] as const) {
    if (lang === 'en') {
      await page.getByTestId('language-switch').click();
      await expect(page.getByTestId('language-switch')).toHaveText('中文');
    }
    for (const width of [1366, 1200]) {
      await page.setViewportSize({ width, height: 768 });
      const fit = await page.evaluate(() => {
        const header = document.querySelector<HTMLElement>('header.top')!;
        const links = [...header.querySelectorAll<HTMLElement>('nav a')];
        const lineHeight = parseFloat(getComputedStyle(links[0]).lineHeight) || 24;
        const buttons = [...header.querySelectorAll<HTMLElement>('.right button, .right a')];
        return {
          overflow: header.scrollWidth - header.clientWidth,
          // A link broken over two lines is about twice its line height tall.
          wrapped: links
            .filter((a) => a.getBoundingClientRect().height > lineHeight * 1.6)
            .map((a) => a.textContent),
          offscreen: buttons
            .filter((b) => b.getBoundingClientRect().right > innerWidth + 0.5)
            .map((b) => b.textContent),
        };
      });
      expect(fit, `${lang} at ${width} px`).toEqual({ overflow: 0, wrapped: [], offscreen: [] });
    }
  }
});
