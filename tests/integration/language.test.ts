// The UI language follows the user: a signed-in user's choice is stored on their account through the real
// route, wins over the browser's cookie on every request, and comes back at the next login (the login action
// writes it into the cookie); anonymous visitors keep the cookie; bad values are refused, naming the field.
import { isRedirect } from '@sveltejs/kit';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Database } from '../../server/db/client';
import { requestLang } from '../../server/http/lang-cookie';
import type { LanguageResponse } from '../../src/lib/api/me';
import { PUT as putLanguage } from '../../src/routes/api/me/language/+server';
import { actions as loginActions } from '../../src/routes/login/+page.server';
import { database, engines, resetDatabase } from './support/databases';
import { callRoute, routeEvent, type TestUser } from './support/routes';

/** A cookie jar standing in for SvelteKit's `cookies`: remembers what a handler set. */
function jar(initial: Record<string, string> = {}) {
  const values = new Map(Object.entries(initial));
  return {
    values,
    get: (name: string) => values.get(name),
    set: (name: string, value: string) => void values.set(name, value),
    delete: (name: string) => void values.delete(name),
  };
}

describe.each(engines())('UI language on %s', (engine) => {
  let db: Database;
  let app: App;
  const password = 'language-test-pw';

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    app = buildApp(loadConfig({ LOG_LEVEL: 'silent' }), db);
    await app.auth.createUser({ username: 'lang-a', displayName: '甲', password, role: 'officer' });
    await app.auth.createUser({ username: 'lang-b', displayName: '乙', password, role: 'leader' });
  });

  async function signIn(username: string) {
    const r = await app.auth.login(username, password, new Date());
    if (!r.ok) throw new Error(`login of ${username} failed: ${r.reason}`);
    return r;
  }

  const put = (user: TestUser | null, body: unknown, cookies = jar()) =>
    callRoute<LanguageResponse & { message?: string }>(putLanguage, {
      ...(routeEvent(app, user, { path: '/api/me/language', body }) as object),
      cookies,
    } as never);

  const storedLanguage = async (username: string) =>
    (
      await db.rows<{ language: string | null }>(sql`select language from users where username = ${username}`)
    )[0].language;

  it('a new user has no stored language and sees zh-CN, whatever the default cookie says', async () => {
    const { user } = await signIn('lang-a');
    expect(user.language).toBeNull();
    expect(requestLang(user, undefined)).toBe('zh-CN');
    expect(requestLang(user, 'en')).toBe('en'); // until they choose, the browser's choice applies
    expect(requestLang(user, 'fr')).toBe('zh-CN');
  });

  it('stores a signed-in user’s switch, which then wins over the cookie and returns at the next login', async () => {
    const first = await signIn('lang-a');
    const cookies = jar({ lang: 'zh-CN' });
    const r = await put({ id: first.user.id, role: 'officer' }, { language: 'en' }, cookies);
    expect(r).toEqual({ status: 200, body: { language: 'en', stored: true } });
    expect(cookies.values.get('lang')).toBe('en');
    expect(await storedLanguage('lang-a')).toBe('en');
    // Another user is untouched.
    expect(await storedLanguage('lang-b')).toBeNull();

    // Every request of any session: the stored language beats a stale or foreign cookie.
    const session = await app.auth.userForToken(first.token, new Date());
    expect(session?.language).toBe('en');
    expect(requestLang(session, 'zh-CN')).toBe('en');
    expect(requestLang(session, undefined)).toBe('en');

    // Logged out, a fresh browser (no cookie) logs in: the login action hands it the stored language.
    await app.auth.logout(first.token);
    const fresh = jar();
    const form = new FormData();
    form.set('username', 'lang-a');
    form.set('password', password);
    const request = new Request('http://localhost/login', { method: 'POST', body: form });
    let thrown: unknown = null;
    try {
      await loginActions.default({
        request,
        cookies: fresh,
        locals: { app },
        url: new URL(request.url),
      } as never);
    } catch (e) {
      thrown = e;
    }
    expect(isRedirect(thrown)).toBe(true);
    expect(fresh.values.get('lang')).toBe('en');
    expect(fresh.values.get('cn_session')).toBeTruthy();

    // Switching back is stored too.
    const back = await put({ id: first.user.id, role: 'officer' }, { language: 'zh-CN' });
    expect(back.body).toEqual({ language: 'zh-CN', stored: true });
    expect(await storedLanguage('lang-a')).toBe('zh-CN');
  });

  it('an anonymous switch only sets the cookie', async () => {
    const before = await db.rows<{ n: number }>(
      sql`select count(*)::int as n from users where language is not null`,
    );
    const cookies = jar();
    const r = await put(null, { language: 'en' }, cookies);
    expect(r).toEqual({ status: 200, body: { language: 'en', stored: false } });
    expect(cookies.values.get('lang')).toBe('en');
    const after = await db.rows<{ n: number }>(
      sql`select count(*)::int as n from users where language is not null`,
    );
    expect(after[0].n).toBe(before[0].n);
    expect(requestLang(null, 'en')).toBe('en');
  });

  it('refuses bad values with a 400 that names the field and the value, changing nothing', async () => {
    const { user } = await signIn('lang-b');
    const me: TestUser = { id: user.id, role: 'leader' };
    const cookies = jar();
    for (const [body, message] of [
      [{ language: 'fr' }, 'language: must be one of zh-CN, en, got "fr"'],
      [{ language: 'EN' }, 'language: must be one of zh-CN, en, got "EN"'],
      [{ language: 7 }, 'language: must be one of zh-CN, en, got 7'],
      [{}, 'language: must be one of zh-CN, en, got nothing'],
    ] as const) {
      const r = await put(me, body, cookies);
      expect(r.status).toBe(400);
      expect(r.body.message).toBe(message);
    }
    const raw = await callRoute<{ message: string }>(putLanguage, {
      ...(routeEvent(app, me, { path: '/api/me/language', rawBody: '{"language":' }) as object),
      cookies,
    } as never);
    expect(raw.status).toBe(400);
    expect(raw.body.message).toMatch(/^request body is not valid JSON/);
    expect(cookies.values.size).toBe(0);
    expect(await storedLanguage('lang-b')).toBeNull();
  });
});
