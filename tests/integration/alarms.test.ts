// Alarms after ingest, on every engine: acknowledging (and its refusals), escalation with time, the one
// case a critical alarm opens for the owner department even when two sweeps race, the sensor's alarm
// list as the panel reads it, and the HTTP endpoints' status codes. Alarm rows are inserted directly:
// raising them is ingest's job and tested there.
import { sql } from 'drizzle-orm';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/client';
import { alarmsRepository } from '../../server/db/repositories/alarms.repository';
import { casesRepository } from '../../server/db/repositories/cases.repository';
import { defaultCalendar } from '../../server/domain/work-calendar';
import { alarmCaseOpener } from '../../server/services/alarm-cases';
import { caseService } from '../../server/services/case.service';
import { ownerDepartmentCode, type DistrictCode } from '../../server/domain/city-facts';
import type { SensorFamily } from '../../server/domain/sensor-state';
import type { Logger } from '../../server/log';
import { alarmService, type AlarmService } from '../../server/services/alarm.service';
import { generateDemoCity } from '../../server/sim/generate-city';
import type { AlarmView } from '../../src/lib/api/alarms';
import { mapRepository } from '../../server/db/repositories/map.repository';
import { GET as listSensorAlarms } from '../../src/routes/api/sensors/[id]/alarms/+server';
import { POST as ackRoute } from '../../src/routes/api/alarms/[id]/ack/+server';
import { GET as listAlarms } from '../../src/routes/api/alarms/+server';
import { database, engines, resetDatabase } from './support/databases';

const T0 = new Date('2026-03-02T08:00:00Z');
const minutes = (m: number) => new Date(T0.getTime() + m * 60_000);
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

interface SensorRow {
  id: number;
  code: string;
  family: SensorFamily;
  district: DistrictCode;
  streetId: number;
  gridCellId: number | null;
}

interface AlarmSeed {
  sensorId: number;
  ruleId?: string;
  severity?: 1 | 2;
  status?: 'open' | 'acknowledged' | 'cleared';
  openedAt?: Date;
  clearedAt?: Date | null;
}

/** Inserts an alarm as ingest would have raised it; returns its id. */
async function insertAlarm(db: Database, a: AlarmSeed): Promise<number> {
  const opened = (a.openedAt ?? T0).toISOString();
  const cleared = a.status === 'cleared' ? (a.clearedAt ?? a.openedAt ?? T0).toISOString() : null;
  const [r] = await db.rows<{ id: string | number }>(sql`
    insert into alarms (sensor_id, rule_id, severity, status, opened_at, last_seen_at, occurrences,
                        last_value, cleared_at)
    values (${a.sensorId}, ${a.ruleId ?? 'manhole.tilt'}, ${a.severity ?? 1}, ${a.status ?? 'open'},
            ${opened}::timestamptz, ${opened}::timestamptz, 3, '{"tilt_deg": 17.5}'::jsonb,
            ${cleared}::timestamptz)
    returning id`);
  return Number(r.id);
}

/** A fake SvelteKit request event: what the alarm routes read. */
function event(
  app: { alarms: AlarmService },
  user: { id: number; role: string } | null,
  params: Record<string, string>,
  query = '',
) {
  return {
    locals: {
      app,
      user: user && { ...user, username: user.role, displayName: user.role, departmentId: null },
    },
    params,
    url: new URL(`http://localhost/api/alarms${query}`),
  } as never;
}

