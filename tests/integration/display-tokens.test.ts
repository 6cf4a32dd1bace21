// Wall-display tokens on every engine, through the real routes, hook and socket handshake: an admin creates
// one (shown once, stored hashed), a kiosk exchanges it for a cookie and reads the wall, the read-only role
// is refused everything else, revoking ends the session at its next request and closes its socket, and bad,
// unknown, revoked and expired tokens are refused with their reason.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import { setAppContext } from '../../server/context';
import type { Database } from '../../server/db/client';
import { DISPLAY_COOKIE } from '../../server/http/display-access';
import { attachRealtime, type Realtime } from '../../server/realtime/socket-server';
import type { SessionUser } from '../../server/services/auth.service';
import { generateDemoCity } from '../../server/sim/generate-city';
import type { CreatedDisplayToken, DisplayTokenList } from '../../src/lib/api/display-tokens';
import type { WallSummary } from '../../src/lib/api/wall';
import { handle } from '../../src/hooks.server';
import { GET as listTokens, POST as createToken } from '../../src/routes/api/admin/display-tokens/+server';
import { POST as revokeToken } from '../../src/routes/api/admin/display-tokens/[id]/revoke/+server';
import { POST as ackAlarm } from '../../src/routes/api/alarms/[id]/ack/+server';
import { GET as listCases } from '../../src/routes/api/cases/+server';
import { POST as caseAction } from '../../src/routes/api/cases/[code]/actions/+server';
import { GET as hotspots } from '../../src/routes/api/hotspots/+server';
import { GET as ranking } from '../../src/routes/api/performance/+server';
import { PUT as overrideRules } from '../../src/routes/api/sensors/[id]/rules/+server';
import { POST as intake } from '../../src/routes/api/tickets/+server';
import { GET as wallSummary } from '../../src/routes/api/wall/summary/+server';
import { load as wallLoad } from '../../src/routes/wall/+page.server';
import { actions as connectActions, load as connectLoad } from '../../src/routes/wall/connect/+page.server';
import { database, engines, resetDatabase } from './support/databases';
import { callRoute, routeEvent, type TestUser } from './support/routes';

const admin: TestUser = { id: 1, role: 'admin' };
const leader: TestUser = { id: 2, role: 'leader' };

/** A cookie jar with SvelteKit's Cookies surface (what the routes and the hook call). */
function jar(initial: Record<string, string> = {}) {
  const values = new Map(Object.entries(initial));
  return {
    values,
    get: (name: string) => values.get(name),
    getAll: () => [...values].map(([name, value]) => ({ name, value })),
    set: (name: string, value: string) => void values.set(name, value),
    delete: (name: string) => void values.delete(name),
    serialize: () => '',
  };
}

/** Runs a load or action, turning SvelteKit's thrown redirects and errors into values. */
async function outcome(fn: () => unknown): Promise<{ redirect?: string; status?: number; data?: unknown }> {
  try {
    return { data: await fn() };
  } catch (err) {
    const e = err as { status?: number; location?: string; body?: unknown };
    if (e.location) return { redirect: e.location, status: e.status };
    if (typeof e.status === 'number') return { status: e.status, data: e.body };
    throw err;
  }
}

