// Playwright fixtures: one production server per worker, a page that fails the test if it requests
// anything outside the app's origin or breaks the Content-Security-Policy, and a login helper.
import { test as base, expect, type Page } from '@playwright/test';
import { startTestServer, type ServerOptions, type TestServer } from './server';

export type Role = 'admin' | 'leader' | 'officer' | 'staff';

export const test = base.extend<
  {
    foreignRequests: string[];
    cspViolations: string[];
    login: (role: Role, next?: string) => Promise<void>;
  },
  { server: TestServer; serverOptions: ServerOptions }
>({
  // A spec file may ask for a server of its own (`test.use({ serverOptions: … })`): Playwright then gives
  // that file a worker of its own, with its own server.
  serverOptions: [{}, { scope: 'worker', option: true }],
  server: [
    async ({ serverOptions }, use) => {
      const server = await startTestServer(serverOptions.env ?? {}, { embedded: serverOptions.embedded });
      await use(server);
      await server.dispose();
    },
    { scope: 'worker', timeout: 180_000 },
  ],
  baseURL: async ({ server }, use) => use(server.url),
  foreignRequests: async ({ page, server }, use) => {
    const foreign: string[] = [];
    const origin = new URL(server.url).origin;
    page.on('request', (req) => {
      const u = req.url();
      if (u.startsWith('data:') || u.startsWith('blob:')) return;
      if (new URL(u).origin !== origin) foreign.push(u);
    });
    await use(foreign);
    expect(foreign, 'the page requested something outside the app origin').toEqual([]);
  },
  // Every page of every test: a blocked script, style, worker, image or connection fails it. The page's
  // securitypolicyviolation events are reported through a binding; a worker's only reach the console.
  cspViolations: [
    async ({ page }, use) => {
      const violations: string[] = [];
      await page.exposeBinding('__cspViolation', (_source, text: string) => void violations.push(text));
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          const report = (window as unknown as { __cspViolation?: (t: string) => void }).__cspViolation;
          report?.(
            `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`,
          );
        });
      });
      page.on('console', (msg) => {
        if (/Content.Security.Policy/i.test(msg.text())) violations.push(msg.text());
      });
      await use(violations);
      expect(violations, 'the page broke its Content-Security-Policy').toEqual([]);
    },
    { auto: true },
  ],
  login: async ({ page, server, foreignRequests: _ }, use) => {
    // `next`: where to land (default the map console). A test that goes elsewhere straight away lands on a
    // page without WebGL: starting the map only to leave it costs seconds of software rendering.
    await use(async (role: Role, next?: string) => {
      await page.goto(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
      await page.locator('input[name="username"]').fill(role);
      await page.locator('input[name="password"]').fill(server.password);
      await Promise.all([
        page.waitForURL((u) => !u.pathname.startsWith('/login')),
        page.locator('form button[type="submit"]').click(),
      ]);
    });
  },
});

export { expect };

/** Waits until the map page reports that the snapshot is drawn. */
export async function waitForMap(page: Page): Promise<void> {
  await page.waitForFunction(() => window.__citynerve?.ready() === true, null, { timeout: 60_000 });
}
