// Replay on a real database (issue 19): the picture rebuilt at 20 random instants equals a brute-force
// fold of everything stored up to each instant, sensor by sensor (checkpoint + transitions against every
// transition from the start), alarm by alarm and case by case (every event folded); retention keeps the
// instants after its cut rebuildable; the route refuses bad instants by name and other roles.
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Database } from '../../server/db/client';
import { replayCase, type RecordedEvent } from '../../server/domain/case-history';
import { OPEN_STATES, type CaseState } from '../../server/domain/case-workflow';
import { deadlineAt } from '../../server/domain/replay';
import { mulberry32 } from '../../server/domain/random';
import type { CaseActor } from '../../server/services/case.service';
import { generateDemoCity } from '../../server/sim/generate-city';
import { GET as getState } from '../../src/routes/api/replay/state/+server';
import { GET as listBookmarks, POST as addBookmark } from '../../src/routes/api/replay/bookmarks/+server';
import { DELETE as deleteBookmark } from '../../src/routes/api/replay/bookmarks/[id]/+server';
import { database, engines, resetDatabase } from './support/databases';
import { callRoute, routeEvent, type TestUser } from './support/routes';
import { replayRepository } from '../../server/db/repositories/replay.repository';

const DAY = 86_400_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(engines())('replay on %s', (engine) => {
  let db: Database;
  let app: App;
  const rand = mulberry32(19);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 120, seed: 'replay-it' });
    app = buildApp(loadConfig({ LOG_LEVEL: 'silent' }), db);
  });

  it('rebuilds every sensor at 20 random instants exactly as a fold of all transitions', async () => {
    const ids = (await db.rows<{ id: number }>(sql`select id from sensors order by id`)).map((r) => r.id);
    const first = await app.replay.upkeep(new Date());
    // 160 changes of 1–4 sensors each, a checkpoint every 40, spread over real time (the trigger's clock).
    for (let step = 1; step <= 160; step++) {
      const some = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => pick(ids));
      const state = Math.floor(rand() * 4);
      await db.orm.execute(
        sql`update sensor_state set state = ${state} where sensor_id in (${sql.join(
          some.map((id) => sql`${id}`),
          sql`, `,
        )})`,
      );
      // A reading of an unchanged state is no transition.
      await db.orm.execute(
        sql`update sensor_state set reading = '{"v": 1}'::jsonb where sensor_id = ${pick(ids)}`,
      );
      if (step % 40 === 0) await app.replay.upkeep(new Date());
      if (step % 8 === 0) await sleep(3);
    }
    const end = Date.now();
    const all = await db.rows<{
      sensor_id: number;
      seq: string | number;
      us: string | number;
      state: number;
    }>(
      sql`select sensor_id, seq, (extract(epoch from at) * 1000000)::bigint as us, state
          from sensor_transitions order by seq`,
    );
    expect(all.length).toBeGreaterThan(150);
    const from = first.checkpoint.at.getTime();
    for (let k = 0; k < 20; k++) {
      const at = new Date(from + Math.floor(rand() * (end - from)));
      // Brute force: every transition up to the instant, in change order, from all normal.
      const state = new Map<number, number>();
      for (const t of all) if (Number(t.us) <= at.getTime() * 1000) state.set(t.sensor_id, t.state);
      const expected = ids.filter((id) => (state.get(id) ?? 0) !== 0);
      const got = await app.replay.stateAt(at, new Date());
      expect(got.sensors.ids, at.toISOString()).toEqual(expected);
      expect(got.sensors.states).toEqual(expected.map((id) => state.get(id)));
      const counts = [0, 0, 0, 0];
      for (const id of ids) counts[state.get(id) ?? 0]++;
      expect(got.sensors.counts.byState).toEqual(counts);
    }
    // Now is the live table.
    const live = await db.rows<{ sensor_id: number; state: number }>(
      sql`select sensor_id, state from sensor_state where state <> 0 order by sensor_id`,
    );
    const now = await app.replay.stateAt(new Date(), new Date());
    expect(now.sensors.ids).toEqual(live.map((r) => r.sensor_id));
    expect(now.sensors.states).toEqual(live.map((r) => r.state));
  });

  it('rebuilds alarms and cases at 20 random instants exactly as a fold of their records', async () => {
    const now = Date.now();
    const t0 = now - 5 * DAY;
    // A base checkpoint older than the past written here (what a generated history provides).
    await db.orm.execute(
      sql`insert into replay_checkpoints (at, seq, sensor_ids, states)
          values (${new Date(t0 - DAY).toISOString()}::timestamptz, 0, '{}', '{}')`,
    );
    const at = (h: number) => new Date(t0 + h * 3600_000);
    const sensors = await db.rows<{ id: number }>(sql`select id from sensors order by id limit 30`);
    // Alarms: opened, maybe acknowledged, maybe cleared, at random hours of the five days.
    for (const s of sensors) {
      const opened = rand() * 100;
      const acked = rand() < 0.6 ? opened + rand() * 10 : null;
      const cleared = rand() < 0.6 ? opened + 5 + rand() * 15 : null;
      await db.orm.execute(sql`
        insert into alarms (sensor_id, rule_id, severity, status, opened_at, last_seen_at,
                            acknowledged_at, cleared_at)
        values (${s.id}, 'manhole.tilt', 2, ${cleared !== null ? 'cleared' : acked !== null ? 'acknowledged' : 'open'},
                ${at(opened).toISOString()}::timestamptz, ${at(opened).toISOString()}::timestamptz,
                ${acked === null ? null : at(acked).toISOString()}::timestamptz,
                ${cleared === null ? null : at(cleared).toISOString()}::timestamptz)`);
    }
    // Cases: opened at random hours and taken some way along their workflow, an action every few hours.
    const [dep] = await db.rows<{ id: number }>(
      sql`select id from departments where kind = 'street_office' order by id limit 1`,
    );
    const desk: CaseActor = { userId: null, role: 'officer', departmentId: null };
    const staff: CaseActor = { userId: null, role: 'staff', departmentId: dep.id };
    const path: [Parameters<App['cases']['act']>[1], CaseActor][] = [
      [{ action: 'sign' }, staff],
      [{ action: 'resolve', note: '已处理' }, staff],
      [{ action: 'call_back', note: '回访' }, desk],
      [{ action: 'rate', rating: 'satisfied' }, desk],
      [{ action: 'close' }, desk],
    ];
    for (let i = 0; i < 14; i++) {
      let h = rand() * 90;
      const c = await app.cases.open(
        {
          title: `回放测试 ${i}`,
          description: null,
          category: 'city.sanitation',
          priority: 2,
          source: 'hotline',
          triage: false,
          address: null,
          streetId: null,
          gridCellId: null,
          sensorId: null,
          lon: null,
          lat: null,
          createdAt: at(h),
        },
        { departmentId: dep.id, gridCellId: null },
        { userId: null, role: 'system', departmentId: null },
      );
      const steps = i % (path.length + 1); // every depth of the workflow, from just opened to closed
      for (const [cmd, who] of path.slice(0, steps)) {
        h += 1 + rand() * 30;
        const r = await app.cases.act(c.code, cmd, who, at(h));
        if (!r.ok) throw new Error(`${cmd.action}: ${r.message}`);
      }
    }
    const alarms = await db.rows<{
      id: string | number;
      opened_at: Date | string;
      acknowledged_at: Date | string | null;
      cleared_at: Date | string | null;
    }>(sql`select id, opened_at, acknowledged_at, cleared_at from alarms`);
    const events = await db.rows<{
      code: string;
      at: Date | string;
      action: string;
      from_state: string | null;
      to_state: string | null;
      data: Record<string, unknown> | null;
    }>(
      sql`select c.code, e.at, e.action, e.from_state, e.to_state, e.data
          from case_events e join cases c on c.id = e.case_id order by e.case_id, e.at, e.id`,
    );
    const time = (v: Date | string | null) => (v === null ? null : new Date(v).getTime());
    const [{ first }] = await db.rows<{ first: string | number }>(
      sql`select floor(extract(epoch from min(at)) * 1000)::bigint as first from sensor_transitions`,
    );
    const changes = [
      ...alarms.flatMap((a) => [time(a.opened_at), time(a.acknowledged_at), time(a.cleared_at)]),
      ...events.map((e) => time(e.at)),
      Math.floor(Number(first)),
    ].filter((x): x is number => x !== null);

    for (let k = 0; k < 20; k++) {
      const instant = new Date(t0 + Math.floor(rand() * 5 * DAY));
      const got = await app.replay.stateAt(instant, new Date());
      const T = instant.getTime();
      // "Jump to the next event" lands on the first change after the instant.
      expect(await app.replay.nextChange(instant, new Date())).toBe(
        new Date(Math.min(...changes.filter((x) => x > T))).toISOString(),
      );
      const openAlarms = alarms
        .filter((a) => time(a.opened_at)! <= T && (a.cleared_at === null || time(a.cleared_at)! > T))
        .map((a) => ({
          id: Number(a.id),
          acknowledged: a.acknowledged_at !== null && time(a.acknowledged_at)! <= T,
        }))
        .sort((a, b) => a.id - b.id);
      expect(
        got.alarms
          .map((a) => ({ id: a.id, acknowledged: a.acknowledgedAt !== null }))
          .sort((a, b) => a.id - b.id),
        instant.toISOString(),
      ).toEqual(openAlarms);

      const byCase = new Map<string, RecordedEvent[]>();
      for (const e of events) {
        if (time(e.at)! > T) continue;
        const list = byCase.get(e.code) ?? [];
        list.push({
          at: new Date(e.at).toISOString(),
          action: e.action,
          fromState: e.from_state as CaseState | null,
          toState: e.to_state as CaseState | null,
          data: e.data,
        });
        byCase.set(e.code, list);
      }
      const expected = [...byCase]
        .map(([code, evs]) => ({ code, c: replayCase(evs) }))
        .filter(({ c }) => OPEN_STATES.includes(c.state!))
        .map(({ code, c }) => ({ code, state: c.state, deadline: deadlineAt(c, instant, app.calendar) }))
        .sort((a, b) => a.code.localeCompare(b.code));
      expect(
        got.cases
          .map((c) => ({ code: c.code, state: c.state, deadline: c.deadline }))
          .sort((a, b) => a.code.localeCompare(b.code)),
        instant.toISOString(),
      ).toEqual(expected);
      expect(got.caseCounts).toEqual({
        open: expected.length,
        overdue: expected.filter((c) => c.deadline === 'overdue').length,
        dueSoon: expected.filter((c) => c.deadline === 'due_soon').length,
      });
      expect(got.alarmCounts.open + got.alarmCounts.acknowledged).toBe(openAlarms.length);
    }
    // The walk above saw both open and closed cases, acknowledged and unacknowledged alarms.
    expect(events.some((e) => e.to_state === 'closed')).toBe(true);
    expect(events.some((e) => e.to_state === 'signed')).toBe(true);
  });

  it('retention drops old checkpoints and the transitions they hold; later instants still rebuild', async () => {
    const before = await app.replay.stateAt(new Date(), new Date());
    const cut = new Date(Date.now() + 1000);
    await sleep(1100);
    await app.replay.upkeep(new Date());
    const { checkpoints } = await db
      .rows<{ checkpoints: number }>(sql`select count(*)::int as checkpoints from replay_checkpoints`)
      .then((r) => r[0]);
    // Pruning at `cut`: only the newest checkpoint before it (the base) and those after it stay.
    const pruned = await replayRepository(db).prune(cut);
    expect(pruned.checkpoints).toBe(checkpoints - 2);
    const [{ left }] = await db.rows<{ left: number }>(
      sql`select count(*)::int as left from sensor_transitions`,
    );
    expect(left).toBe(0);
    const after = await app.replay.stateAt(new Date(), new Date());
    expect(after.sensors.ids).toEqual(before.sensors.ids);
    expect(after.sensors.states).toEqual(before.sensors.states);
  });

  it('the route answers 400 naming a bad instant, 400 for the future and before the window, 403 for staff', async () => {
    type Body = { message: string; sensors: { counts: { byState: number[] } } };
    const ask = (user: TestUser, query: string) =>
      callRoute<Body>(getState, routeEvent(app, user, { path: '/api/replay/state', query }));
    const iso = (ms: number) => `?at=${encodeURIComponent(new Date(ms).toISOString())}`;
    const officer: TestUser = { id: 1, role: 'officer' };
    const bad = await ask(officer, '?at=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/"at" must be an ISO 8601 instant/);
    const missing = await ask(officer, '');
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/"at" is required/);
    const future = await ask(officer, iso(Date.now() + DAY));
    expect(future.status).toBe(400);
    expect(future.body.message).toMatch(/in the future/);
    const old = await ask(officer, iso(Date.now() - 40 * DAY));
    expect(old.status).toBe(400);
    expect(old.body.message).toMatch(/before the replay window \(REPLAY_DAYS = 30\)/);
    const staff = await ask({ id: 2, role: 'staff', departmentId: 1 }, iso(Date.now()));
    expect(staff.status).toBe(403);
    const ok = await ask({ id: 3, role: 'leader' }, iso(Date.now()));
    expect(ok.status).toBe(200);
    expect(ok.body.sensors.counts.byState.reduce((a, b) => a + b)).toBe(120);
  });

  it('bookmarks an instant or an interval with a note; refuses bad ones by field; only its author or an admin deletes it', async () => {
    const users = await db.rows<{ id: number; role: string }>(sql`
      insert into users (username, display_name, password_hash, role)
      values ('bm-officer', '赵值班', 'x', 'officer'), ('bm-other', '钱值班', 'x', 'officer'),
             ('bm-admin', '管理员', 'x', 'admin')
      returning id, role`);
    const [officer, other, admin] = users.map((u) => ({
      id: Number(u.id),
      role: u.role as TestUser['role'],
    }));
    const post = (user: TestUser, body: unknown) =>
      callRoute<{ id: number; message: string }>(addBookmark, routeEvent(app, user, { body }));
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    const made = await post(officer, {
      from: hourAgo,
      to: new Date().toISOString(),
      note: '  暴雨内涝 07:00–10:00 ',
    });
    expect(made.status).toBe(201);
    const instant = await post(officer, { from: hourAgo, note: '井盖倾斜' });
    expect(instant.status).toBe(201);

    for (const [body, field] of [
      [{ from: hourAgo, note: '' }, /note: must not be empty/],
      [{ from: hourAgo, note: 'x'.repeat(201) }, /note: must be at most 200/],
      [{ from: 'yesterday', note: 'x' }, /from: must be an ISO 8601 instant/],
      [
        { from: hourAgo, to: new Date(Date.now() - 7200_000).toISOString(), note: 'x' },
        /to must be after from/,
      ],
      [{ from: new Date(Date.now() + DAY).toISOString(), note: 'x' }, /in the future/],
      [{ from: new Date(Date.now() - 40 * DAY).toISOString(), note: 'x' }, /before the replay window/],
    ] as const) {
      const r = await post(officer, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.message).toMatch(field);
    }
    expect((await post({ id: 9, role: 'staff', departmentId: 1 }, { from: hourAgo, note: 'x' })).status).toBe(
      403,
    );

    const list = async (user: TestUser) =>
      (
        await callRoute<{
          bookmarks: { id: number; note: string; to: string | null; mine: boolean; author: string }[];
        }>(listBookmarks, routeEvent(app, user, { path: '/api/replay/bookmarks' }))
      ).body.bookmarks;
    const mine = await list(officer);
    expect(mine.map((b) => b.note)).toEqual(['暴雨内涝 07:00–10:00', '井盖倾斜']);
    expect(mine.map((b) => [b.mine, b.author, b.to === null])).toEqual([
      [true, '赵值班', false],
      [true, '赵值班', true],
    ]);
    expect((await list(other)).map((b) => b.mine)).toEqual([false, false]);

    const del = (user: TestUser, id: number) =>
      callRoute<{ message: string }>(deleteBookmark, routeEvent(app, user, { params: { id: String(id) } }));
    expect((await del(other, made.body.id)).status).toBe(403);
    expect((await del(officer, made.body.id)).status).toBe(200);
    expect((await del(admin, instant.body.id)).status).toBe(200);
    expect((await del(admin, instant.body.id)).status).toBe(404);
    expect(await list(officer)).toEqual([]);
  });
});
