// Sign-in hardening on a real database: a run of wrong passwords is slowed and then refused (and the right
// password works again once the refusal passes), an unknown login name is answered like a wrong password
// in words and in time, the counters are shared by two nodes on one database, the audit records every
// attempt without the password, the admins' view pages and filters it, and retention bounds it.
import { sql } from 'drizzle-orm';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Database } from '../../server/db/client';
import { actions as loginActions } from '../../src/routes/login/+page.server';
import { load as loginsLoad } from '../../src/routes/admin/logins/+page.server';
import { database, engines, resetDatabase } from './support/databases';

const PASSWORD = 'right-password-42';
const t0 = new Date('2026-12-07T09:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

/** Defaults except the log; the spec's numbers follow them (5 free failures, limit 10, 15 min). */
const config = (extra: Record<string, string> = {}) => loadConfig({ LOG_LEVEL: 'silent', ...extra });

/** Posts the login form through the real action from `address`; what the page would get back. */
async function postLogin(app: App, username: string, password: string, address: string) {
  const body = new URLSearchParams({ username, password });
  const request = new Request('http://localhost/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const headers: Record<string, string> = {};
  try {
    const r = (await loginActions.default({
      request,
      cookies: { get: () => undefined, set: () => {}, delete: () => {} },
      locals: { app },
      url: new URL(request.url),
      getClientAddress: () => address,
      setHeaders: (h: Record<string, string>) => Object.assign(headers, h),
    } as never)) as { status: number; data: Record<string, unknown> };
    return { status: r.status, data: r.data, headers };
  } catch (e) {
    const redirect = e as { status?: number; location?: string };
    if (redirect.status === 303) return { status: 303, data: { location: redirect.location }, headers };
    throw e;
  }
}

describe.each(engines())('sign-in throttling and audit on %s', (engine) => {
  let db: Database;
  let app: App;

  beforeAll(async () => {
    db = await database(engine);
  });

  beforeEach(async () => {
    await resetDatabase(db);
    app = buildApp(config(), db);
    await app.auth.createUser({
      username: 'victim',
      displayName: '受害者',
      password: PASSWORD,
      role: 'officer',
    });
    await app.auth.createUser({
      username: 'admin1',
      displayName: '管理员',
      password: PASSWORD,
      role: 'admin',
    });
  });

  const outcomes = async () =>
    (await db.rows<{ outcome: string }>(sql`select outcome from login_audit order by id`)).map(
      (r) => r.outcome,
    );

  it('20 wrong passwords a second apart: 6 are checked, 3 must wait, then all are refused for 15 minutes', async () => {
    const reasons: string[] = [];
    const waits: number[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await app.auth.login('victim', `guess-${i}`, at(i * 1000), '203.0.113.9');
      if (r.ok) throw new Error('a guess signed in');
      reasons.push(r.reason);
      if ('retryAfterS' in r) waits.push(r.retryAfterS);
    }
    expect(reasons).toEqual([
      ...Array(7).fill('bad_credentials'),
      ...Array(3).fill('throttled'),
      ...Array(10).fill('refused'),
    ]);
    // Back-off 1 s after the 6th failure, 2 s after the 7th, 4 and 8 s; then the 15-minute refusal.
    expect(waits.slice(0, 3)).toEqual([1, 3, 7]);
    expect(waits[3]).toBe(900 - 1);
    // The right password is refused as well while the refusal lasts, from any address...
    const during = await app.auth.login('victim', PASSWORD, at(60_000), '198.51.100.1');
    expect(during).toMatchObject({ ok: false, reason: 'refused' });
    // ...and works once it has passed (the refusal began with the 10th attempt, at +9 s).
    const after = await app.auth.login('victim', PASSWORD, at(9000 + 900_000), '198.51.100.1');
    expect(after.ok).toBe(true);
    expect(await outcomes()).toEqual([
      ...Array(7).fill('wrong_password'),
      ...Array(3).fill('throttled'),
      ...Array(11).fill('refused'),
      'ok',
    ]);
  });

  it('an attacker who keeps a name refused does not lock its user out of an address they signed in from', async () => {
    expect((await app.auth.login('victim', PASSWORD, at(0), '198.51.100.60')).ok).toBe(true);
    for (let i = 0; i < 12; i++)
      await app.auth.login('victim', `guess-${i}`, at(1000 + i * 1000), '203.0.113.9');
    // Refused from the attacker's address and from any address the user never signed in from...
    expect(await app.auth.login('victim', PASSWORD, at(20_000), '203.0.113.9')).toMatchObject({
      reason: 'refused',
    });
    expect(await app.auth.login('victim', PASSWORD, at(20_000), '198.51.100.61')).toMatchObject({
      reason: 'refused',
    });
    // ...but not from the user's own, where a typo is still only a wrong password.
    expect(await app.auth.login('victim', 'typo', at(21_000), '198.51.100.60')).toEqual({
      ok: false,
      reason: 'bad_credentials',
    });
    expect((await app.auth.login('victim', PASSWORD, at(22_000), '198.51.100.60')).ok).toBe(true);
    // Thirty-one days later that address is no longer known (LOGIN_KNOWN_ADDRESS_DAYS = 30).
    const later = 31 * 86_400_000;
    for (let i = 0; i < 10; i++) await app.auth.login('victim', `g${i}`, at(later + i * 1000), '203.0.113.9');
    expect(await app.auth.login('victim', PASSWORD, at(later + 20_000), '198.51.100.60')).toMatchObject({
      reason: 'refused',
    });
  });

  it('a success clears the account counter: a user who mistyped five times is not slowed afterwards', async () => {
    for (let i = 0; i < 5; i++) await app.auth.login('victim', 'typo', at(i * 1000), '198.51.100.7');
    expect((await app.auth.login('victim', PASSWORD, at(6000), '198.51.100.7')).ok).toBe(true);
    for (let i = 0; i < 5; i++) {
      const r = await app.auth.login('victim', 'typo', at(10_000 + i * 1000), '198.51.100.7');
      expect(r).toEqual({ ok: false, reason: 'bad_credentials' });
    }
  });

  it('an address spraying many login names is slowed after 20 failures and refused after 100', async () => {
    const reasons: string[] = [];
    // One guess per name a second apart, so no account counter ever matters.
    for (let i = 0; i < 130; i++) {
      const r = await app.auth.login(`user${i}`, 'Password1', at(i * 1000), '203.0.113.50');
      reasons.push(r.ok ? 'ok' : r.reason);
    }
    expect(reasons.slice(0, 20)).toEqual(Array(20).fill('bad_credentials'));
    expect(reasons.slice(20)).toContain('throttled');
    expect(reasons.at(-1)).toBe('refused');
    // The same time, another address signs in at once: the limit is the attacker's, not everyone's.
    expect((await app.auth.login('victim', PASSWORD, at(200_000), '198.51.100.2')).ok).toBe(true);
    expect(await app.auth.login('victim', PASSWORD, at(200_000), '203.0.113.50')).toMatchObject({
      reason: 'refused',
    });
  });

  it('a sprayer cannot reset its address counter by signing in to its own account', async () => {
    // 25 failures 5 s apart: the last one (the 25th, at +120 s) asks for 16 s.
    for (let i = 0; i < 25; i++) await app.auth.login(`name${i}`, 'x', at(i * 5000), '203.0.113.77');
    expect((await app.auth.login('admin1', PASSWORD, at(136_000), '203.0.113.77')).ok).toBe(true);
    const next = await app.auth.login('name99', 'x', at(136_100), '203.0.113.77');
    expect(next).toMatchObject({ ok: false, reason: 'throttled' });
  });

  it('two nodes on one database share the counters, even for guesses sent in parallel', async () => {
    const nodeB = buildApp(config(), db);
    const guesses = Array.from({ length: 30 }, (_, i) =>
      (i % 2 ? app : nodeB).auth.login('victim', `parallel-${i}`, t0, `203.0.113.${100 + (i % 5)}`),
    );
    const results = await Promise.all(guesses);
    expect(results.every((r) => !r.ok)).toBe(true);
    // Each attempt is counted before its password is checked, so parallelism buys nothing: 5 free + 1
    // checked, 4 told to wait (counted too; the 10th locks), the other 20 are refused.
    const counts = await db.rows<{ outcome: string; n: number }>(
      sql`select outcome, count(*)::int as n from login_audit group by outcome order by outcome`,
    );
    expect(Object.fromEntries(counts.map((c) => [c.outcome, c.n]))).toEqual({
      wrong_password: 6,
      throttled: 4,
      refused: 20,
    });
    // Node A refuses what node B counted.
    expect(await app.auth.login('victim', PASSWORD, at(1000), '198.51.100.3')).toMatchObject({
      reason: 'refused',
    });
  });

  it('the audit stores who tried which name, from where and when, never the password', async () => {
    await app.auth.login('victim', PASSWORD, at(0), '198.51.100.4');
    await app.auth.login('victim', 'Secret-Guess-1', at(1000), '198.51.100.4');
    await app.auth.login('nobody-here', 'Secret-Guess-2', at(2000), '2001:db8::5');
    const rows = await db.rows<{
      login_name: string;
      user_id: number | null;
      address: string;
      outcome: string;
    }>(sql`select login_name, user_id, address, outcome from login_audit order by id`);
    const victimId = (await db.rows<{ id: number }>(sql`select id from users where username = 'victim'`))[0]
      .id;
    expect(rows).toEqual([
      { login_name: 'victim', user_id: victimId, address: '198.51.100.4', outcome: 'ok' },
      { login_name: 'victim', user_id: victimId, address: '198.51.100.4', outcome: 'wrong_password' },
      { login_name: 'nobody-here', user_id: null, address: '2001:db8::5', outcome: 'unknown_user' },
    ]);
    const leaked = await db.rows<{ n: number }>(sql`
      select (select count(*) from login_audit a where a::text ilike '%secret-guess%' or a::text ilike ${'%' + PASSWORD + '%'})
           + (select count(*) from login_throttle t where t::text ilike '%secret-guess%') as n`);
    expect(Number(leaked[0].n)).toBe(0);
  });

  it('retention deletes audit rows past LOGIN_AUDIT_RETENTION_DAYS and counters that no longer matter', async () => {
    const now = new Date('2027-03-01T00:00:00Z');
    await app.auth.login('victim', 'old', new Date(now.getTime() - 91 * 86_400_000), '198.51.100.5');
    await app.auth.login('victim', 'recent', new Date(now.getTime() - 89 * 86_400_000), '198.51.100.5');
    await app.auth.login('victim', 'now', new Date(now.getTime() - 60_000), '198.51.100.6');
    const gone = await app.loginGuard.prune(now);
    expect(gone.audit).toBe(1);
    expect(await outcomes()).toHaveLength(2);
    // Only the counters of the last minute's attempt are left (its account and its address).
    const keys = await db.rows<{ key: string }>(sql`select key from login_throttle order by key`);
    expect(keys.map((k) => k.key)).toEqual(['account:victim', 'address:198.51.100.6']);
  });

  describe('the admins view', () => {
    const admin = {
      id: 1,
      role: 'admin' as const,
      username: 'admin1',
      displayName: '管理员',
      departmentId: null,
    };
    const view = (query: string, user: typeof admin | { role: 'officer' } = admin) =>
      loginsLoad({
        locals: { app, user },
        url: new URL(`http://localhost/admin/logins${query}`),
      } as never) as Promise<{
        rows: { loginName: string; outcome: string; at: string }[];
        total: number;
        page: number;
        pages: number;
      }>;

    beforeEach(async () => {
      // Stored as the login path stores them (no password checks: the view is what is tested here).
      const victimId = (await db.rows<{ id: number }>(sql`select id from users where username = 'victim'`))[0]
        .id;
      for (let i = 0; i < 55; i++)
        await app.loginGuard.audit({
          loginName: i % 2 ? 'victim' : `ghost${i}`,
          userId: i % 2 ? victimId : null,
          address: '198.51.100.8',
          outcome: i % 2 ? 'wrong_password' : 'unknown_user',
          at: at(i * 600_000),
        });
      await app.auth.login('victim', PASSWORD, at(56 * 600_000), '198.51.100.8');
    });

    it('lists the newest first, 50 a page, and pages on', async () => {
      const first = await view('');
      expect(first.total).toBe(56);
      expect(first.pages).toBe(2);
      expect(first.rows).toHaveLength(50);
      expect(first.rows[0]).toMatchObject({ loginName: 'victim', outcome: 'ok' });
      const times = first.rows.map((r) => r.at);
      expect([...times].sort().reverse()).toEqual(times);
      const second = await view('?page=2');
      expect(second.rows).toHaveLength(6);
      expect(second.rows.at(-1)).toMatchObject({ loginName: 'ghost0', outcome: 'unknown_user' });
    });

    it('filters by outcome and by login name (any case)', async () => {
      const unknown = await view('?outcome=unknown_user');
      expect(unknown.total).toBe(28);
      expect(unknown.rows.every((r) => r.outcome === 'unknown_user')).toBe(true);
      const victim = await view('?login=VICTIM');
      expect(victim.total).toBe(28);
      expect(new Set(victim.rows.map((r) => r.outcome))).toEqual(new Set(['wrong_password', 'ok']));
    });

    it('answers 400 naming the parameter for a bad filter, and 403 to other roles', async () => {
      await expect(view('?outcome=maybe')).rejects.toMatchObject({
        status: 400,
        body: { message: expect.stringContaining('"outcome"') },
      });
      await expect(view('?page=0')).rejects.toMatchObject({ status: 400 });
      await expect(view('?page=abc')).rejects.toMatchObject({
        status: 400,
        body: { message: expect.stringContaining('"page"') },
      });
      await expect(
        view('', { id: 2, role: 'officer', username: 'o', displayName: 'o', departmentId: null } as never),
      ).rejects.toMatchObject({ status: 403 });
    });
  });

  describe('no user enumeration', () => {
    it('an unknown login name gets the same answer as a wrong password, and is throttled alike', async () => {
      const known = await postLogin(app, 'victim', 'wrong-one', '198.51.100.20');
      const unknown = await postLogin(app, 'nobody', 'wrong-one', '198.51.100.21');
      expect(unknown.status).toBe(known.status);
      expect({ ...unknown.data, username: '' }).toEqual({ ...known.data, username: '' });
      expect(known.data).toEqual({ username: 'victim', error: 'bad_credentials' });
      // The same run of attempts on both gives the same sequence of answers.
      const runOf = async (name: string) => {
        const out: string[] = [];
        for (let i = 0; i < 12; i++) {
          const r = await app.auth.login(
            name,
            'w',
            at(i * 1000),
            `198.51.100.${30 + (name === 'admin1' ? 0 : 1)}`,
          );
          out.push(r.ok ? 'ok' : r.reason);
        }
        return out;
      };
      expect(await runOf('nobody2')).toEqual(await runOf('admin1'));
    });

    it('takes the same time for an unknown login name as for a wrong password (medians of 9, within a factor of 3)', async () => {
      // Generous limits here: this measures the password check, not the throttle.
      const timed = buildApp(
        config({
          LOGIN_ACCOUNT_FREE_FAILURES: '1000',
          LOGIN_ACCOUNT_LIMIT: '2000',
          LOGIN_ADDRESS_FREE_FAILURES: '1000',
          LOGIN_ADDRESS_LIMIT: '2000',
        }),
        db,
      );
      const once = async (name: string) => {
        const start = performance.now();
        const r = await postLogin(timed, name, 'wrong-password', '198.51.100.40');
        expect(r.data.error).toBe('bad_credentials');
        return performance.now() - start;
      };
      await once('victim');
      await once('nobody');
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 9; i++) {
        known.push(await once('victim'));
        unknown.push(await once(`nobody${i}`));
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const k = median(known);
      const u = median(unknown);
      console.log(
        `sign-in timing on ${engine}: wrong password ${k.toFixed(1)} ms, unknown user ${u.toFixed(1)} ms`,
      );
      // Both pay one scrypt (about 60 ms on a quiet machine); without the dummy hash the unknown one would
      // take a few ms, more than ten times less. A factor of 3 either way leaves room for a busy machine.
      expect(u).toBeGreaterThan(k / 3);
      expect(u).toBeLessThan(k * 3);
    });
  });
});
