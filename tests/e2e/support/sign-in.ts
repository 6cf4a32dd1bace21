// Signing in a page of a browser context of the test's own (the `login` fixture only serves `page`).
import type { Browser, Page } from '@playwright/test';
import type { Role } from './fixtures';

/**
 * A new browser context on the test server, signed in as the demo account of `role`, on `next` (default the
 * map console; a context used for API calls or navigation elsewhere lands on a page without WebGL).
 */
export async function signedInPage(
  browser: Browser,
  baseURL: string,
  role: Role,
  password: string,
  next?: string,
): Promise<Page> {
  const context = await browser.newContext({ baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  await page.goto(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
  await page.locator('input[name="username"]').fill(role);
  await page.locator('input[name="password"]').fill(password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.locator('form button[type="submit"]').click(),
  ]);
  return page;
}
