// Resource allocation through the real routes and database: ten weeks of cases in two streets of one
// district, one of them swamped; the plan moves staff to it, what-if projects the effect, admins set
// capacity, leaders accept a recommendation and the decision is kept with who and when.
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Database } from '../../server/db/client';
import type {
  AllocationDecision,
  AllocationResponse,
  DecisionListResponse,
  UnitCapacity,
  WhatIfResponse,
} from '../../src/lib/api/allocation';
import { GET as getPlan } from '../../src/routes/api/allocation/+server';
import { PUT as putCapacity } from '../../src/routes/api/allocation/capacity/+server';
import {
  GET as listDecisions,
  POST as postDecision,
} from '../../src/routes/api/allocation/decisions/+server';
import { POST as postWhatIf } from '../../src/routes/api/allocation/what-if/+server';
import { database, engines, resetDatabase } from './support/databases';
import { callRoute, routeEvent, type TestUser } from './support/routes';

type Reply<T> = T & { message?: string };

describe.each(engines())('resource allocation on %s', (engine) => {
  let db: Database;
  let app: App;
  let admin: TestUser;
  let leader: TestUser;
  let officer: TestUser;
  let staff: TestUser;
  /** Street offices: A (quiet, on time) and B (swamped, often late); P: a functional department. */
  const ids = { streetA: 0, streetB: 0, officeA: 0, officeB: 0, police: 0, cellB: 0 };

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    app = buildApp(loadConfig({ LOG_LEVEL: 'silent' }), db);
    const [district] = await db.rows<{ id: number }>(sql`
      insert into districts (code, name, name_en) values ('alloc-d', '测试区', 'Test') returning id`);
    const streets = await db.rows<{ id: number; code: string }>(sql`
      insert into streets (district_id, code, name, name_en)
      values (${district.id}, 'alloc-a', '甲街道', 'Street A'), (${district.id}, 'alloc-b', '乙街道', 'Street B')
      returning id, code`);
    ids.streetA = Number(streets.find((s) => s.code === 'alloc-a')!.id);
    ids.streetB = Number(streets.find((s) => s.code === 'alloc-b')!.id);
    const deps = await db.rows<{ id: number; code: string }>(sql`
      insert into departments (code, name, name_en, kind, street_id, district_id)
      values ('alloc-office-a', '甲街道办事处', 'Street A office', 'street_office', ${ids.streetA}, ${district.id}),
             ('alloc-office-b', '乙街道办事处', 'Street B office', 'street_office', ${ids.streetB}, ${district.id}),
             ('alloc-police', '公安分局', 'Police', 'functional', null, ${district.id})
      returning id, code`);
    const dep = (code: string) => Number(deps.find((d) => d.code === code)!.id);
    ids.officeA = dep('alloc-office-a');
    ids.officeB = dep('alloc-office-b');
    ids.police = dep('alloc-police');
    const [cell] = await db.rows<{ id: number }>(sql`
      insert into grid_cells (street_id, code, geom)
      values (${ids.streetB}, 'alloc-b-001', ST_Multi(ST_MakeEnvelope(121.40, 31.20, 121.41, 31.21, 4326)))
      returning id`);
    ids.cellB = Number(cell.id);
    const users = await db.rows<{ id: number; role: string }>(sql`
      insert into users (username, display_name, password_hash, role, department_id)
      values ('alloc-admin', '管理员', 'x', 'admin', null), ('alloc-lead', '区领导', 'x', 'leader', null),
             ('alloc-duty', '值班员', 'x', 'officer', null), ('alloc-staff', '街道员工', 'x', 'staff', ${ids.officeB})
      returning id, role`);
    const user = (role: TestUser['role']): TestUser => ({
      id: Number(users.find((u) => u.role === role)!.id),
      role,
      departmentId: role === 'staff' ? ids.officeB : null,
    });
    [admin, leader, officer, staff] = [user('admin'), user('leader'), user('officer'), user('staff')];

    // Street A's office: 10 staff, 2 cases a day resolved in 4 h, all on time.
    // Street B's office: 4 staff, 8–14 cases a day (77 a week), 30 of 77 resolved after the deadline,
    // 30 still open; 37 of 77 reports come at 22:30 Shanghai time.
    await db.orm.execute(sql`
      insert into unit_capacity (department_id, staff) values (${ids.officeA}, 10), (${ids.officeB}, 4)`);
    // Today's Shanghai midnight (UTC+8), so the seeded hours are Shanghai hours whatever the server's zone.
    const shanghaiMidnight = new Date(
      Math.floor((Date.now() + 8 * 3600_000) / 86_400_000) * 86_400_000 - 8 * 3600_000,
    );
    const base = sql`${shanghaiMidnight.toISOString()}::timestamptz`;
    await db.orm.execute(sql`
      insert into cases (code, title, category, state, street_id, department_id, created_at, signed_at, due_at, resolved_at)
      select 'IT-A-' || d || '-' || k, '垃圾清运', 'city.sanitation', 'closed', ${ids.streetA}, ${ids.officeA},
             t, t + interval '1 hour', t + interval '24 hours', t + interval '5 hours'
      from generate_series(1, 70) d, generate_series(1, 2) k,
           lateral (select ${base} - make_interval(days => d) + interval '10 hours' as t) x`);
    await db.orm.execute(sql`
      insert into cases (code, title, category, state, street_id, department_id, created_at, signed_at, due_at, resolved_at)
      select 'IT-B-' || d || '-' || k, '占道经营',
             case when k % 4 = 0 then 'transport.parking' else 'city.street_vendors' end,
             'closed', ${ids.streetB}, ${ids.officeB},
             t, t + interval '1 hour', t + interval '24 hours',
             t + case when k % 5 < 2 then interval '30 hours' else interval '20 hours' end
      from generate_series(1, 70) d,
           lateral (select ${base} - make_interval(days => d) as day0) y,
           generate_series(1, 8 + (extract(isodow from y.day0)::int % 7)) k,
           lateral (select y.day0 + case when k % 2 = 0 then interval '22 hours 30 minutes'
                                         else interval '10 hours' end as t) x`);
    await db.orm.execute(sql`
      insert into cases (code, title, category, state, street_id, department_id, created_at, signed_at, due_at)
      select 'IT-B-OPEN-' || k, '占道经营', 'city.street_vendors', 'in_progress', ${ids.streetB}, ${ids.officeB},
             now(), now(), now() + interval '20 hours'
      from generate_series(1, 30) k`);
    await db.orm.execute(sql`
      insert into hotline_tickets (received_at, channel, text, street_id, grid_cell_id, case_id, category)
      select c.created_at, 'phone', c.title, c.street_id, ${ids.cellB}, c.id, c.category
      from cases c where c.street_id = ${ids.streetB} and c.state = 'closed'`);
  });

  const plan = (user: TestUser | null) =>
    callRoute<Reply<AllocationResponse>>(getPlan, routeEvent(app, user, { path: '/api/allocation' }));
  const whatIf = (user: TestUser, body: unknown) =>
    callRoute<Reply<WhatIfResponse>>(
      postWhatIf,
      routeEvent(app, user, { path: '/api/allocation/what-if', body }),
    );
  const setCapacity = (user: TestUser, body: unknown) =>
    callRoute<Reply<UnitCapacity>>(
      putCapacity,
      routeEvent(app, user, { path: '/api/allocation/capacity', body }),
    );
  const decide = (user: TestUser, body: unknown, rawBody?: string) =>
    callRoute<Reply<AllocationDecision>>(
      postDecision,
      routeEvent(app, user, { path: '/api/allocation/decisions', body, rawBody }),
    );

  it('recommends moving staff from the quiet street office to the swamped one, with consistent numbers', async () => {
    const r = await plan(officer);
    expect(r.status).toBe(200);
    const unit = (id: number) => r.body.units.find((u) => u.departmentId === id)!;
    const a = unit(ids.officeA);
    const b = unit(ids.officeB);
    expect(a).toMatchObject({ staff: 10, capacitySource: 'stored', onTimeRate: 1, backlog: 0 });
    expect(b).toMatchObject({ staff: 4, capacitySource: 'stored', backlog: 30 });
    expect(b.onTimeRate).toBeCloseTo(47 / 77, 2);
    expect(unit(ids.police)).toMatchObject({ capacitySource: 'demo', forecastCasesPerWeek: 0 });
    // B gets 8–14 cases a day, 77 a week; the forecast should be close.
    expect(b.forecastCasesPerWeek).toBeGreaterThan(65);
    expect(b.forecastCasesPerWeek).toBeLessThan(90);
    expect(b.forecastLower).toBeLessThanOrEqual(b.forecastCasesPerWeek);
    expect(b.load).toBeGreaterThan(1);
    expect(a.load).toBeLessThan(0.5);
    expect(r.body.units[0].departmentId).toBe(ids.officeB);

    const [move, ...others] = r.body.recommendations;
    expect(others).toEqual([]);
    expect(move).toMatchObject({
      kind: 'move',
      fromDepartmentId: ids.officeA,
      toDepartmentId: ids.officeB,
      weeks: 2,
    });
    expect(move.staff).toBeGreaterThan(0);
    expect(move.from).toMatchObject({ staffBefore: 10, staffAfter: 10 - move.staff });
    expect(move.from.staffAfter).toBeGreaterThanOrEqual(r.body.assumptions.minStaff);
    expect(move.to).toMatchObject({ staffBefore: 4, staffAfter: 4 + move.staff });
    expect(move.to.overdueBefore).toBeCloseTo(b.expectedOverdue, 0);
    expect(move.to.overdueAfter).toBeLessThan(move.to.overdueBefore);
    expect(move.expectedOverdueBefore).toBeCloseTo(move.from.overdueBefore + move.to.overdueBefore, 6);
    expect(move.reduction).toBeCloseTo(move.expectedOverdueBefore - move.expectedOverdueAfter, 6);
    expect(move.reduction).toBeGreaterThan(0);
    expect(r.body.totalExpectedOverdue).toBeCloseTo(a.expectedOverdue + b.expectedOverdue, 0);
  });

  it('shows weekly street demand with a forecast, and suggests night patrols where reports come at night', async () => {
    const { body } = await plan(leader);
    const b = body.demandByStreet.find((s) => s.streetId === ids.streetB)!;
    expect(b.weeks).toHaveLength(12 + 2);
    const observed = b.weeks.filter((w) => w.actual !== null);
    const ahead = b.weeks.filter((w) => w.forecast !== null);
    expect(observed).toHaveLength(12);
    expect(observed.at(-1)).toMatchObject({ actual: 77, tickets: 77 });
    expect(observed[0].actual).toBe(0); // the history starts 84 days back, cases only 70
    expect(ahead[0].forecast!).toBeGreaterThan(65);
    expect(ahead[0].lower!).toBeLessThanOrEqual(ahead[0].forecast!);
    expect(ahead[0].upper!).toBeGreaterThanOrEqual(ahead[0].forecast!);
    expect(b.groups.map((g) => g.group)).toEqual(['city', 'transport']);
    expect(body.nightPatrols).toHaveLength(1);
    expect(body.nightPatrols[0]).toMatchObject({
      gridCellId: ids.cellB,
      cell: 'alloc-b-001',
      window: '22:00–02:00',
    });
    expect(body.nightPatrols[0].share).toBeGreaterThan(0.4);
  });

  it('refuses staff and anonymous callers', async () => {
    expect((await plan(staff)).status).toBe(403);
    expect((await plan(null)).status).toBe(401);
    expect((await whatIf(staff, { changes: [{ departmentId: ids.officeB, staff: 9 }] })).status).toBe(403);
    const list = await callRoute(listDecisions, routeEvent(app, staff));
    expect(list.status).toBe(403);
  });

  it('projects lower expected overdue when the swamped office gets more staff', async () => {
    const r = await whatIf(leader, { changes: [{ departmentId: ids.officeB, staff: 9 }] });
    expect(r.status).toBe(200);
    expect(r.body.units).toEqual([
      expect.objectContaining({ departmentId: ids.officeB, staffBefore: 4, staffAfter: 9 }),
    ]);
    expect(r.body.units[0].overdueAfter).toBeLessThan(r.body.units[0].overdueBefore);
    expect(r.body.totalAfter).toBeLessThan(r.body.totalBefore);
    expect(r.body.reduction).toBeCloseTo(r.body.totalBefore - r.body.totalAfter, 6);
    // Taking staff from it makes things worse.
    const worse = await whatIf(officer, { changes: [{ departmentId: ids.officeB, staff: 2 }] });
    expect(worse.body.reduction).toBeLessThan(0);
  });

  it('refuses bad what-if bodies with the field named', async () => {
    const negative = await whatIf(leader, { changes: [{ departmentId: ids.officeB, staff: -1 }] });
    expect(negative).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('changes.0.staff') },
    });
    const empty = await whatIf(leader, { changes: [] });
    expect(empty).toMatchObject({ status: 400, body: { message: expect.stringContaining('changes') } });
    const unknown = await whatIf(leader, { changes: [{ departmentId: 999_999, staff: 3 }] });
    expect(unknown).toMatchObject({ status: 400, body: { message: expect.stringContaining('999999') } });
  });

  it('lets admins set capacity and refuses leaders', async () => {
    const r = await setCapacity(admin, { departmentId: ids.police, staff: 17 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ departmentId: ids.police, staff: 17, updatedBy: admin.id });
    const police = (await plan(officer)).body.units.find((u) => u.departmentId === ids.police)!;
    expect(police).toMatchObject({ staff: 17, capacitySource: 'stored' });

    expect((await setCapacity(leader, { departmentId: ids.police, staff: 3 })).status).toBe(403);
    const bad = await setCapacity(admin, { departmentId: 'police', staff: 3 });
    expect(bad).toMatchObject({ status: 400, body: { message: expect.stringContaining('departmentId') } });
    const fractional = await setCapacity(admin, { departmentId: ids.police, staff: 2.5 });
    expect(fractional).toMatchObject({ status: 400, body: { message: expect.stringContaining('staff') } });
    const missing = await setCapacity(admin, { departmentId: 999_999, staff: 3 });
    expect(missing.status).toBe(400);
    const [row] = await db.rows<{ staff: number }>(
      sql`select staff from unit_capacity where department_id = ${ids.police}`,
    );
    expect(Number(row.staff)).toBe(17);
  });

  it('records an accepted recommendation with who and when, for later review', async () => {
    const [move] = (await plan(leader)).body.recommendations;
    const before = Date.now();
    const r = await decide(leader, { recommendation: move, note: '先借调两周' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ userId: leader.id, userName: '区领导', kind: 'move', note: '先借调两周' });
    expect(r.body.payload).toEqual(move);
    expect(new Date(r.body.decidedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);

    const list = await callRoute<DecisionListResponse>(listDecisions, routeEvent(app, officer));
    expect(list.status).toBe(200);
    expect(list.body.decisions[0]).toEqual(r.body);

    expect((await decide(officer, { recommendation: move })).status).toBe(403);
    const noRec = await decide(admin, { note: 'x' });
    expect(noRec).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('recommendation') },
    });
    const badKind = await decide(admin, { recommendation: { ...move, kind: 'teleport' } });
    expect(badKind).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('recommendation.kind') },
    });
    const badStaff = await decide(admin, { recommendation: { ...move, staff: 0 } });
    expect(badStaff).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('recommendation.staff') },
    });
    expect((await decide(admin, undefined, '{"recommendation":')).status).toBe(400);
    const [count] = await db.rows<{ n: number }>(sql`select count(*)::int as n from allocation_decisions`);
    expect(Number(count.n)).toBe(1);
  });
});