/** Runs a route handler; returns its status and JSON body, whether it answered or threw an HTTP error. */
async function call(handler: (e: never) => Response | Promise<Response>, e: never) {
  try {
    const res = await handler(e);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch (err) {
    const h = err as { status?: number; body?: { message: string } };
    if (typeof h.status !== 'number') throw err;
    return { status: h.status, body: h.body as Record<string, unknown> };
  }
}

describe.each(engines())('alarms on %s', (engine) => {
  let db: Database;
  let service: AlarmService;
  let sensors: SensorRow[];
  let officerId: number;
  let leaderId: number;

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 300, seed: 'alarms' });
    sensors = (
      await db.rows<SensorRow>(sql`
        select s.id, s.code, t.code as family, d.code as district, s.street_id as "streetId",
               s.grid_cell_id as "gridCellId"
        from sensors s
        join sensor_types t on t.id = s.type_id
        join streets st on st.id = s.street_id
        join districts d on d.id = st.district_id
        order by s.id`)
    ).map((s) => ({ ...s, id: Number(s.id) }));
    const users = await db.rows<{ id: number; role: string }>(sql`
      insert into users (username, display_name, password_hash, role)
      values ('duty1', '值班员王芳', 'x', 'officer'), ('lead1', '区领导', 'x', 'leader')
      returning id, role`);
    officerId = users.find((u) => u.role === 'officer')!.id;
    leaderId = users.find((u) => u.role === 'leader')!.id;
    const cases = caseService({ cases: casesRepository(db), calendar: defaultCalendar(), log: quiet });
    service = alarmService({ alarms: alarmsRepository(db), log: quiet, openCase: alarmCaseOpener(cases) });
  });

  beforeEach(async () => {
    await db.orm.execute(sql`delete from alarms`);
    await db.orm.execute(sql`delete from case_events`);
    await db.orm.execute(sql`delete from cases`);
  });

  const sensorOf = (family: SensorFamily) => {
    const s = sensors.find((x) => x.family === family);
    if (!s) throw new Error(`the demo city has no ${family} sensor`);
    return s;
  };

  it('records who acknowledged and when, and refuses a second acknowledgement', async () => {
    const id = await insertAlarm(db, { sensorId: sensors[0].id });
    const first = await service.acknowledge(id, { id: officerId }, minutes(3));
    expect(first).toMatchObject({
      ok: true,
      alarm: {
        id,
        status: 'acknowledged',
        acknowledgedBy: '值班员王芳',
        acknowledgedAt: minutes(3).toISOString(),
      },
    });
    expect(await service.acknowledge(id, { id: leaderId }, minutes(4))).toEqual({
      ok: false,
      reason: 'already_acknowledged',
    });
    const [row] = await db.rows<{ by: number }>(
      sql`select acknowledged_by as by from alarms where id = ${id}`,
    );
    expect(row.by).toBe(officerId);
  });

  it('refuses to acknowledge a cleared alarm or one that does not exist', async () => {
    const id = await insertAlarm(db, { sensorId: sensors[1].id, status: 'cleared', clearedAt: minutes(2) });
    expect(await service.acknowledge(id, { id: officerId }, minutes(3))).toEqual({
      ok: false,
      reason: 'cleared',
    });
    expect(await service.acknowledge(id + 1000, { id: officerId }, minutes(3))).toEqual({
      ok: false,
      reason: 'not_found',
    });
    const [row] = await db.rows<{ status: string }>(sql`select status from alarms where id = ${id}`);
    expect(row.status).toBe('cleared');
  });

  it('escalates an unacknowledged alarm after 10 and 30 minutes, never before, never an acknowledged one', async () => {
    const waiting = await insertAlarm(db, { sensorId: sensors[2].id });
    const acked = await insertAlarm(db, { sensorId: sensors[3].id });
    await service.acknowledge(acked, { id: officerId }, minutes(1));
    const level = async (id: number) =>
      (
        await db.rows<{ level: number; at: string | null }>(
          sql`select escalation_level as level, escalated_at as at from alarms where id = ${id}`,
        )
      )[0];

    expect((await service.sweep(minutes(9))).escalated).toEqual([]);
    expect((await level(waiting)).level).toBe(0);

    expect((await service.sweep(minutes(10))).escalated).toEqual([{ alarmId: waiting, level: 1 }]);
    expect(new Date((await level(waiting)).at!).toISOString()).toBe(minutes(10).toISOString());
    expect((await service.sweep(minutes(20))).escalated).toEqual([]);

    expect((await service.sweep(minutes(31))).escalated).toEqual([{ alarmId: waiting, level: 2 }]);
    expect((await service.sweep(minutes(90))).escalated).toEqual([]);
    expect((await level(waiting)).level).toBe(2);
    expect((await level(acked)).level).toBe(0);

    // A sweep that was down catches up level by level; two racing sweeps record each level once.
    const late = await insertAlarm(db, { sensorId: sensors[4].id, openedAt: minutes(100) });
    const raced = await Promise.all([service.sweep(minutes(140)), service.sweep(minutes(140))]);
    expect(raced.flatMap((r) => r.escalated).sort((a, b) => a.level - b.level)).toEqual([
      { alarmId: late, level: 1 },
      { alarmId: late, level: 2 },
    ]);
    expect((await level(late)).level).toBe(2);
  });

  it('opens exactly one case per critical alarm for the owner department, even when sweeps race', async () => {
    const families: SensorFamily[] = ['manhole', 'hydrant', 'elevator', 'gas'];
    const picked = families.map(sensorOf);
    const critical: number[] = [];
    for (const s of picked) {
      critical.push(await insertAlarm(db, { sensorId: s.id, ruleId: `${s.family}.test`, severity: 2 }));
    }
    const warning = await insertAlarm(db, { sensorId: sensors[5].id, severity: 1 });

    const results = await Promise.all([service.sweep(minutes(1)), service.sweep(minutes(1))]);
    expect(
      results
        .flatMap((r) => r.casesOpened)
        .map((c) => c.alarmId)
        .sort(),
    ).toEqual([...critical].sort());
    expect(results.every((r) => r.failed === 0)).toBe(true);
    expect((await service.sweep(minutes(2))).casesOpened).toEqual([]);

    const cases = await db.rows<{
      id: number;
      code: string;
      title: string;
      category: string;
      state: string;
      priority: number;
      department: string;
      streetId: number;
      gridCellId: number | null;
      sensorId: number;
      sameGeom: boolean;
      alarmId: string | number;
    }>(sql`
      select c.id, c.code, c.title, c.category, c.state, c.priority, dep.code as department,
             c.street_id as "streetId", c.grid_cell_id as "gridCellId", c.sensor_id as "sensorId",
             ST_Equals(c.geom, s.geom) as "sameGeom", a.id as "alarmId"
      from cases c
      join departments dep on dep.id = c.department_id
      join sensors s on s.id = c.sensor_id
      join alarms a on a.case_id = c.id
      order by a.id`);
    expect(cases).toHaveLength(critical.length);
    for (const [i, c] of cases.entries()) {
      const s = picked[i];
      expect(Number(c.alarmId)).toBe(critical[i]);
      expect(c).toMatchObject({
        code: `AL-20260302-${critical[i]}`,
        category: 'safety.sensor_alarm',
        state: 'dispatched',
        priority: 1,
        department: ownerDepartmentCode(s.family, s.district),
        streetId: s.streetId,
        gridCellId: s.gridCellId,
        sensorId: s.id,
        sameGeom: true,
      });
      expect(c.title).toContain(`${s.family}.test`);
      expect(c.title).toContain(s.code);
    }
    expect(cases.find((c) => c.sensorId === sensorOf('manhole').id)!.title).toContain('井盖');

    const events = await db.rows<{
      caseId: number;
      actorRole: string;
      actorUserId: number | null;
      action: string;
      fromState: string | null;
      toState: string;
      note: string;
      data: unknown;
    }>(sql`
      select case_id as "caseId", actor_role as "actorRole", actor_user_id as "actorUserId", action,
             from_state as "fromState", to_state as "toState", note, data
      from case_events order by case_id, id`);
    // The common case path: received (with the alarm in the note), then dispatched by the system.
    expect(events).toHaveLength(critical.length * 2);
    for (const [i, c] of cases.entries()) {
      const [received, dispatched] = events.filter((e) => Number(e.caseId) === Number(c.id));
      expect(received).toMatchObject({
        actorRole: 'system',
        actorUserId: null,
        action: 'receive',
        fromState: null,
        toState: 'received',
      });
      // The note's facts ride in data.text (rendered in the reader's language); its words name no row id.
      const data = typeof received.data === 'string' ? JSON.parse(received.data) : received.data;
      expect(data.text).toMatchObject({
        alarm: critical[i],
        rule: `${picked[i].family}.test`,
        critical: true,
      });
      expect(received.note).not.toContain(`#${critical[i]}`);
      expect(received.note).toContain(picked[i].code);
      expect(dispatched).toMatchObject({
        actorRole: 'system',
        action: 'dispatch',
        fromState: 'received',
        toState: 'dispatched',
      });
    }
    const [w] = await db.rows<{ caseId: number | null }>(
      sql`select case_id as "caseId" from alarms where id = ${warning}`,
    );
    expect(w.caseId).toBeNull();
  });

  it("sends a family without an owner bureau to the sensor's street office", async () => {
    await db.orm.execute(sql`
      insert into sensor_types (code, name, name_en) values ('noise', '噪声', 'Noise meter')
      on conflict (code) do nothing`);
    const s = sensors[7];
    const [n] = await db.rows<{ id: number }>(sql`
      insert into sensors (code, type_id, street_id, grid_cell_id, geom)
      select 'NS-TEST-1', t.id, s.street_id, s.grid_cell_id, s.geom
      from sensor_types t, sensors s where t.code = 'noise' and s.id = ${s.id}
      on conflict (code) do update set street_id = excluded.street_id
      returning id`);
    const id = await insertAlarm(db, { sensorId: n.id, ruleId: 'noise.level', severity: 2 });
    await service.sweep(minutes(1));
    const [c] = await db.rows<{ department: string; kind: string; streetId: number }>(sql`
      select dep.code as department, dep.kind, dep.street_id as "streetId"
      from alarms a join cases c on c.id = a.case_id join departments dep on dep.id = c.department_id
      where a.id = ${id}`);
    expect(c).toMatchObject({ kind: 'street_office', streetId: s.streetId });
  });

  it("lists a sensor's alarms newest first: open ones and the last 20 cleared, in the AlarmView shape", async () => {
    const s = sensors[10];
    const cleared: number[] = [];
    for (let i = 0; i < 25; i++) {
      cleared.push(
        await insertAlarm(db, {
          sensorId: s.id,
          ruleId: 'manhole.battery',
          status: 'cleared',
          openedAt: minutes(i * 10),
          clearedAt: minutes(i * 10 + 5),
        }),
      );
    }
    const open = await insertAlarm(db, {
      sensorId: s.id,
      ruleId: 'manhole.open',
      severity: 2,
      openedAt: minutes(300),
    });
    await service.acknowledge(open, { id: officerId }, minutes(301));
    await service.sweep(minutes(302));

    const list = (await service.sensorAlarms(s.id))!;
    expect(list).toHaveLength(21);
    expect(list[0].id).toBe(open);
    expect(list.slice(1).map((a) => a.id)).toEqual(cleared.slice(5).reverse());
    const [caseRow] = await db.rows<{ code: string }>(sql`select code from cases`);
    const expected: AlarmView = {
      id: open,
      sensorId: s.id,
      sensorCode: s.code,
      ruleId: 'manhole.open',
      severity: 2,
      status: 'acknowledged',
      openedAt: minutes(300).toISOString(),
      lastSeenAt: minutes(300).toISOString(),
      occurrences: 3,
      lastValue: { tilt_deg: 17.5 },
      acknowledgedBy: '值班员王芳',
      acknowledgedAt: minutes(301).toISOString(),
      clearedAt: null,
      escalationLevel: 0,
      caseId: list[0].caseId,
      caseCode: caseRow.code,
    };
    expect(list[0]).toStrictEqual(expected);
    expect(typeof list[0].caseId).toBe('number');
    expect(list[1]).toMatchObject({ status: 'cleared', clearedAt: minutes(245).toISOString(), caseId: null });

    expect(await service.sensorAlarms(sensors[11].id)).toEqual([]);
    expect(await service.sensorAlarms(9_999_999)).toBeNull();
  });

  it("names the field of the rule behind a sensor's most severe alarm, for its chart to start on", async () => {
    const s = sensorOf('manhole');
    const map = mapRepository(db);
    expect((await map.sensorDetail(s.id))!.firingField).toBeNull();
    await insertAlarm(db, { sensorId: s.id, ruleId: 'manhole.battery', severity: 1, openedAt: minutes(1) });
    await insertAlarm(db, { sensorId: s.id, ruleId: 'manhole.tilt', severity: 1, status: 'cleared' });
    expect((await map.sensorDetail(s.id))!.firingField).toBe('battery_pct');
    await insertAlarm(db, {
      sensorId: s.id,
      ruleId: 'manhole.water_level',
      severity: 2,
      openedAt: minutes(0),
    });
    expect((await map.sensorDetail(s.id))!.firingField).toBe('water_level_cm');
  });

  it('lists alarms not yet cleared, filtered by status and severity, critical first', async () => {
    const a = await insertAlarm(db, { sensorId: sensors[20].id, severity: 1, openedAt: minutes(5) });
    const b = await insertAlarm(db, { sensorId: sensors[21].id, severity: 2, openedAt: minutes(1) });
    const c = await insertAlarm(db, { sensorId: sensors[22].id, severity: 1, openedAt: minutes(9) });
    await insertAlarm(db, { sensorId: sensors[23].id, status: 'cleared' });
    await service.acknowledge(c, { id: officerId }, minutes(10));
    const ids = async (f: Parameters<AlarmService['openAlarms']>[0]) =>
      (await service.openAlarms(f)).map((x) => x.id);
    expect(await ids({ limit: 100 })).toEqual([b, c, a]);
    expect(await ids({ limit: 2 })).toEqual([b, c]);
    expect(await ids({ limit: 100, status: 'open' })).toEqual([b, a]);
    expect(await ids({ limit: 100, status: 'acknowledged' })).toEqual([c]);
    expect(await ids({ limit: 100, severity: 1 })).toEqual([c, a]);
  });

  describe('HTTP', () => {
    const officer = () => ({ id: officerId, role: 'officer' });

    it('acknowledges for a duty officer, 409 naming the reason after that, 404 for an unknown id', async () => {
      const app = { alarms: service };
      const id = await insertAlarm(db, { sensorId: sensors[30].id });
      const ok = await call(ackRoute, event(app, officer(), { id: String(id) }));
      expect(ok.status).toBe(200);
      expect(ok.body.alarm).toMatchObject({ id, status: 'acknowledged', acknowledgedBy: '值班员王芳' });
      const again = await call(ackRoute, event(app, officer(), { id: String(id) }));
      expect(again).toMatchObject({
        status: 409,
        body: { message: expect.stringMatching(/already acknowledged/) },
      });
      const gone = await call(ackRoute, event(app, officer(), { id: String(id + 999) }));
      expect(gone.status).toBe(404);
      const cleared = await insertAlarm(db, { sensorId: sensors[31].id, status: 'cleared' });
      const late = await call(ackRoute, event(app, officer(), { id: String(cleared) }));
      expect(late).toMatchObject({ status: 409, body: { message: expect.stringMatching(/cleared/) } });
      const bad = await call(ackRoute, event(app, officer(), { id: 'abc' }));
      expect(bad).toMatchObject({ status: 400, body: { message: expect.stringMatching(/alarm id/) } });
    });

    it('refuses leaders and department staff with 403 naming the role, and anonymous callers with 401', async () => {
      const app = { alarms: service };
      const id = await insertAlarm(db, { sensorId: sensors[32].id });
      for (const role of ['leader', 'staff']) {
        const r = await call(ackRoute, event(app, { id: leaderId, role }, { id: String(id) }));
        expect(r).toMatchObject({ status: 403, body: { message: expect.stringContaining(`(${role})`) } });
      }
      expect((await call(ackRoute, event(app, null, { id: String(id) }))).status).toBe(401);
      const [row] = await db.rows<{ status: string }>(sql`select status from alarms where id = ${id}`);
      expect(row.status).toBe('open');
    });

    it("serves a sensor's alarms to any role, 404 for an unknown sensor", async () => {
      const app = { alarms: service };
      const id = await insertAlarm(db, { sensorId: sensors[33].id });
      const r = await call(
        listSensorAlarms,
        event(app, { id: leaderId, role: 'leader' }, { id: String(sensors[33].id) }),
      );
      expect(r.status).toBe(200);
      expect((r.body.alarms as AlarmView[]).map((a) => a.id)).toEqual([id]);
      const missing = await call(
        listSensorAlarms,
        event(app, { id: leaderId, role: 'staff' }, { id: '9999999' }),
      );
      expect(missing.status).toBe(404);
    });

    it('lists open alarms and answers a bad query parameter with 400 naming it', async () => {
      const app = { alarms: service };
      const id = await insertAlarm(db, { sensorId: sensors[34].id, severity: 2 });
      const ok = await call(listAlarms, event(app, officer(), {}, '?severity=2&status=open&limit=5'));
      expect(ok.status).toBe(200);
      expect((ok.body.alarms as AlarmView[]).map((a) => a.id)).toEqual([id]);
      for (const [query, name] of [
        ['?severity=3', 'severity'],
        ['?status=closed', 'status'],
        ['?limit=0', 'limit'],
        ['?limit=lots', 'limit'],
      ]) {
        const r = await call(listAlarms, event(app, officer(), {}, query));
        expect(r, query).toMatchObject({
          status: 400,
          body: { message: expect.stringContaining(`"${name}"`) },
        });
      }
    });
  });
});
