// The live demo city at work, on an accelerated clock: simulated devices and callers make alarms and cases
// through the real pipeline and intake, the alarm sweep opens cases for critical alarms, and the simulated
// desk workers work them through the real services. Over four simulated days the open alarms and open cases
// stay bounded (a steady state, not a growing pile), and the events name the simulated people.
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Database } from '../../server/db/client';
import { deadLettersRepository } from '../../server/db/repositories/dead-letters.repository';
import { deskRepository } from '../../server/db/repositories/desk.repository';
import { ingestRepository } from '../../server/db/repositories/ingest.repository';
import { IngestPipeline } from '../../server/ingest/pipeline';
import { ruleBuilder } from '../../server/ingest/runtime';
import { SensorCache } from '../../server/ingest/sensor-cache';
import { createLogger } from '../../server/log';
import { DeskWorkers } from '../../server/sim/desk-workers';
import { generateDemoCity } from '../../server/sim/generate-city';
import { ensureSimActors } from '../../server/sim/sim-actors';
import { Simulator } from '../../server/sim/simulator';
import { database, engines, resetDatabase } from './support/databases';

const log = createLogger('silent');
const STEP_MS = 30 * 60_000;
const DAYS = 4;
// Monday 7 December 2026, 00:00 in Shanghai.
const START = Date.UTC(2026, 11, 6, 16);

const num = async (db: Database, q: ReturnType<typeof sql>) => Number((await db.rows<{ n: number }>(q))[0].n);

describe.each(engines())('the live demo city at work on %s', (engine) => {
  let db: Database;
  let app: App;
  const open: { day: number; cases: number; alarms: number; unacknowledged: number }[] = [];
  let created = 0;

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 2000, seed: 'desk-city' });
    app = buildApp(loadConfig({ LOG_LEVEL: 'silent' }), db, log);
    const clock = { now: new Date(START) };
    const repos = { ingest: ingestRepository(db), deadLetters: deadLettersRepository(db) };
    const sensors = new SensorCache(repos.ingest, { refreshMs: 5000, buildRules: ruleBuilder(log) });
    const pipeline = new IngestPipeline(
      { ...repos, sensors, log },
      { batchMs: 10, batchMax: 5000, maxFutureSkewMs: 300_000, now: () => clock.now },
    );
    const sim = new Simulator(db, {
      tickMs: STEP_MS,
      callsPerHour: 8,
      // Ten times the demo's rate on a tenth of its sensors: about a dozen device faults an hour.
      faultsPerSensorHour: 0.006,
      silencesPerSensorHour: 0,
      seed: 'desk-sim',
      pipeline,
      intake: async (call) => {
        const r = await app.intake.submit(
          { ...call, category: null },
          { userId: null, role: 'system', departmentId: null },
          call.receivedAt,
          'hotline',
        );
        return { ticketId: r.ticketId, streetName: r.streetName };
      },
    });
    const desk = new DeskWorkers({
      desk: deskRepository(db),
      cases: app.cases,
      alarms: app.alarms,
      actors: await ensureSimActors(db),
      calendar: app.calendar,
      seed: 'desk',
      tickMs: STEP_MS,
      maxActionsPerRound: 400,
      now: () => clock.now,
    });
    for (let t = START + STEP_MS; t <= START + DAYS * 86_400_000; t += STEP_MS) {
      clock.now = new Date(t);
      await sim.tick(clock.now);
      await app.alarms.sweep(clock.now);
      await desk.round();
      if ((t - START) % 86_400_000 === 0)
        open.push({
          day: (t - START) / 86_400_000,
          cases: await num(db, sql`select count(*)::int as n from cases where state <> 'closed'`),
          alarms: await num(db, sql`select count(*)::int as n from alarms where status <> 'cleared'`),
          unacknowledged: await num(db, sql`select count(*)::int as n from alarms where status = 'open'`),
        });
    }
    await pipeline.close();
    created = await num(db, sql`select count(*)::int as n from cases`);
    if (process.env.DESK_REPORT) console.log(JSON.stringify({ created, open }));
  }, 600_000);

  it('keeps open cases and alarms bounded while new ones keep coming', async () => {
    expect(open).toHaveLength(DAYS);
    // Hotline calls and critical alarms made well over a hundred cases in four days.
    expect(created).toBeGreaterThan(150);
    const alarmsRaised = await num(db, sql`select count(*)::int as n from alarms`);
    expect(alarmsRaised).toBeGreaterThan(100);
    // Most of them are closed again; the backlog of the last day is not larger than the first day's by much.
    const closed = await num(db, sql`select count(*)::int as n from cases where state = 'closed'`);
    expect(closed / created).toBeGreaterThan(0.5);
    expect(open[DAYS - 1].cases).toBeLessThan(Math.max(60, open[1].cases * 1.5));
    for (const d of open) expect(d.unacknowledged).toBeLessThan(15);
  });

  it('records the simulated officers and unit staff as the actors, as it would a person', async () => {
    const actors = await db.rows<{ username: string; action: string }>(sql`
      select distinct u.username, e.action from case_events e join users u on u.id = e.actor_user_id`);
    const did = (prefix: string, action: string) =>
      actors.some((a) => a.username.startsWith(prefix) && a.action === action);
    for (const action of ['sign', 'resolve']) expect(did('sim-staff-', action), action).toBe(true);
    for (const action of ['call_back', 'rate', 'close'])
      expect(did('sim-officer-', action), action).toBe(true);
    const acked = await db.rows<{ username: string }>(sql`
      select distinct u.username from alarms a join users u on u.id = a.acknowledged_by`);
    expect(acked.length).toBeGreaterThan(0);
    expect(acked.every((a) => a.username.startsWith('sim-officer-'))).toBe(true);
    // Every historic step obeyed the workflow: each case's events replay to its row's state.
    const mismatched = await num(
      db,
      sql`select count(*)::int as n from cases c
          where c.state <> (select e.to_state from case_events e where e.case_id = c.id and e.to_state is not null
                            order by e.at desc, e.id desc limit 1)`,
    );
    expect(mismatched).toBe(0);
  });
});