describe.each(engines())('display tokens on %s', (engine) => {
  let db: Database;
  let app: App;
  let created: CreatedDisplayToken;
  let displayUser: SessionUser;
  const cookies = jar();

  /** A request through the real hook, as the kiosk whose cookies are in `c`. */
  async function viaHook(c: ReturnType<typeof jar>, method: string, path: string) {
    const url = new URL(`http://localhost${path}`);
    const event = {
      request: new Request(url, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'GET' ? undefined : '{}',
      }),
      url,
      cookies: c,
      locals: {} as App.Locals,
      params: {},
    };
    let reached: SessionUser | null | undefined;
    const res = await handle({
      event: event as never,
      resolve: async (e: { locals: App.Locals }) => {
        reached = e.locals.user;
        return new Response('reached the route');
      },
    });
    return { status: res.status, location: res.headers.get('location'), reached, body: await res.text() };
  }

  /** A request event for a route, as the display session (locals as the hook leaves them). */
  const asDisplay = (opts: Parameters<typeof routeEvent>[2] = {}) => {
    const e = routeEvent(app, null, opts) as unknown as { locals: App.Locals };
    e.locals.user = displayUser;
    return e as never;
  };

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 60, seed: 'display-tokens-it' });
    app = buildApp(loadConfig({ LOG_LEVEL: 'silent' }), db);
    await app.auth.ensureDemoAccounts('demo-password-1');
    setAppContext(app);
  });

  afterAll(() => setAppContext(undefined));

  it('lets an admin create a token, shown once and stored only as its SHA-256', async () => {
    const r = await callRoute<CreatedDisplayToken>(
      createToken,
      routeEvent(app, admin, { path: '/api/admin/display-tokens', body: { name: ' 指挥大厅 左屏 ' } }),
    );
    expect(r.status).toBe(201);
    created = r.body;
    expect(created.token).toMatch(/^cnd_[\w-]{40,}$/);
    expect(created.connectUrl).toBe(`http://localhost/wall/connect?token=${created.token}`);
    expect(created.displayToken).toMatchObject({ name: '指挥大厅 左屏', state: 'active', revokedAt: null });
    const [row] = await db.rows<{ token_hash: string }>(sql`select token_hash from display_tokens`);
    expect(row.token_hash).toBe(createHash('sha256').update(created.token).digest('hex'));

    const list = await callRoute<DisplayTokenList>(listTokens, routeEvent(app, admin));
    expect(list.body.tokens).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(created.token);
    expect(JSON.stringify(list.body)).not.toContain(row.token_hash);
  });

  it('refuses bad creation input with the field named, and non-admins', async () => {
    const create = (body: unknown, user: TestUser = admin) =>
      callRoute<{ message: string }>(createToken, routeEvent(app, user, { body }));
    expect(await create({ name: '  ' })).toMatchObject({ status: 400, body: { message: /name/ } });
    expect(await create({ name: 'x', expiresInDays: 0 })).toMatchObject({
      status: 400,
      body: { message: /expiresInDays/ },
    });
    expect((await create({ name: 'x' }, leader)).status).toBe(403);
    expect((await callRoute(listTokens, routeEvent(app, leader))).status).toBe(403);
    expect((await callRoute(listTokens, routeEvent(app, null))).status).toBe(401);
  });

  it('exchanges the token for a cookie bound to it and opens the wall', async () => {
    const url = new URL(`http://localhost/wall/connect?token=${created.token}&seconds=5&scenes=city`);
    const r = await outcome(() => connectLoad({ locals: { app, user: null }, url, cookies } as never));
    expect(r).toMatchObject({ status: 303, redirect: '/wall?scenes=city&seconds=5' });
    expect(cookies.get(DISPLAY_COOKIE)).toBe(created.token);

    // The hook turns the cookie into a read-only display session.
    const wall = await viaHook(cookies, 'GET', '/wall');
    expect(wall.status).toBe(200);
    expect(wall.reached).toMatchObject({ role: 'display', displayName: '指挥大厅 左屏', departmentId: null });
    displayUser = wall.reached!;

    const page = await outcome(() =>
      wallLoad({
        locals: { app, user: displayUser },
        url: new URL('http://localhost/wall'),
        cookies,
      } as never),
    );
    expect(page.data).toMatchObject({
      displayName: '指挥大厅 左屏',
      schedule: { scenes: ['city', 'districts', 'hotspots'], seconds: 20, staleSeconds: 10 },
    });

    const summary = await callRoute<WallSummary>(wallSummary, asDisplay());
    expect(summary.status).toBe(200);
    expect(summary.body.cases).toMatchObject({ open: expect.any(Number), overdue: expect.any(Number) });
    expect(summary.body.hotline?.hours).toHaveLength(24);
    const [used] = await db.rows<{ last_used_at: unknown }>(sql`select last_used_at from display_tokens`);
    expect(used.last_used_at).not.toBeNull();
  });

  it('keeps the display read-only: every action and every personal-data read is refused', async () => {
    // The routes' own role checks.
    expect((await callRoute(ackAlarm, asDisplay({ params: { id: '1' }, body: {} }))).status).toBe(403);
    expect((await callRoute(intake, asDisplay({ body: { text: '路灯不亮' } }))).status).toBe(403);
    expect(
      (
        await callRoute(
          caseAction,
          asDisplay({ params: { code: 'GD-20260101-1' }, body: { action: 'urge' } }),
        )
      ).status,
    ).toBe(403);
    expect((await callRoute(overrideRules, asDisplay({ params: { id: '1' }, body: {} }))).status).toBe(403);
    expect((await callRoute(listCases, asDisplay())).status).toBe(403);
    expect((await callRoute(hotspots, asDisplay())).status).toBe(403);
    expect((await callRoute(ranking, asDisplay())).status).toBe(403);
    expect((await callRoute(listTokens, asDisplay())).status).toBe(403);

    // The hook's fence: nothing but the wall's reads reaches a route at all.
    for (const [method, path] of [
      ['POST', '/api/alarms/1/ack'],
      ['POST', '/api/tickets'],
      ['GET', '/api/cases'],
      ['GET', '/api/allocation'],
      ['GET', '/api/problems'],
      ['GET', '/api/sensors/1'],
      ['POST', '/api/admin/display-tokens'],
    ]) {
      const r = await viaHook(cookies, method, path);
      expect(r, `${method} ${path}`).toMatchObject({ status: 403, reached: undefined });
      expect(JSON.parse(r.body)).toEqual({ message: 'a wall display may only read the wall' });
    }
    const admin = await viaHook(cookies, 'GET', '/admin');
    expect(admin).toMatchObject({ status: 303, location: '/wall', reached: undefined });
    expect((await viaHook(cookies, 'GET', '/api/wall/summary')).status).toBe(200);
    expect((await viaHook(cookies, 'GET', '/api/map/boundaries')).status).toBe(200);
  });

  it('ends the display session at its next request once the token is revoked', async () => {
    const r = await callRoute<{ displayToken: { state: string; revokedAt: string } }>(
      revokeToken,
      routeEvent(app, admin, { params: { id: String(created.displayToken.id) }, body: {} }),
    );
    expect(r.status).toBe(200);
    expect(r.body.displayToken.state).toBe('revoked');

    const next = await viaHook(cookies, 'GET', '/api/wall/summary');
    expect(next.reached).toBeNull(); // no session: the route answers 401
    expect((await callRoute(wallSummary, routeEvent(app, null))).status).toBe(401);

    // The wall page tells the kiosk why, and forgets the cookie.
    const page = await outcome(() =>
      wallLoad({ locals: { app, user: null }, url: new URL('http://localhost/wall'), cookies } as never),
    );
    expect(page.redirect).toMatch(/^\/wall\/connect\?refused=revoked&at=/);
    expect(cookies.get(DISPLAY_COOKIE)).toBeUndefined();

    // Revoking again changes nothing; an unknown id is 404; only admins may revoke.
    const again = await callRoute<{ displayToken: { revokedAt: string } }>(
      revokeToken,
      routeEvent(app, admin, { params: { id: String(created.displayToken.id) }, body: {} }),
    );
    expect(again.body.displayToken.revokedAt).toBe(r.body.displayToken.revokedAt);
    expect(
      (await callRoute(revokeToken, routeEvent(app, admin, { params: { id: '999' }, body: {} }))).status,
    ).toBe(404);
    expect(
      (await callRoute(revokeToken, routeEvent(app, leader, { params: { id: '1' }, body: {} }))).status,
    ).toBe(403);
  });

  it('refuses bad, unknown, revoked and expired tokens, each with its reason', async () => {
    const tryToken = (token: string) =>
      outcome(() =>
        connectLoad({
          locals: { app, user: null },
          url: new URL(`http://localhost/wall/connect?token=${encodeURIComponent(token)}`),
          cookies: jar(),
        } as never),
      );
    expect((await tryToken('')).data).toEqual({ refusal: 'missing', at: null });
    expect((await tryToken('hunter2')).data).toEqual({ refusal: 'malformed', at: null });
    expect((await tryToken(`cnd_${'A'.repeat(43)}`)).data).toEqual({ refusal: 'unknown', at: null });
    const revoked = await tryToken(created.token);
    expect(revoked.data).toMatchObject({ refusal: 'revoked', at: expect.stringMatching(/^\d{4}-/) });

    // The form posts the same way (401 with the reason).
    const form = new FormData();
    form.set('token', created.token);
    const posted = await outcome(() =>
      connectActions.default({
        locals: { app, user: null },
        url: new URL('http://localhost/wall/connect'),
        cookies: jar(),
        request: new Request('http://localhost/wall/connect', { method: 'POST', body: form }),
      } as never),
    );
    expect(posted.data).toMatchObject({ status: 401, data: { refusal: 'revoked' } });

    // An expiring token works until its end and is refused after.
    const now = new Date();
    const { token } = await app.displayTokens.create({ name: '临时屏', expiresInDays: 1 }, 1, now);
    expect((await app.displayTokens.check(token, new Date(now.getTime() + 3_600_000))).ok).toBe(true);
    const late = await app.displayTokens.check(token, new Date(now.getTime() + 2 * 86_400_000));
    expect(late).toMatchObject({ ok: false, reason: 'expired' });
  });

  it("sums the wall: open cases by deadline per unit, and today's calls against the weeks before", async () => {
    const now = new Date('2026-03-11T06:30:00Z'); // 14:30 in Shanghai
    const at = (hoursFromNow: number) => new Date(now.getTime() + hoursFromNow * 3_600_000).toISOString();
    const depts = await db.rows<{ id: number; name: string }>(
      sql`select id, name from departments order by id limit 2`,
    );
    const [d1, d2] = depts.map((d) => Number(d.id));
    await db.orm.execute(sql`
      insert into cases (code, title, state, department_id, sign_due_at, due_soon_at, due_at) values
        ('GD-WALL-1', '甲', 'dispatched', ${d1}, ${at(-1)}::timestamptz, null, null),
        ('GD-WALL-2', '乙', 'signed', ${d1}, null, ${at(-1)}::timestamptz, ${at(2)}::timestamptz),
        ('GD-WALL-3', '丙', 'in_progress', ${d2}, null, ${at(-30)}::timestamptz, ${at(-24)}::timestamptz),
        ('GD-WALL-4', '丁', 'received', null, null, null, null),
        ('GD-WALL-5', '戊', 'closed', ${d2}, null, ${at(-30)}::timestamptz, ${at(-24)}::timestamptz)`);
    // 09:10 Shanghai today (6 calls), a week before (4) and two weeks before (2); the first call 30 days ago.
    const nineTen = (daysBack: number) => new Date(Date.UTC(2026, 2, 11 - daysBack, 1, 10)).toISOString();
    await db.orm.execute(sql`
      insert into hotline_tickets (received_at, channel, text, source)
      select t::timestamptz, 'phone', '测试来电', 'test'
      from unnest(${`{${[
        ...Array(6).fill(nineTen(0)),
        ...Array(4).fill(nineTen(7)),
        ...Array(2).fill(nineTen(14)),
        nineTen(30),
      ].join(',')}}`}::text[]) t`);

    const { wallService } = await import('../../server/services/wall.service');
    const wall = wallService({
      db,
      calendar: app.calendar,
      hotspots: app.hotspots,
      log: app.log,
      schedule: app.wall.schedule,
    });
    const s = await wall.summary(now);
    expect(s.cases).toMatchObject({ open: 4, overdue: 2, dueSoon: 1 });
    expect(s.cases!.units[0]).toMatchObject({ departmentId: d1, overdue: 1, dueSoon: 1, open: 2 });
    expect(s.cases!.units.map((u) => u.departmentId)).toEqual([d1, d2]);
    expect(s.hotline).toMatchObject({ today: 6, baselineDays: 4, normalSoFar: 1.5, change: 3 });
    expect(s.hotline!.hours[9]).toEqual({ hour: 9, today: 6, normal: 1.5 });
    expect(s.ranking?.units.length).toBeGreaterThan(0);
    expect(s.hotspots).toMatchObject({ days: 7, cells: [] });
    // Nothing in it names a caller or quotes a complaint.
    expect(JSON.stringify(s)).not.toContain('测试来电');
    expect(JSON.stringify(s)).not.toContain('GD-WALL');
  });

  describe('live connection', () => {
    let server: Server;
    let realtime: Realtime;
    let base: string;

    beforeAll(async () => {
      server = createServer();
      realtime = attachRealtime(server, app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await realtime.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('signs the display socket in with its cookie and closes it when the token is revoked', async () => {
      const { token, view } = await app.displayTokens.create({ name: '北屏' }, 1, new Date());
      const socket = connectSocket(base, {
        transports: ['websocket'],
        reconnection: false,
        extraHeaders: { cookie: `${DISPLAY_COOKIE}=${token}` },
      });
      const hello = await new Promise<{ user: { role: string } | null }>((resolve, reject) => {
        socket.on('hello', resolve);
        socket.on('connect_error', reject);
      });
      expect(hello.user).toMatchObject({ role: 'display', displayName: '北屏' });

      const closed = new Promise<string>((resolve) => socket.on('disconnect', resolve));
      await callRoute(revokeToken, routeEvent(app, admin, { params: { id: String(view.id) }, body: {} }));
      expect(await closed).toBe('io server disconnect');

      // And it cannot come back.
      const again = connectSocket(base, {
        transports: ['websocket'],
        reconnection: false,
        extraHeaders: { cookie: `${DISPLAY_COOKIE}=${token}` },
      });
      const err = await new Promise<Error>((resolve) => again.on('connect_error', resolve));
      expect(err.message).toContain('unauthorized');
      again.close();
      socket.close();
    });

    it('refuses a live connection opened by a page of another site, even with a valid cookie', async () => {
      const { token } = await app.displayTokens.create({ name: '南屏' }, 1, new Date());
      const open = (origin: string) =>
        new Promise<string>((resolve) => {
          const socket = connectSocket(base, {
            transports: ['websocket'],
            reconnection: false,
            extraHeaders: { cookie: `${DISPLAY_COOKIE}=${token}`, origin },
          });
          socket.on('hello', () => (socket.close(), resolve('connected')));
          socket.on('connect_error', (err) => (socket.close(), resolve(`refused: ${err.message}`)));
        });
      expect(await open('https://evil.example')).toMatch(/^refused/);
      expect(await open('http://127.0.0.1:1')).toMatch(/^refused/);
      expect(await open(base)).toBe('connected');
    });
  });
});
