// The demo district's past on the real database: a shortened history (same code path as the 13-month
// default) is written once, equals what the real services write for the same actions at the same
// instants, replays from its events, and holds the planted realities the real hot-spot, common-problem,
// forecast and performance code finds.
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Database } from '../../server/db/client';
import { allocationRepository } from '../../server/db/repositories/allocation.repository';
import { alarmsRepository } from '../../server/db/repositories/alarms.repository';
import { hotspotsRepository } from '../../server/db/repositories/hotspots.repository';
import { performanceRepository } from '../../server/db/repositories/performance.repository';
import { problemsRepository } from '../../server/db/repositories/problems.repository';
import { planAllocation, DEFAULT_PLAN_OPTIONS } from '../../server/domain/allocation';
import { replayCase } from '../../server/domain/case-history';
import type { CaseCommand } from '../../server/domain/case-workflow';
import { addMonths, monthOf } from '../../server/domain/kpis';
import { alarmCaseOpener } from '../../server/services/alarm-cases';
import { hotspotService } from '../../server/services/hotspot.service';
import { performanceService } from '../../server/services/performance.service';
import { problemsService } from '../../server/services/problems.service';
import { generateDemoCity } from '../../server/sim/generate-city';
import { generateDemoHistory, type GenerateHistoryOptions } from '../../server/sim/history';
import { runPast } from '../../server/sim/history/generate';
import { metresBetween } from '../../server/sim/history/recorder';
import { readCity } from '../../server/sim/history/city';
import { ensureSimActors } from '../../server/sim/sim-actors';
import { database, engines, resetDatabase, tableCounts } from './support/databases';

const SEED = 'history-it';
// A Monday noon in Shanghai; 75 days of 240 calls a day.
const END = new Date('2026-11-02T04:00:00Z');
const DAYS = 75;

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const norm = (r: Row): Row =>
  Object.fromEntries(
    Object.entries(r).map(([k, v]) => [
      k,
      v instanceof Date || (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v))
        ? iso(v)
        : typeof v === 'bigint'
          ? Number(v)
          : v,
    ]),
  );

/** A case's rows without serial ids, in order: what a story wrote. */
async function storyRows(db: Database, caseId: number) {
  const cases = await db.rows<Row>(sql`
    select title, description, category, state, priority, source, triage, address, street_id, grid_cell_id,
           department_id, sensor_id, ST_AsText(geom) as geom, reports, dispatched_at, sign_due_at, signed_at,
           allowed_hours, due_soon_at, due_at, pending_extension_hours, resolved_at, rating, closed_at, version,
           created_at, updated_at, left(code, 12) as code_day
    from cases where id = ${caseId}`);
  const events = await db.rows<Row>(sql`
    select at, actor_user_id, actor_role, action, from_state, to_state, note, data::text as data
    from case_events where case_id = ${caseId} order by at, id`);
  const holdings = await db.rows<Row>(sql`
    select seq, department_id, started_by, started_at, sign_due_at, signed_at, due_at, resolved_at, returned_at,
           extension_requested_at::text, extension_approved_at::text, rating, rated_at, next_started_by,
           next_started_at, next_department_id, last_at
    from case_holdings where case_id = ${caseId} order by seq`);
  const tickets = await db.rows<Row>(sql`
    select received_at, channel, caller_name, caller_phone, text, address, ST_AsText(geom) as geom, placement,
           street_id, grid_cell_id, source, category, confidence, suggestions::text as suggestions, duplicate, taken_by
    from hotline_tickets where case_id = ${caseId} order by received_at, id`);
  const alarms = await db.rows<Row>(sql`
    select sensor_id, rule_id, severity, opened_at from alarms where case_id = ${caseId} order by id`);
  const json = (r: Row) => ({ ...r, data: r.data === undefined ? undefined : JSON.parse(r.data as string) });
  return {
    cases: cases.map(norm),
    events: events.map((e) => norm(json(e))),
    holdings: holdings.map(norm),
    tickets: tickets.map(norm),
    alarms: alarms.map(norm),
  };
}

