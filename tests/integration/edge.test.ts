// The HTTP edge through a real socket: parameter caps and control characters answered with a 400 naming
// the parameter, cross-site writes refused, JSON bodies with a JSON type only, security headers, and
// fuzzed parameters and bodies that never get a 500, a stack trace or SQL text back.
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Database } from '../../server/db/client';
import { generateDemoCity } from '../../server/sim/generate-city';
import * as alarms from '../../src/routes/api/alarms/+server';
import * as allocation from '../../src/routes/api/allocation/+server';
import * as caseActions from '../../src/routes/api/cases/[code]/actions/+server';
import * as cases from '../../src/routes/api/cases/+server';
import * as health from '../../src/routes/api/health/+server';
import * as hotspots from '../../src/routes/api/hotspots/+server';
import * as performance from '../../src/routes/api/performance/+server';
import * as problems from '../../src/routes/api/problems/+server';
import * as sensor from '../../src/routes/api/sensors/[id]/+server';
import * as tickets from '../../src/routes/api/tickets/+server';
import * as o311Request from '../../src/routes/open311/v2/requests/[file]/+server';
import * as o311Requests from '../../src/routes/open311/v2/requests.[format]/+server';
import * as o311Services from '../../src/routes/open311/v2/services.[format]/+server';
import { database, engines, resetDatabase, tableCounts } from './support/databases';
import { startEdgeServer, type RouteModule } from './support/edge-server';

const ROUTES: [string, RouteModule][] = [
  ['/api/health', health],
  ['/api/cases', cases],
  ['/api/cases/[code]/actions', caseActions],
  ['/api/hotspots', hotspots],
  ['/api/problems', problems],
  ['/api/performance', performance],
  ['/api/allocation', allocation],
  ['/api/alarms', alarms],
  ['/api/sensors/[id]', sensor],
  ['/api/tickets', tickets],
  ['/open311/v2/requests.[format]', o311Requests],
  ['/open311/v2/requests/[file]', o311Request],
  ['/open311/v2/services.[format]', o311Services],
];

/** Each endpoint's query parameters (what its parser reads). */
const FILTERS: Record<string, string[]> = {
  '/api/cases': [
    'q',
    'state',
    'deadline',
    'category',
    'triage',
    'source',
    'street',
    'department',
    'limit',
    'offset',
  ],
  '/api/hotspots': ['source', 'days', 'cell', 'category', 'to'],
  '/api/problems': ['days', 'category', 'street', 'sort', 'limit', 'month'],
  '/api/performance': ['month', 'scheme', 'year'],
};

