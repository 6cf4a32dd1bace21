// From a call to a closed work order through the real routes, services and database: intake, dispatch,
// sign, resolve, call back, rate, close; refusals that change nothing; concurrent actions; repeat reports.
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Database } from '../../server/db/client';
import { replayCase } from '../../server/domain/case-history';
import { generateDemoCity } from '../../server/sim/generate-city';
import type { CaseDetail, CaseListResponse, IntakeResult } from '../../src/lib/api/cases';
import { POST as postTicket } from '../../src/routes/api/tickets/+server';
import { GET as listCases } from '../../src/routes/api/cases/+server';
import { GET as getCase } from '../../src/routes/api/cases/[code]/+server';
import { POST as postAction } from '../../src/routes/api/cases/[code]/actions/+server';
import { database, engines, resetDatabase, tableCounts } from './support/databases';
import { callRoute, routeEvent, type TestUser } from './support/routes';

describe.each(engines())('cases on %s', (engine) => {
  let db: Database;
  let app: App;
  let officer: TestUser;
  let leader: TestUser;
  let street: { id: number; name: string; lon: number; lat: number; officeId: number; road: string };

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 200, seed: 'cases-it' });
    app = buildApp(loadConfig({ LOG_LEVEL: 'silent' }), db);
    const users = await db.rows<{ id: number; role: string }>(sql`
      insert into users (username, display_name, password_hash, role)
      values ('duty-it', '值班员', 'x', 'officer'), ('lead-it', '领导', 'x', 'leader') returning id, role`);
    officer = { id: Number(users.find((u) => u.role === 'officer')!.id), role: 'officer' };
    leader = { id: Number(users.find((u) => u.role === 'leader')!.id), role: 'leader' };
    const [s] = await db.rows<{
      id: number;
      name: string;
      code: string;
      lon: number;
      lat: number;
      officeId: number;
    }>(sql`
      select s.id, s.name, s.code, ST_X(ST_PointOnSurface(s.geom)) as lon, ST_Y(ST_PointOnSurface(s.geom)) as lat,
             (select d.id from departments d where d.kind = 'street_office' and d.street_id = s.id) as "officeId"
      from streets s where s.code = 'ja-linfen'`);
    street = {
      ...s,
      id: Number(s.id),
      officeId: Number(s.officeId),
      lon: Number(s.lon),
      lat: Number(s.lat),
      road: '阳曲路',
    };
  });

  const intake = (user: TestUser | null, body: unknown) =>
    callRoute<IntakeResult & { message?: string }>(
      postTicket,
      routeEvent(app, user, { path: '/api/tickets', body }),
    );
  const detail = async (code: string, user: TestUser = officer) =>
    (await callRoute<CaseDetail>(getCase, routeEvent(app, user, { params: { code } }))).body;
  const act = (code: string, user: TestUser, body: Record<string, unknown>) =>
    callRoute<{ message?: string; state?: string }>(
      postAction,
      routeEvent(app, user, { params: { code }, body }),
    );
  const staffOf = (departmentId: number): TestUser => ({ id: officer.id, role: 'staff', departmentId });

  /** The case rebuilt from its events alone equals the stored row, column by column. */
  async function replayedMatchesStored(code: string): Promise<boolean> {
    const [row] = await db.rows<Record<string, unknown>>(sql`
      select id, state, category, priority, department_id, sign_due_at, signed_at, allowed_hours, due_at,
             pending_extension_hours, resolved_at, rating, closed_at from cases where code = ${code}`);
    const iso = (v: unknown) => (v === null ? null : new Date(v as string).toISOString());
    const num = (v: unknown) => (v === null ? null : Number(v));
    const stored = {
      state: row.state,
      category: row.category,
      priority: num(row.priority),
      departmentId: num(row.department_id),
      signDueAt: iso(row.sign_due_at),
      signedAt: iso(row.signed_at),
      allowedHours: num(row.allowed_hours),
      dueAt: iso(row.due_at),
      pendingExtensionHours: num(row.pending_extension_hours),
      resolvedAt: iso(row.resolved_at),
      rating: row.rating,
      closedAt: iso(row.closed_at),
    };
    const replayed = replayCase(await app.repos.cases.events(Number(row.id)));
    expect(replayed).toEqual(stored);
    return true;
  }

  it('takes a call, dispatches it to the street office, and follows it to a closed case', async () => {
    const r = await intake(officer, {
      channel: 'phone',
      callerName: '张先生',
      callerPhone: '13800001234',
      text: '阳曲路520弄门口垃圾堆了三天没人清运，气味很大',
      address: '阳曲路520弄',
      lon: street.lon,
      lat: street.lat,
      category: 'city.sanitation',
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      duplicate: false,
      triage: false,
      placement: 'point',
      category: 'city.sanitation',
    });
    expect(r.body.departmentId).toBe(street.officeId);
    const code = r.body.caseCode;

    let c = await detail(code);
    expect(c).toMatchObject({
      state: 'dispatched',
      departmentId: street.officeId,
      streetName: street.name,
      reports: 1,
    });
    expect(c.gridCellCode).not.toBeNull();
    expect(c.signDueAt).not.toBeNull();
    expect(c.tickets[0]).toMatchObject({ callerName: '张先生', callerPhone: '13800001234' });
    expect(c.actions).toEqual(expect.arrayContaining(['reassign', 'urge']));

    const staff = staffOf(street.officeId);
    // Staff see the caller masked.
    expect((await detail(code, staff)).tickets[0]).toMatchObject({
      callerName: '张**',
      callerPhone: '*******1234',
    });
    expect((await act(code, staff, { action: 'sign', version: c.version })).status).toBe(200);
    c = await detail(code);
    expect(c.state).toBe('signed');
    expect(c.allowedHours).toBe(24);
    expect(new Date(c.dueAt!).getTime()).toBeGreaterThan(new Date(c.signedAt!).getTime());
    expect(c.deadline).toBe('on_track');
    const dueAt = c.dueAt;

    expect((await act(code, staff, { action: 'start' })).status).toBe(200);
    expect((await act(code, staff, { action: 'resolve', note: '已联系环卫清运完毕' })).status).toBe(200);
    expect((await act(code, officer, { action: 'call_back', note: '市民确认已清理' })).status).toBe(200);
    expect((await act(code, officer, { action: 'rate', rating: 'satisfied' })).status).toBe(200);
    expect((await act(code, officer, { action: 'close' })).status).toBe(200);

    c = await detail(code);
    expect(c).toMatchObject({ state: 'closed', rating: 'satisfied' });
    expect(c.resolvedAt).not.toBeNull();
    expect(c.closedAt).not.toBeNull();
    expect(c.actions).toEqual(['reopen']);
    // The history alone tells the story: each event starts where the last one ended.
    const actions = c.events.map((e) => e.action);
    expect(actions).toEqual([
      'receive',
      'dispatch',
      'sign',
      'start',
      'resolve',
      'call_back',
      'rate',
      'close',
    ]);
    for (let i = 1; i < c.events.length; i++) expect(c.events[i].fromState).toBe(c.events[i - 1].toState);
    expect(c.events.at(-1)!.toState).toBe(c.state);
    expect(await replayedMatchesStored(code)).toBe(true);
    expect(c.events.find((e) => e.action === 'sign')!.data).toMatchObject({
      allowedHours: 24,
      dueAt,
    });
  });

  it('extends, reopens after an unsatisfied rating, and the events still rebuild the case', async () => {
    const r = await intake(officer, {
      channel: 'phone',
      text: '阳曲路小区楼道里的电线老化冒火花',
      lon: street.lon + 0.001,
      lat: street.lat - 0.001,
      category: 'construction.old_housing',
    });
    const code = r.body.caseCode;
    const owner = staffOf((await detail(code)).departmentId!);
    expect((await act(code, owner, { action: 'sign' })).status).toBe(200);
    const signed = await detail(code);
    expect(
      (await act(code, owner, { action: 'request_extension', hours: 16, note: '需要电力公司配合' })).status,
    ).toBe(200);
    expect((await detail(code)).actions).not.toContain('request_extension');
    expect((await act(code, officer, { action: 'decide_extension', approve: true })).status).toBe(200);
    const extended = await detail(code);
    expect(extended.allowedHours).toBe(signed.allowedHours! + 16);
    expect(new Date(extended.dueAt!).getTime()).toBeGreaterThan(new Date(signed.dueAt!).getTime());
    expect((await act(code, owner, { action: 'resolve', note: '已更换线路' })).status).toBe(200);
    expect((await act(code, officer, { action: 'call_back', note: '市民说还有火花' })).status).toBe(200);
    expect((await act(code, officer, { action: 'rate', rating: 'unsatisfied' })).status).toBe(200);
    expect((await act(code, officer, { action: 'close' })).status).toBe(409);
    expect((await act(code, officer, { action: 'reopen', note: '市民不满意，重新处理' })).status).toBe(200);
    const reopened = await detail(code);
    expect(reopened).toMatchObject({
      state: 'dispatched',
      rating: null,
      signedAt: null,
      departmentId: owner.departmentId,
    });
    expect(await replayedMatchesStored(code)).toBe(true);
  });

  it('refuses illegal actions with a clear error and changes nothing', async () => {
    const r = await intake(officer, {
      channel: 'web',
      text: '汾西路上有个窨井盖缺失，很危险',
      lon: street.lon + 0.002,
      lat: street.lat,
      category: 'utilities.manholes',
    });
    const code = r.body.caseCode;
    const before = await detail(code);
    const counts = await tableCounts(db);
    const owner = staffOf(before.departmentId!);
    const stranger = staffOf(street.officeId);

    const refusals: [TestUser, Record<string, unknown>, number, RegExp][] = [
      [stranger, { action: 'sign' }, 403, /department the case is dispatched to/],
      [officer, { action: 'resolve', note: 'x' }, 403, /only/],
      [owner, { action: 'resolve', note: '已处理' }, 409, /cannot resolve a case that is dispatched/],
      [owner, { action: 'return', note: '' }, 400, /note/],
      [leader, { action: 'dispatch', departmentId: 1 }, 403, /only/],
      [
        officer,
        { action: 'reassign', departmentId: 999999, note: '改派' },
        400,
        /no department with id 999999/,
      ],
      [officer, { action: 'fly' }, 400, /action must be one of/],
      [owner, { action: 'request_extension', hours: 'many', note: 'x' }, 400, /hours/],
      [officer, { action: 'rate', rating: 'great' }, 400, /rating/],
      [owner, { action: 'sign', version: before.version + 5 }, 409, /changed since you opened it/],
    ];
    for (const [user, body, status, message] of refusals) {
      const res = await act(code, user, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.message, JSON.stringify(body)).toMatch(message);
    }
    expect((await act('GD-00000000-0', officer, { action: 'urge', note: 'x' })).status).toBe(404);
    const malformed = await callRoute(
      postAction,
      routeEvent(app, officer, { params: { code }, rawBody: '{"action":' }),
    );
    expect(malformed.status).toBe(400);
    expect(await tableCounts(db)).toEqual(counts);
    const after = await detail(code);
    expect(after.version).toBe(before.version);
    expect(after.state).toBe('dispatched');
  });

  it('lets only one of two concurrent actions on a case apply', async () => {
    const r = await intake(officer, {
      channel: 'phone',
      text: '平顺路路灯不亮已经一周',
      lon: street.lon - 0.001,
      lat: street.lat + 0.001,
      category: 'city.street_lights',
    });
    const code = r.body.caseCode;
    const c = await detail(code);
    const staff = staffOf(c.departmentId!);
    // Three users act on the version they all saw.
    const results = await Promise.all([
      act(code, staff, { action: 'sign', version: c.version }),
      act(code, staff, { action: 'return', note: '不属于本单位', version: c.version }),
      act(code, officer, {
        action: 'reassign',
        departmentId: street.officeId,
        note: '改派街道',
        version: c.version,
      }),
    ]);
    const ok = results.filter((x) => x.status === 200);
    expect(ok).toHaveLength(1);
    expect(results.filter((x) => x.status === 409)).toHaveLength(2);
    const after = await detail(code);
    expect(after.events).toHaveLength(3); // receive, dispatch, and the one that won
    expect(after.state).toBe(ok[0].body.state);
  });

  it('links a repeat report of the same problem instead of opening another case', async () => {
    const first = await intake(officer, {
      channel: 'phone',
      text: '临汾路375号门口人行道上有个大坑，老人差点摔倒',
      lon: street.lon + 0.004,
      lat: street.lat + 0.002,
      category: 'construction.roads',
    });
    const again = await intake(officer, {
      channel: 'app',
      text: '临汾路375号附近人行道有坑，差点摔倒，请尽快修',
      lon: street.lon + 0.0042,
      lat: street.lat + 0.0021,
      category: 'construction.roads',
    });
    expect(again.body).toMatchObject({ duplicate: true, caseCode: first.body.caseCode });
    const other = await intake(officer, {
      channel: 'phone',
      text: '临汾路375号附近人行道有坑，差点摔倒',
      lon: street.lon + 0.02,
      lat: street.lat + 0.02,
      category: 'construction.roads',
    });
    expect(other.body.duplicate).toBe(false);
    const c = await detail(first.body.caseCode);
    expect(c.reports).toBe(2);
    expect(c.tickets).toHaveLength(2);
    expect(c.tickets[1].duplicate).toBe(true);
  });

  it('keeps an address it cannot place, flagged for manual placement in the triage queue', async () => {
    const r = await intake(officer, {
      channel: 'letter',
      text: '小区里的健身器材坏了没人修',
      address: '我家楼下',
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ placement: 'unplaced', triage: true, departmentId: null });
    const c = await detail(r.body.caseCode);
    expect(c).toMatchObject({ state: 'received', triage: true, lon: null, streetName: null });
    expect(c.actions).toEqual(expect.arrayContaining(['dispatch', 'dismiss', 'reclassify', 'place']));
    // The officer places it by hand: street and grid cell follow from the point.
    expect((await act(r.body.caseCode, officer, { action: 'place', lon: 0, lat: 0 })).body.message).toMatch(
      /outside every street/,
    );
    expect(
      (await act(r.body.caseCode, officer, { action: 'place', lon: street.lon, lat: street.lat })).status,
    ).toBe(200);
    const placedByHand = await detail(r.body.caseCode);
    expect(placedByHand).toMatchObject({ streetName: street.name, lon: street.lon, lat: street.lat });
    expect(placedByHand.gridCellCode).not.toBeNull();

    const placed = await intake(officer, {
      channel: 'phone',
      text: '阳曲路上店家占道经营',
      address: '阳曲路 600 号',
    });
    expect(placed.body.placement).toBe('address');
    expect((await detail(placed.body.caseCode)).streetName).toBe(street.name);

    const queue = await callRoute<CaseListResponse>(
      listCases,
      routeEvent(app, officer, { query: '?triage=true' }),
    );
    expect(queue.body.cases.map((x) => x.code)).toContain(r.body.caseCode);
    expect(queue.body.cases.every((x) => x.triage)).toBe(true);
  });

  it('refuses bad reports with the field named and stores nothing', async () => {
    const counts = await tableCounts(db);
    const cases: [unknown, number, RegExp, TestUser | null][] = [
      [
        { channel: 'phone', text: '路灯坏了好几天', lon: 500, lat: 31.2 },
        400,
        /lon: must be between -180 and 180/,
        officer,
      ],
      [
        { channel: 'phone', text: '路灯坏了好几天', lon: 121.4 },
        400,
        /lon and lat must be given together/,
        officer,
      ],
      [{ channel: 'fax', text: '路灯坏了好几天' }, 400, /channel/, officer],
      [{ channel: 'phone', text: '' }, 400, /text/, officer],
      [
        { channel: 'phone', text: '路灯坏了好几天', category: 'nope.nope' },
        400,
        /unknown category "nope.nope"/,
        officer,
      ],
      [{ channel: 'phone', text: 12345 }, 400, /text/, officer],
      [{ channel: 'phone', text: '路灯坏了好几天' }, 403, /may not/, leader],
      [{ channel: 'phone', text: '路灯坏了好几天' }, 401, /sign in/, null],
    ];
    for (const [body, status, message, user] of cases) {
      const r = await intake(user, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.message).toMatch(message);
    }
    const malformed = await callRoute(
      postTicket,
      routeEvent(app, officer, { path: '/api/tickets', rawBody: '{"channel": "phone", ' }),
    );
    expect(malformed.status).toBe(400);
    expect((malformed.body as { message: string }).message).toMatch(/not valid JSON/);
    const huge = await callRoute(
      postTicket,
      routeEvent(app, officer, {
        path: '/api/tickets',
        body: { channel: 'phone', text: '长'.repeat(40_000) },
      }),
    );
    expect(huge.status).toBe(413);
    expect(await tableCounts(db)).toEqual(counts);
  });

  it('keeps a letter’s subject line as the case title and routes an online-service complaint by it', async () => {
    const subject = '随申办提交补贴申请时材料一直上传失败';
    const r = await intake(officer, {
      channel: 'letter',
      subject,
      text: '您好！我在手机上申请补贴，户口本和收入证明每次上传到一半就提示失败，窗口说只能线上办理，请尽快解决。',
      lon: street.lon,
      lat: street.lat,
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ category: 'egov.online_services', triage: false });
    const [unit] = await db.rows<{ name: string }>(
      sql`select name from departments where id = ${r.body.departmentId}`,
    );
    expect(unit.name).toMatch(/行政服务中心$/);
    const c = await detail(r.body.caseCode);
    expect(c.title).toBe(subject);
    expect(c.description).toMatch(/^您好！我在手机上申请补贴/);

    const counts = await tableCounts(db);
    const bad = await intake(officer, { channel: 'letter', subject: '标题\n第二行', text: '路灯坏了好几天' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/subject/);
    expect(await tableCounts(db)).toEqual(counts);
  });

  it('filters the queue and shows staff their own unit only', async () => {
    const all = await callRoute<CaseListResponse>(
      listCases,
      routeEvent(app, officer, { query: '?limit=200' }),
    );
    expect(all.body.total).toBeGreaterThanOrEqual(6);
    const closed = await callRoute<CaseListResponse>(
      listCases,
      routeEvent(app, officer, { query: '?state=closed' }),
    );
    expect(closed.body.cases.length).toBeGreaterThan(0);
    expect(closed.body.cases.every((c) => c.state === 'closed')).toBe(true);
    const group = await callRoute<CaseListResponse>(
      listCases,
      routeEvent(app, officer, { query: '?category=city' }),
    );
    expect(group.body.cases.every((c) => c.category!.startsWith('city.'))).toBe(true);
    const mine = await callRoute<CaseListResponse>(
      listCases,
      routeEvent(app, staffOf(street.officeId), { query: '' }),
    );
    expect(mine.body.cases.length).toBeGreaterThan(0);
    expect(mine.body.cases.every((c) => c.departmentId === street.officeId)).toBe(true);
    for (const q of ['?state=flying', '?deadline=soon', '?limit=0', '?street=abc', '?category=x.y'])
      expect((await callRoute(listCases, routeEvent(app, officer, { query: q }))).status, q).toBe(400);
  });

  it('marks a dispatched case overdue once its signing deadline passes, and announces it', async () => {
    const longAgo = new Date('2026-03-02T01:00:00Z'); // Monday 09:00 in Shanghai
    const opened = await app.intake.submit(
      {
        channel: 'phone',
        text: '共康路积水严重车辆无法通行',
        lon: street.lon,
        lat: street.lat - 0.001,
        category: 'utilities.drainage',
      },
      { userId: officer.id, role: 'officer', departmentId: null },
      longAgo,
    );
    const overdue = await callRoute<CaseListResponse>(
      listCases,
      routeEvent(app, officer, { query: '?deadline=overdue&limit=200' }),
    );
    const row = overdue.body.cases.find((c) => c.code === opened.caseCode);
    expect(row).toMatchObject({ state: 'dispatched', deadline: 'overdue' });
    // Signing deadline: 2 working hours after Monday 09:00 → 11:00 Shanghai.
    expect(row!.dueAt).toBe('2026-03-02T03:00:00.000Z');
    const crossed = await app.repos.cases.deadlinesCrossed(
      new Date('2026-03-02T02:59:00Z'),
      new Date('2026-03-02T03:01:00Z'),
    );
    expect(crossed.map((c) => c.code)).toContain(opened.caseCode);
  });

  it('learns from an officer correcting the category', async () => {
    const r = await intake(officer, {
      channel: 'phone',
      text: '宝昌路某店铺把货物堆在人行道上卖，行人只能走机动车道',
      lon: street.lon,
      lat: street.lat,
    });
    const c = await detail(r.body.caseCode);
    const target = c.category === 'city.street_vendors' ? 'market.unlicensed' : 'city.street_vendors';
    const res = await act(r.body.caseCode, officer, {
      action: 'reclassify',
      category: target,
      note: '分类更正',
    });
    expect(res.status).toBe(200);
    const [row] = await db.rows<{ predicted: string; corrected: string }>(
      sql`select predicted, corrected from classification_corrections order by id desc limit 1`,
    );
    expect(row).toEqual({ predicted: c.category, corrected: target });
    expect((await detail(r.body.caseCode)).category).toBe(target);
    // The model was taught: the same words now lead to the corrected category.
    expect(app.classifier.classify('宝昌路某店铺把货物堆在人行道上卖，行人只能走机动车道').category).toBe(
      target,
    );
  });
});