/** The command a stored event records (what the actor asked for). */
function commandOf(e: Row): CaseCommand {
  const data = JSON.parse(e.data as string) as Record<string, unknown>;
  const note = (e.note as string | null) ?? undefined;
  const a = e.action as CaseCommand['action'];
  switch (a) {
    case 'dispatch':
      return {
        action: a,
        departmentId: data.departmentId as number,
        gridCellId: data.gridCellId as number | null,
        note,
      };
    case 'request_extension':
      return { action: a, hours: data.hours as number, note: note! };
    case 'decide_extension':
      return { action: a, approve: data.approved as boolean, note };
    case 'rate':
      return { action: a, rating: data.rating as 'satisfied', note };
    default:
      return { action: a, note } as CaseCommand;
  }
}

describe.each(engines())('demo history on %s', (engine) => {
  let db: Database;
  let app: App;
  let opts: GenerateHistoryOptions;
  let first: Awaited<ReturnType<typeof generateDemoHistory>>;

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 3000, seed: SEED });
    app = buildApp(loadConfig({ LOG_LEVEL: 'silent' }), db);
    opts = {
      days: DAYS,
      callsPerDay: 240,
      seed: SEED,
      end: END,
      calendar: app.calendar,
      triageBelow: app.config.TRIAGE_BELOW,
      duplicateWindowDays: app.config.DUPLICATE_WINDOW_DAYS,
      duplicateRadiusM: app.config.DUPLICATE_RADIUS_M,
      replayDays: 30,
    };
    first = await generateDemoHistory(db, opts);
  }, 240_000);

  it('writes a district with a past once, with a live backlog at the end', async () => {
    expect(first.generated).toBe(true);
    expect(first.refused).toBe(0);
    const [n] = await db.rows<{ t: number; c: number; e: number; a: number; h: number; s: number }>(sql`
      select (select count(*)::int from hotline_tickets) as t, (select count(*)::int from cases) as c,
             (select count(*)::int from case_events) as e, (select count(*)::int from alarms) as a,
             (select count(*)::int from case_holdings) as h, (select count(*)::int from score_snapshots) as s`);
    expect(n.t).toBe(first.tickets);
    expect(n.c).toBe(first.cases);
    expect(n.e).toBe(first.events);
    expect(n.a).toBe(first.alarms);
    // About 240 calls a day over 75 days.
    expect(n.t).toBeGreaterThan(DAYS * 240 * 0.8);
    expect(n.t).toBeLessThan(DAYS * 240 * 1.25);
    expect(n.h).toBeGreaterThan(n.c * 0.9);
    expect(first.months.length).toBeGreaterThanOrEqual(1);
    expect(n.s).toBeGreaterThan(0);
    // Everything in the past; cases near the end still open at several stages, some overdue.
    const [late] = await db.rows<{ n: number }>(
      sql`select count(*)::int as n from case_events where at > ${END.toISOString()}::timestamptz`,
    );
    expect(late.n).toBe(0);
    const open = await db.rows<{ state: string; n: number }>(sql`
      select state, count(*)::int as n from cases where state in ('dispatched','signed','in_progress','returned','received') group by 1`);
    expect(open.length).toBeGreaterThanOrEqual(3);
    const [overdue] = await db.rows<{ n: number }>(sql`
      select count(*)::int as n from cases where (state = 'dispatched' and sign_due_at < ${END.toISOString()}::timestamptz)
        or (state in ('signed','in_progress') and due_at < ${END.toISOString()}::timestamptz)`);
    expect(overdue.n).toBeGreaterThan(0);
    // Case events name the simulated people as actors.
    const actors = await db.rows<{ role: string; sim: boolean }>(sql`
      select distinct e.actor_role as role, u.username like 'sim-%' as sim
      from case_events e left join users u on u.id = e.actor_user_id where e.actor_user_id is not null`);
    expect(actors.every((a) => a.sim)).toBe(true);
    expect(new Set(actors.map((a) => a.role))).toEqual(new Set(['officer', 'staff']));
    // Alarms all cleared and acknowledged by simulated officers; every critical one has its case.
    const [al] = await db.rows<{ open: number; crit: number; linked: number }>(sql`
      select count(*) filter (where status <> 'cleared')::int as open, count(*) filter (where severity = 2)::int as crit,
             count(*) filter (where severity = 2 and case_id is not null)::int as linked from alarms`);
    expect(al.open).toBe(0);
    expect(al.crit).toBeGreaterThan(0);
    expect(al.linked).toBe(al.crit);
  });

  it('writes nothing on a second call, and nothing with 0 days', async () => {
    const before = await tableCounts(db);
    expect((await generateDemoHistory(db, opts)).generated).toBe(false);
    expect((await generateDemoHistory(db, { ...opts, days: 0 })).generated).toBe(false);
    expect(await tableCounts(db)).toEqual(before);
  });

  it('the last 30 days of the past can be replayed: at 20 instants each sensor is as its open alarms say', async () => {
    const alarms = await db.rows<{
      id: string | number;
      sensor_id: number;
      severity: number;
      opened_at: Date | string;
      cleared_at: Date | string;
    }>(sql`select id, sensor_id, severity, opened_at, cleared_at from alarms`);
    const from = END.getTime() - 30 * 86_400_000;
    let abnormalSeen = 0;
    for (let k = 0; k < 20; k++) {
      // Half the instants inside an alarm of the window (something to see), half anywhere in it.
      const inside = alarms.filter((a) => new Date(a.opened_at).getTime() > from);
      const a = inside[(k * 7919) % inside.length];
      const T =
        k % 2 === 0
          ? (new Date(a.opened_at).getTime() + new Date(a.cleared_at).getTime()) / 2
          : from + ((k * 104_729) % 30) * 86_400_000 + k * 3_600_000;
      const at = new Date(Math.floor(Math.min(T, END.getTime())));
      const open = alarms.filter(
        (x) =>
          new Date(x.opened_at).getTime() <= at.getTime() && new Date(x.cleared_at).getTime() > at.getTime(),
      );
      const worst = new Map<number, number>();
      for (const x of open)
        worst.set(x.sensor_id, Math.max(worst.get(x.sensor_id) ?? 0, x.severity >= 2 ? 2 : 1));
      const ids = [...worst.keys()].sort((p, q) => p - q);
      const got = await app.replay.stateAt(at, END);
      expect(got.sensors.ids, at.toISOString()).toEqual(ids);
      expect(got.sensors.states).toEqual(ids.map((id) => worst.get(id)));
      expect(got.alarms.map((x) => x.id).sort((p, q) => p - q)).toEqual(
        open.map((x) => Number(x.id)).sort((p, q) => p - q),
      );
      abnormalSeen += ids.length;
    }
    expect(abnormalSeen).toBeGreaterThan(10);
    // Before the window there is nothing to rebuild from.
    await expect(app.replay.stateAt(new Date(from - 3_600_000), END)).rejects.toThrow(/before/);
  });

  it('replays a sample of historic cases from their events to their stored rows', async () => {
    const sample = await db.rows<Row>(sql`
      select id, state, category, priority, department_id, sign_due_at, signed_at, allowed_hours, due_at,
             pending_extension_hours, resolved_at, rating, closed_at from cases where id % 97 = 0 order by id`);
    expect(sample.length).toBeGreaterThan(50);
    for (const row of sample) {
      const num = (v: unknown) => (v === null ? null : Number(v));
      const replayed = replayCase(await app.repos.cases.events(Number(row.id)));
      expect(replayed).toEqual({
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
      });
    }
  });

  it('spreads the units out in the last complete month, with explained scores', async () => {
    const perf = performanceService({ repo: performanceRepository(db), calendar: app.calendar });
    const month = addMonths(monthOf(END), -1);
    const r = await perf.ranking(month, undefined, END);
    if (!r.ok) throw new Error(r.message);
    expect(new Set(r.value.units.map((u) => u.score)).size).toBeGreaterThanOrEqual(20);
    // Units with no case in the month rank after every measured one (their full marks measured nothing).
    const measured = r.value.units.map(
      (u) => u.kpis.counts.received > 0 || Object.values(u.kpis.rates).some((v) => v !== null),
    );
    expect(measured.indexOf(false) === -1 || measured.slice(measured.indexOf(false)).every((m) => !m)).toBe(
      true,
    );
    const worst = r.value.units.filter((_, i) => measured[i]).at(-1)!;
    const u = await perf.unit(worst.departmentId, month, undefined, END);
    if (!u.ok) throw new Error(u.message);
    expect(u.value.score.items.some((i) => i.caseRefs.length > 0)).toBe(true);
  });

  it('holds the planted realities: bar street and flooded block hot-spots, elevator and manhole problems, forecasts', async () => {
    const hs = hotspotService(hotspotsRepository(db));
    const noise = await hs.compute({
      source: 'tickets',
      category: 'environment.noise',
      days: 30,
      cellMetres: 500,
      to: END,
    });
    const near = (h: { polygon: number[][][] | number[][] }, lon: number, lat: number, m: number) => {
      const ring = (
        Array.isArray(h.polygon[0][0]) ? (h.polygon as number[][][])[0] : (h.polygon as number[][])
      ) as number[][];
      const cx = ring.reduce((s, p) => s + p[0], 0) / ring.length;
      const cy = ring.reduce((s, p) => s + p[1], 0) / ring.length;
      return metresBetween(cx, cy, lon, lat) < m;
    };
    const anchor = (topic: string) => first.anchors.find((a) => a.topic === topic)!;
    const bar = anchor('noise');
    expect(noise.hotspots.some((h) => h.significant && near(h, bar.lon, bar.lat, 700))).toBe(true);
    // This week, all reports: the bar street stands out even in the whole district's volume.
    const week = await hs.compute({ source: 'tickets', days: 7, cellMetres: 500, to: END });
    expect(week.hotspots.some((h) => h.significant && near(h, bar.lon, bar.lat, 700))).toBe(true);
    const flood = anchor('flood');
    const drains = await hs.compute({
      source: 'tickets',
      category: 'utilities.drainage',
      days: DAYS,
      cellMetres: 500,
      to: END,
      windows: 1,
    });
    expect(drains.hotspots.some((h) => h.significant && near(h, flood.lon, flood.lat, 700))).toBe(true);

    const problems = problemsService({ problems: problemsRepository(db) });
    const list = await problems.list({ days: 60, sort: 'size', limit: 200 }, END);
    const lift = anchor('elevator');
    const manhole = anchor('manhole');
    const elevatorProblem = list.problems.find(
      (p) => p.category === 'construction.elevators' && metresBetween(p.lon, p.lat, lift.lon, lift.lat) < 200,
    );
    expect(elevatorProblem?.size).toBeGreaterThanOrEqual(5);
    expect(elevatorProblem?.evidence).not.toBeNull();
    const manholeProblem = list.problems.find(
      (p) =>
        p.category === 'utilities.manholes' && metresBetween(p.lon, p.lat, manhole.lon, manhole.lat) < 600,
    );
    expect(manholeProblem?.size).toBeGreaterThanOrEqual(4);

    const data = await allocationRepository(db).planData(END, 84);
    const plan = planAllocation(data, DEFAULT_PLAN_OPTIONS);
    const [streets] = await db.rows<{ n: number }>(sql`select count(*)::int as n from streets`);
    expect(plan.demandByStreet.length).toBe(streets.n);
    for (const s of plan.demandByStreet)
      expect(s.weeks.some((w) => w.forecast !== null && w.forecast > 0)).toBe(true);
  });

  it('is deterministic: the same seed and end give the same rows, another seed another past', async () => {
    const { city, sensors } = await readCity(db);
    const actors = await ensureSimActors(db);
    const ids = { caseId: 1, ticketId: 1, alarmId: 1 };
    const short = { ...opts, days: 12 };
    const rows = (p: Awaited<ReturnType<typeof runPast>>) => ({
      cases: p.cases,
      tickets: p.tickets,
      events: p.events,
      alarms: p.alarms,
    });
    const a = rows(await runPast(city, sensors, actors, ids, short));
    const b = rows(await runPast(city, sensors, actors, ids, short));
    expect(a.events.length).toBeGreaterThan(1000);
    expect(b).toEqual(a);
    const other = rows(await runPast(city, sensors, actors, ids, { ...short, seed: 'another' }));
    expect(other.tickets.map((t) => t.text)).not.toEqual(a.tickets.map((t) => t.text));
  });

  it('writes the same rows as the real services on the database for the same actions at the same instants', async () => {
    // A sample of stories: hotline cases with one report each and alarm cases, far apart.
    const sample = await db.rows<Row>(sql`
      select id, source from cases c
      where reports = 1 and id % 53 = 0 and (source = 'sensor' or not exists (
        select 1 from hotline_tickets t where t.case_id = c.id and t.duplicate))
      order by id limit 40`);
    expect(sample.some((s) => s.source === 'sensor')).toBe(true);
    const expected = [];
    const inputs = [];
    for (const s of sample) {
      const id = Number(s.id);
      expected.push(await storyRows(db, id));
      const events = await db.rows<Row>(sql`
        select e.at, e.actor_user_id, e.actor_role, e.action, e.note, e.data::text as data, u.department_id
        from case_events e left join users u on u.id = e.actor_user_id where e.case_id = ${id} order by e.at, e.id`);
      const ticket = await db.rows<Row>(sql`
        select received_at, channel, caller_name, caller_phone, text, address, ST_X(geom) as lon, ST_Y(geom) as lat
        from hotline_tickets where case_id = ${id}`);
      const alarm = await db.rows<Row>(sql`select * from alarms where case_id = ${id}`);
      inputs.push({ source: s.source, events, ticket: ticket[0], alarm: alarm[0] });
    }
    // The same city and people on an empty database, then the same actions through the real services.
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 3000, seed: SEED });
    await ensureSimActors(db);
    const live = buildApp(loadConfig({ LOG_LEVEL: 'silent' }), db);
    const actual = [];
    for (const inp of inputs) {
      let caseId: number;
      let code: string;
      if (inp.source === 'sensor') {
        const a = inp.alarm;
        await db.rows(sql`
          insert into alarms (id, sensor_id, rule_id, severity, status, opened_at, last_seen_at, occurrences, last_value)
          values (${Number(a.id)}, ${a.sensor_id}, ${a.rule_id}, ${a.severity}, 'open', ${iso(a.opened_at)}::timestamptz,
                  ${iso(a.opened_at)}::timestamptz, 1, ${JSON.stringify(a.last_value)}::jsonb)`);
        const at = new Date(inp.events[0].at as string);
        const r = await alarmsRepository(db).openCase(Number(a.id), at, alarmCaseOpener(live.cases));
        caseId = r.caseId!;
        code = (await db.rows<{ code: string }>(sql`select code from cases where id = ${caseId}`))[0].code;
      } else {
        const t = inp.ticket;
        const r = await live.intake.submit(
          {
            channel: t.channel as 'phone',
            callerName: t.callerName as string,
            callerPhone: t.caller_phone as string,
            text: t.text as string,
            address: t.address as string,
            lon: Number(t.lon),
            lat: Number(t.lat),
            category: null,
            ...({ callerName: t.caller_name } as object),
          },
          { userId: null, role: 'system', departmentId: null },
          new Date(t.received_at as string),
          'hotline',
        );
        caseId = r.caseId;
        code = r.caseCode;
      }
      for (const e of inp.events.filter((x) => x.actor_role !== 'system')) {
        const r = await live.cases.act(
          code,
          commandOf(e),
          {
            userId: Number(e.actor_user_id),
            role: e.actor_role as 'officer',
            departmentId: e.department_id === null ? null : Number(e.department_id),
          },
          new Date(e.at as string),
        );
        expect(r.ok).toBe(true);
      }
      if (inp.source === 'sensor') {
        const a = inp.alarm;
        await db.rows(sql`update alarms set status = 'cleared', acknowledged_by = ${a.acknowledged_by},
          acknowledged_at = ${iso(a.acknowledged_at)}::timestamptz, cleared_at = ${iso(a.cleared_at)}::timestamptz
          where id = ${Number(a.id)}`);
      }
      actual.push(await storyRows(db, caseId));
    }
    expect(expected.every((e) => e.events.length >= 2 && e.holdings.length >= 1)).toBe(true);
    expect(expected.filter((e) => e.tickets.length === 1).length).toBeGreaterThan(10);
    expect(actual).toEqual(expected);
  }, 120_000);
});