/** What must never reach a caller: SQL, driver names, stack frames, file paths. */
const LEAK =
  /\bselect\s|syntax error|\bat\s+\S+\s+\(|\bat\s+(file|node):|postgres|pglite|drizzle|\/work\/|node_modules|\.ts:\d+/i;

const PASSWORD = 'edge-test-password-1';

describe.each(engines())('the HTTP edge on %s', (engine) => {
  let db: Database;
  let app: App;
  let server: Awaited<ReturnType<typeof startEdgeServer>>;
  const cookie: Record<'admin' | 'staff', string> = { admin: '', staff: '' };
  let caseCode = '';

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 60, seed: 'edge-it' });
    app = buildApp(
      loadConfig({ LOG_LEVEL: 'silent', WALL_FRAME_ANCESTORS: 'https://portal.example.gov' }),
      db,
    );
    await app.auth.ensureDemoAccounts(PASSWORD);
    for (const role of ['admin', 'staff'] as const) {
      const r = await app.auth.login(role, PASSWORD, new Date());
      if (!r.ok) throw new Error(`cannot sign in as ${role}`);
      cookie[role] = `cn_session=${r.token}`;
    }
    server = await startEdgeServer(app, ROUTES);
    const intake = await post('/api/tickets', {
      channel: 'phone',
      text: '阳曲路 路灯不亮 已经三天了',
      address: '阳曲路 100 号',
    });
    expect(intake.status).toBe(201);
    const [c] = await db.rows<{ code: string }>(sql`select code from cases order by id limit 1`);
    caseCode = c.code;
  });

  afterAll(() => server?.close());

  const get = async (path: string, role: 'admin' | 'staff' | null = 'admin') => {
    const t0 = Date.now();
    const res = await fetch(server.origin + path, { headers: role ? { cookie: cookie[role] } : {} });
    const text = await res.text();
    return { status: res.status, text, headers: res.headers, ms: Date.now() - t0 };
  };

  async function post(
    path: string,
    body: unknown,
    opts: { role?: 'admin' | 'staff'; type?: string | null; origin?: string | null; raw?: string } = {},
  ) {
    const headers: Record<string, string> = { cookie: cookie[opts.role ?? 'admin'] };
    if (opts.type !== null) headers['content-type'] = opts.type ?? 'application/json';
    if (opts.origin !== null) headers.origin = opts.origin ?? server.origin;
    const res = await fetch(server.origin + path, {
      method: 'POST',
      headers,
      body: opts.raw ?? JSON.stringify(body),
    });
    return { status: res.status, text: await res.text() };
  }

  it('answers a 10,000-character search at once with a 400 naming q, and still answers a long legal one', async () => {
    const long = await get(`/api/cases?q=${'x'.repeat(10_000)}`);
    expect(long.status).toBe(400);
    expect(JSON.parse(long.text).message).toMatch(/^query parameter "q" is longer than 200 characters/);
    expect(long.ms).toBeLessThan(2000);
    const legal = await get(`/api/cases?q=${encodeURIComponent('路灯'.repeat(100))}`);
    expect(legal.status).toBe(200);
    const found = await get(`/api/cases?q=${encodeURIComponent('路灯不亮')}`);
    expect(found.status).toBe(200);
    expect(JSON.parse(found.text).cases.map((c: { code: string }) => c.code)).toContain(caseCode);
  });

  it('refuses a 10,000-character value in every filter of cases, hot spots, problems and performance, naming it', async () => {
    for (const [path, names] of Object.entries(FILTERS))
      for (const name of names) {
        const r = await get(`${path}?${name}=${'9'.repeat(10_000)}`);
        expect(r.status, `${path} ${name}`).toBe(400);
        expect(JSON.parse(r.text).message, `${path} ${name}`).toBe(
          `query parameter "${name}" is longer than 200 characters (10000)`,
        );
        expect(r.ms).toBeLessThan(2000);
      }
  });

  it('refuses NUL and other control characters in any query parameter with a 400 naming it', async () => {
    for (const [path, value] of [
      ['/api/cases', 'q=%00'],
      ['/api/cases', 'q=%E8%B7%AF%01'],
      ['/api/hotspots', 'category=%1B'],
      ['/api/problems', 'month=2026-03%0A'],
      ['/open311/v2/requests.json', 'service_code=%00'],
    ]) {
      const r = await get(`${path}?${value}`);
      expect(r.status, `${path}?${value}`).toBe(400);
      expect(r.text, `${path}?${value}`).toContain(value.split('=')[0]);
      expect(r.text).toContain('control character');
    }
  });

  it('stores nothing from a JSON body with a NUL in a field, naming the field', async () => {
    const before = await tableCounts(db);
    const r = await post('/api/tickets', { channel: 'phone', text: '井盖丢失\u0000', address: 'x' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).message).toMatch(/^text: contains a control character/);
    const note = await post(`/api/cases/${caseCode}/actions`, { action: 'urge', note: 'a\u0007b' });
    expect(note.status).toBe(400);
    expect(JSON.parse(note.text).message).toMatch(/^note: /);
    // Tab, newline and carriage return are free text's own.
    expect(await tableCounts(db)).toEqual(before);
    const ok = await post('/api/tickets', {
      channel: 'phone',
      text: '井盖丢失\n\t就在路口\r\n',
      address: 'x',
    });
    expect(ok.status).toBe(201);
  });

  it('refuses a JSON endpoint a body of another type with a 415 naming application/json', async () => {
    const before = await tableCounts(db);
    const body = JSON.stringify({ channel: 'phone', text: '路面塌陷 很危险' });
    for (const type of [null, 'text/plain', 'application/x-www-form-urlencoded']) {
      const r = await post('/api/tickets', undefined, { type, raw: body });
      expect(r.status, String(type)).toBe(415);
      expect(JSON.parse(r.text).message).toContain('application/json');
    }
    expect(await tableCounts(db)).toEqual(before);
  });

  it('refuses a state-changing request from another origin, with or without a content type', async () => {
    const before = await tableCounts(db);
    const body = { channel: 'phone', text: '路面塌陷 很危险' };
    for (const type of [null, 'application/json', 'text/plain']) {
      const r = await post('/api/tickets', body, { type, origin: 'http://evil.example' });
      expect(r.status, String(type)).toBe(403);
      expect(JSON.parse(r.text).message).toMatch(/another origin/);
    }
    const res = await fetch(`${server.origin}/api/cases/${caseCode}/actions`, {
      method: 'POST',
      headers: { cookie: cookie.admin, 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
      body: JSON.stringify({ action: 'urge', note: '催办' }),
    });
    expect(res.status).toBe(403);
    expect(await tableCounts(db)).toEqual(before);
    // An Open311 client posts from its own server, with its key: the cross-site check lets it through.
    const o311 = await fetch(`${server.origin}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { origin: 'http://client.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'service_code=x',
    });
    const text = await o311.text();
    expect(text).toContain('api_key');
    expect(text).not.toContain('another origin');
  });

  it('sends nosniff, a referrer policy and frame-ancestors; only the wall may be framed, by the listed origin', async () => {
    const api = await get('/api/health', null);
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('referrer-policy')).toBe('same-origin');
    expect(api.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(api.headers.get('x-frame-options')).toBe('DENY');
    const refused = await get(`/api/cases?q=%00`);
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    const wall = await get('/wall', null);
    expect(wall.headers.get('content-security-policy')).toContain(
      'frame-ancestors https://portal.example.gov',
    );
    expect(wall.headers.get('x-frame-options')).toBeNull();
  });

  /** A hostile or merely odd query value. */
  const value = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.integer({ min: -3, max: 3_000_000_000 }).map(String),
    fc.double().map(String),
    fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'NaN' : d.toISOString())),
    fc.constantFrom(
      "' or 1=1 --",
      '%',
      '_',
      '\\',
      '%00',
      '1e309',
      '-0',
      'NaN',
      'Infinity',
      '0x10',
      ' 7 ',
      'open,closed,',
      'GD-20261127-1',
      '2026-02-30',
      '9999-12',
      '<script>',
      '${7*7}',
      '../../etc/passwd',
      'tickets',
      'alarms',
      '',
    ),
    fc.integer({ min: 150, max: 3000 }).map((n) => 'x'.repeat(n)),
  );

  const query = (names: string[]) =>
    fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 8 })), value), {
        maxLength: 4,
      })
      .map((pairs) => new URLSearchParams(pairs).toString());

  /** The refusal's text: JSON `{ message }`, an Open311 `[{ description }]`, or XML with its entities read. */
  function messageOf(text: string): string {
    try {
      const v = JSON.parse(text) as { message?: string } | { description?: string }[];
      return (Array.isArray(v) ? v[0]?.description : v.message) ?? text;
    } catch {
      return text
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
    }
  }

  /** A 4xx names what it refused; nothing ever leaks or crashes. */
  function judge(r: { status: number; text: string }, routeNames: string[], where: string) {
    const sent = [
      ...new URL(where.split(' ').find((w) => w.startsWith('/')) ?? '/', 'http://x').searchParams.keys(),
    ];
    const names = [...routeNames, ...sent.filter(Boolean)];
    expect(r.status, `${where} → ${r.text.slice(0, 300)}`).toBeLessThan(500);
    expect(r.text, where).not.toMatch(LEAK);
    if (r.status === 400)
      expect(
        names.some((n) => messageOf(r.text).includes(n)) || /more than \d+ query parameters/.test(r.text),
        `${where}: the 400 names no parameter: ${r.text.slice(0, 300)}`,
      ).toBe(true);
  }

  const OPEN311: Record<string, string[]> = {
    '/open311/v2/requests.json': [
      'service_request_id',
      'service_code',
      'status',
      'start_date',
      'end_date',
      'locale',
      'api_key',
    ],
    '/open311/v2/requests.xml': ['service_request_id', 'service_code', 'status', 'start_date', 'end_date'],
    '/open311/v2/services.json': ['locale'],
  };

  it('never answers a fuzzed query string with a 500, a stack trace or SQL (admin, staff, Open311)', async () => {
    const endpoints: [string, string[]][] = [
      ...Object.entries(FILTERS),
      ['/api/alarms', ['status', 'severity', 'limit']],
      ...Object.entries(OPEN311),
    ];
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...endpoints),
        fc.constantFrom('admin' as const, 'staff' as const),
        fc.constant(null).chain(() => query(['q', 'category', 'days', 'month', 'source', 'service_code'])),
        async ([path, names], role, extra) => {
          const qs = await fc.sample(query(names), { numRuns: 1, seed: calls++ })[0];
          const url = `${path}?${[qs, extra].filter(Boolean).join('&')}`;
          const r = await get(url, path.startsWith('/open311/') ? null : role);
          judge(
            r,
            [...names, 'q', 'category', 'days', 'month', 'source', 'service_code'],
            `${role} GET ${url}`,
          );
        },
      ),
      { seed: 20261207, numRuns: 500 },
    );
    // Paths with an id in them, and the allocation plan (a heavier read: a few calls only).
    for (const id of ['0', '-1', '1.5', '99999999999', 'abc', '%00', "1'", '1e3', 'x'.repeat(300)]) {
      judge(await get(`/api/sensors/${id}`), ['sensor id', 'id'], `GET /api/sensors/${id}`);
      judge(await get(`/open311/v2/requests/${id}.json`, null), ['service_request_id'], `GET request ${id}`);
    }
    for (const role of ['admin', 'staff'] as const)
      judge(await get('/api/allocation?x=%00', role), ['x'], `${role} GET /api/allocation`);
    expect((await get('/api/allocation')).status).toBe(200);
  });

  /** A JSON value of any shape, with hostile strings in it. */
  const hostileJson = fc.letrec((tie) => ({
    any: fc.oneof(
      { depthSize: 'small' },
      value,
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('any'), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 8 }), tie('any'), { maxKeys: 3 }),
    ),
  })).any;

  it('never answers a fuzzed ticket or case action with a 500, a stack trace or SQL', async () => {
    const ticketFields = [
      'channel',
      'callerName',
      'callerPhone',
      'callerEmail',
      'text',
      'address',
      'lon',
      'lat',
      'category',
      'priority',
    ];
    const actionFields = [
      'action',
      'departmentId',
      'gridCellId',
      'note',
      'hours',
      'approve',
      'rating',
      'category',
      'priority',
      'lon',
      'lat',
      'version',
    ];
    const body = (fields: string[], fixed: Record<string, unknown>) =>
      fc
        .dictionary(fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 6 })), hostileJson, {
          maxKeys: 6,
        })
        .map((d) => ({ ...fixed, ...d }));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          body(ticketFields, { channel: 'phone', text: '噪音扰民 夜间施工' }).map(
            (b) => ['/api/tickets', b, ticketFields] as const,
          ),
          body(actionFields, { action: 'urge', note: '请尽快' }).map(
            (b) => [`/api/cases/${caseCode}/actions`, b, actionFields] as const,
          ),
          hostileJson.map((b) => ['/api/tickets', b, ticketFields] as const),
        ),
        fc.constantFrom('admin' as const, 'staff' as const),
        async ([path, b, fields], role) => {
          const r = await post(path, b, { role });
          judge(
            r,
            [...fields, 'body', ...Object.keys((b as object) ?? {})],
            `${role} POST ${path} ${JSON.stringify(b).slice(0, 200)}`,
          );
        },
      ),
      { seed: 20261208, numRuns: 300 },
    );
  });
});
