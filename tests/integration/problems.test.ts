// Common problems through the real intake, routes and database: repeat reports of a pothole and a weekly
// elevator fault become two problems, labelled with their road, ranked, backed by an elevator alarm and
// drilled down to their tickets; one-off complaints stay out; bad queries and staff are refused.
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Database } from '../../server/db/client';
import { generateDemoCity } from '../../server/sim/generate-city';
import type { ProblemDetailResponse, ProblemListResponse, ProblemView } from '../../src/lib/api/problems';
import { GET as listProblems } from '../../src/routes/api/problems/+server';
import { GET as getProblem } from '../../src/routes/api/problems/[id]/+server';
import { database, engines, resetDatabase } from './support/databases';
import { callRoute, routeEvent, type TestUser } from './support/routes';

const DAY = 86_400_000;

describe.each(engines())('common problems on %s', (engine) => {
  let db: Database;
  let app: App;
  let leader: TestUser;
  const pothole: number[] = [];
  const elevator: number[] = [];
  const oneOff: number[] = [];

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 200, seed: 'problems-it' });
    app = buildApp(loadConfig({ LOG_LEVEL: 'silent' }), db);
    const [u] = await db.rows<{ id: number }>(sql`
      insert into users (username, display_name, password_hash, role)
      values ('lead-problems', '领导', 'x', 'leader') returning id`);
    leader = { id: Number(u.id), role: 'leader' };
    const [s] = await db.rows<{ lon: number; lat: number }>(sql`
      select ST_X(ST_PointOnSurface(geom)) as lon, ST_Y(ST_PointOnSurface(geom)) as lat
      from streets where code = 'ja-linfen'`);
    const lon = Number(s.lon);
    const lat = Number(s.lat);
    const now = Date.now();
    const report = async (text: string, category: string, dLat: number, daysAgo: number) =>
      (
        await app.intake.submit(
          { channel: 'phone', text, address: '阳曲路', lon, lat: lat + dLat, category },
          { userId: leader.id, role: 'officer', departmentId: null },
          new Date(now - daysAgo * DAY),
        )
      ).ticketId;

    // A pothole outside one house number: three reports over ten days, 10 m apart.
    for (const [text, d, ago] of [
      ['阳曲路12号门口路面有个大坑，电动车经过差点摔倒', 0, 10],
      ['阳曲路12号门口马路上坑很深，下雨积水看不见', 0.0001, 6],
      ['阳曲路12号门口的坑还没补，今天又有人摔了', -0.0001, 1],
    ] as const)
      pothole.push(await report(text, 'construction.roads', d, ago));
    // One compound's elevator, broken every week, 200 m north.
    for (const [text, ago] of [
      ['阳曲路200弄5号楼电梯又坏了，老人爬不了楼', 21],
      ['阳曲路200弄5号楼电梯故障停运，上个星期刚修过', 14.2],
      ['阳曲路200弄5号楼电梯又停了，每周都坏一次', 7.2],
      ['阳曲路200弄5号楼电梯困人了，有老人被困在里面', 0.5],
    ] as const)
      elevator.push(await report(text, 'construction.elevators', 0.0018, ago));
    // Unrelated complaints next to them.
    oneOff.push(await report('阳曲路小区楼上邻居半夜拖椅子，声音很大', 'environment.noise', 0.0005, 3));
    oneOff.push(await report('阳曲路菜场门口垃圾没人清运', 'city.sanitation', -0.0005, 2));
    oneOff.push(await report('阳曲路人行道地砖松动翘起来了', 'construction.roads', 0.004, 4));

    // An alarm of an elevator sensor in the compound during the faults: the problem's evidence.
    const [sensor] = await db.rows<{ id: number }>(sql`
      insert into sensors (code, type_id, geom)
      select 'EL-PROBLEMS-1', id, ST_SetSRID(ST_MakePoint(${lon}, ${lat + 0.0019}), 4326)
      from sensor_types where code = 'elevator' returning id`);
    const opened = new Date(now - 7 * DAY).toISOString();
    await db.rows(sql`
      insert into alarms (sensor_id, rule_id, severity, status, opened_at, last_seen_at)
      values (${sensor.id}, 'elevator.stuck', 2, 'cleared', ${opened}::timestamptz, ${opened}::timestamptz)`);
  });

  const list = (query: string, user: TestUser = leader) =>
    callRoute<ProblemListResponse & { message?: string }>(
      listProblems,
      routeEvent(app, user, { path: '/api/problems', query }),
    );
  const drill = (id: string, query = '', user: TestUser = leader) =>
    callRoute<ProblemDetailResponse & { message?: string }>(
      getProblem,
      routeEvent(app, user, { params: { id }, query }),
    );
  const problemOf = (problems: ProblemView[], ticketId: number) =>
    problems.find((p) => p.ticketIds.includes(ticketId));

  it('groups the repeat reports into two problems labelled with their road', async () => {
    const r = await list('');
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(2);
    const hole = problemOf(r.body.problems, pothole[0])!;
    const lift = problemOf(r.body.problems, elevator[0])!;
    expect(hole).toMatchObject({
      id: Math.min(...pothole),
      category: 'construction.roads',
      size: 3,
      ticketIds: pothole,
      lastWeek: 2,
      weekBefore: 1,
      growth: 1,
      unresolvedShare: 1,
      evidence: { alarmCount: 0 },
    });
    expect(lift).toMatchObject({ id: Math.min(...elevator), size: 4, ticketIds: elevator, growth: 0 });
    for (const p of [hole, lift]) {
      expect(p.label).toContain('阳曲路');
      expect(p.streets).toEqual(['临汾路街道']);
      expect(p.caseCodes.length).toBeGreaterThan(0);
      expect(p.departments[0].name).toEqual(expect.any(String));
    }
    expect(lift.label).toContain('电梯');
    expect(lift.evidence).toMatchObject({
      alarmCount: 1,
      sensorCount: 1,
      alarms: [{ sensorCode: 'EL-PROBLEMS-1', family: 'elevator', ruleId: 'elevator.stuck' }],
    });
    expect(lift.evidence!.alarms[0].distanceM).toBeLessThan(30);
    for (const id of oneOff) expect(problemOf(r.body.problems, id)).toBeUndefined();
  });

  it('sorts by size, growth or unresolved share, and filters by category and window', async () => {
    const ids = async (q: string) => (await list(q)).body.problems.map((p) => p.id);
    const [hole, lift] = [Math.min(...pothole), Math.min(...elevator)];
    expect(await ids('?sort=size')).toEqual([lift, hole]);
    expect(await ids('?sort=growth')).toEqual([hole, lift]);
    expect(await ids('?sort=unresolved')).toHaveLength(2);
    expect(await ids('?sort=size&limit=1')).toEqual([lift]);
    expect(await ids('?category=construction.elevators')).toEqual([lift]);
    expect(await ids('?category=construction')).toEqual([lift, hole]);
    expect(await ids('?category=utilities')).toEqual([]);
    // A 7-day window keeps the elevator's last report only (no problem) and the pothole's last two: the
    // problem's id is the smallest ticket id inside the window.
    expect(await ids('?days=7')).toEqual([pothole[1]]);
  });

  it("lists a calendar month's problems (the monthly meeting's), from reports of that month only", async () => {
    expect((await list('?month=2020-01')).body).toMatchObject({ problems: [], total: 0 });
    const shanghai = new Date(Date.now() + 8 * 3_600_000);
    const month = shanghai.toISOString().slice(0, 7);
    const start = Date.UTC(shanghai.getUTCFullYear(), shanghai.getUTCMonth(), 1) - 8 * 3_600_000;
    const r = await list(`?month=${month}`);
    expect(r.status).toBe(200);
    expect(new Date(r.body.since).getTime()).toBe(start);
    for (const p of r.body.problems) expect(Date.parse(p.firstAt)).toBeGreaterThanOrEqual(start);
    // The elevator's reports span three weeks and the pothole's ten days: whatever the day of the month,
    // the month sees at most what the 30-day window sees.
    expect(r.body.total).toBeLessThanOrEqual((await list('?days=30')).body.total);
  });

  it('refuses bad parameters with a 400 naming the parameter', async () => {
    for (const [q, name] of [
      ['?days=3', 'days'],
      ['?days=366', 'days'],
      ['?days=abc', 'days'],
      ['?sort=newest', 'sort'],
      ['?limit=0', 'limit'],
      ['?limit=201', 'limit'],
      ['?category=x.y', 'category'],
      ['?street=-1', 'street'],
      ['?month=2025-13', 'month'],
      ['?month=march', 'month'],
    ]) {
      const r = await list(q);
      expect(r.status, q).toBe(400);
      expect(r.body.message, q).toContain(`"${name}"`);
    }
    expect((await drill('abc')).status).toBe(400);
    expect((await drill(String(elevator[0]), '?days=1')).status).toBe(400);
  });

  it('drills down from any ticket of a problem to all its tickets, without addresses', async () => {
    const r = await drill(String(pothole[2]));
    expect(r.status).toBe(200);
    expect(r.body.problem.id).toBe(Math.min(...pothole));
    expect(r.body.tickets.map((t) => t.id)).toEqual(pothole);
    for (const t of r.body.tickets) {
      expect(Object.keys(t).sort()).toEqual([
        'caseCode',
        'caseState',
        'id',
        'receivedAt',
        'streetName',
        'text',
      ]);
      expect(t.text.length).toBeLessThanOrEqual(120);
      expect(t.caseCode).toMatch(/^GD-/);
    }
    const lift = await drill(String(elevator[0]));
    expect(lift.body.tickets).toHaveLength(4);
    expect(lift.body.problem.evidence?.alarmCount).toBe(1);
    // A one-off complaint is no problem; an unknown ticket neither; the elevator's start is outside 7 days.
    expect((await drill(String(oneOff[0]))).status).toBe(404);
    expect((await drill('999999')).status).toBe(404);
    expect((await drill(String(elevator[0]), '?days=7')).status).toBe(404);
  });

  it('is for those who see all cases: staff and anonymous callers are refused', async () => {
    const staff: TestUser = { id: leader.id, role: 'staff', departmentId: 1 };
    expect((await list('', staff)).status).toBe(403);
    expect((await drill(String(pothole[0]), '', staff)).status).toBe(403);
    expect((await callRoute(listProblems, routeEvent(app, null, { query: '' }))).status).toBe(401);
  });
});
