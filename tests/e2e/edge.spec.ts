// The HTTP edge of the production server in a real browser: the Content-Security-Policy and its companions
// on pages, API answers and static files; an inline script injected into a page does not run; long and
// control-character parameters get a quick 400; a write from another origin is refused.
import { test, expect } from './support/fixtures';

test('pages, API answers and static files carry the security headers', async ({ page, request }) => {
  const res = await page.goto('/login');
  const h = res!.headers();
  const csp = h['content-security-policy'];
  expect(csp).toContain("default-src 'self'");
  // No inline script but SvelteKit's own, named by hash or nonce.
  const scriptSrc = csp.split(/[;,]/).find((d) => d.trim().startsWith('script-src'))!;
  expect(scriptSrc).not.toContain('unsafe-inline');
  expect(scriptSrc).toMatch(/'(sha256-|nonce-)/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(h['x-content-type-options']).toBe('nosniff');
  expect(h['referrer-policy']).toBe('same-origin');
  expect(h['x-frame-options']).toBe('DENY');

  const api = await request.get('/api/health');
  expect(api.headers()['x-content-type-options']).toBe('nosniff');
  expect(api.headers()['content-security-policy']).toContain("frame-ancestors 'none'");

  const asset =
    (await page.locator('link[rel="modulepreload"], script[src]').first().getAttribute('href')) ??
    (await page.locator('script[src]').first().getAttribute('src'));
  const file = await request.get(new URL(asset!, page.url()).pathname);
  expect(file.status()).toBe(200);
  expect(file.headers()['x-content-type-options']).toBe('nosniff');
  expect(file.headers()['referrer-policy']).toBe('same-origin');
});

test('an inline script injected into a page does not run', async ({ page, cspViolations }) => {
  await page.goto('/login');
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true';
    document.body.append(s);
  });
  await expect.poll(() => cspViolations.some((v) => v.startsWith('script-src'))).toBe(true);
  expect(
    await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected),
  ).toBeUndefined();
  cspViolations.length = 0; // the one violation this test provoked
});

test('the wall may not be framed unless WALL_FRAME_ANCESTORS says so', async ({ request }) => {
  const res = await request.get('/wall', { maxRedirects: 0 });
  expect(res.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
});

test('a signed-in user cannot stall the API with a long or odd parameter', async ({ page, login }) => {
  await login('officer', '/cases');
  const t0 = Date.now();
  const long = await page.request.get(`/api/cases?q=${'x'.repeat(10_000)}`);
  expect(long.status()).toBe(400);
  expect((await long.json()).message).toBe('query parameter "q" is longer than 200 characters (10000)');
  for (const [path, name] of [
    ['/api/hotspots', 'source'],
    ['/api/hotspots', 'days'],
    ['/api/problems', 'days'],
    ['/api/problems', 'category'],
    ['/api/performance', 'month'],
    ['/api/performance', 'scheme'],
  ]) {
    const r = await page.request.get(`${path}?${name}=${'7'.repeat(10_000)}`);
    expect(r.status(), `${path} ${name}`).toBe(400);
    expect((await r.json()).message).toContain(`"${name}"`);
  }
  const nul = await page.request.get('/api/cases?q=%00');
  expect(nul.status()).toBe(400);
  expect((await nul.json()).message).toContain('"q" contains a control character');
  expect(Date.now() - t0).toBeLessThan(10_000);
  // Beyond Node's header limit (16 KB) the server itself answers 431 at once.
  const huge = await page.request.get(`/api/cases?q=${encodeURIComponent('路'.repeat(10_000))}`);
  expect(huge.status()).toBe(431);
  // A long legal search still answers.
  const legal = await page.request.get(`/api/cases?q=${encodeURIComponent('路灯'.repeat(100))}`);
  expect(legal.status()).toBe(200);
});

test('a write from another origin is refused; the app’s own form and fetch calls pass', async ({
  page,
  login,
}) => {
  await login('officer', '/cases');
  const foreign = await page.request.post('/api/tickets', {
    headers: { origin: 'http://evil.example' },
    data: { channel: 'phone', text: '跨站提交的工单' },
  });
  expect(foreign.status()).toBe(403);
  const bare = await page.request.post('/api/tickets', {
    headers: { 'content-type': 'text/plain', origin: new URL(page.url()).origin },
    data: JSON.stringify({ channel: 'phone', text: '没有内容类型的工单' }),
  });
  expect(bare.status()).toBe(415);
  expect((await bare.json()).message).toContain('application/json');
  // The page's own fetch (the browser adds its Origin).
  const status = await page.evaluate(async () => {
    const r = await fetch('/api/tickets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'phone', text: '本站页面提交的工单 路灯不亮' }),
    });
    return r.status;
  });
  expect(status).toBe(201);
});
