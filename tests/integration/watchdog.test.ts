// The heartbeat watchdog on every engine: a sensor silent past its family's heartbeat goes offline (state 3,
// a new change-feed seq), a fresh one — or one of a family with a longer heartbeat — does not, and a new
// reading through the ingest pipeline gives the offline sensor its rule-derived state and alarm back.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/client';
import { deadLettersRepository } from '../../server/db/repositories/dead-letters.repository';
import { ingestRepository } from '../../server/db/repositories/ingest.repository';
import { IngestPipeline } from '../../server/ingest/pipeline';
import { ruleBuilder } from '../../server/ingest/runtime';
import { SensorCache } from '../../server/ingest/sensor-cache';
import { startWatchdog, type Watchdog } from '../../server/ingest/watchdog';
import { createLogger } from '../../server/log';
import { generateDemoCity } from '../../server/sim/generate-city';
import { database, engines, resetDatabase } from './support/databases';

const log = createLogger('silent');
const MINUTE = 60_000;
const healthyElevator = {
  fault_code: 0,
  trapped: false,
  door_fault: false,
  running: true,
  alarm_button: false,
};

interface StateRow {
  state: number;
  seq: number;
}

describe.each(engines())('heartbeat watchdog on %s', (engine) => {
  let db: Database;
  let pipeline: IngestPipeline;
  let watchdog: Watchdog;
  const clock = { now: new Date() };
  // Elevators time out after 15 minutes, manholes after 2 hours (sensor_types.heartbeat_seconds).
  let silent: { id: number; code: string };
  let fresh: { id: number; code: string };
  let slowFamily: { id: number; code: string };
  let neverReported: { id: number; code: string };
  const t0 = Date.now();

  const stateOf = async (id: number): Promise<StateRow> => {
    const [r] = await db.rows<{ state: number; seq: string | number }>(
      sql`select state, seq from sensor_state where sensor_id = ${id}`,
    );
    return { state: r.state, seq: Number(r.seq) };
  };

  const send = (code: string, at: number, values: Record<string, unknown>) => {
    clock.now = new Date(at);
    return pipeline.submit([
      {
        reading: { sensorCode: code, family: 'elevator', ts: new Date(at), values },
        envelope: { channel: 'mqtt', source: 'test', payload: null },
      },
    ]);
  };

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 200, seed: 'watchdog' });
    const pick = async (family: string, offset: number) => {
      const [r] = await db.rows<{ id: number; code: string }>(
        sql`select s.id, s.code from sensors s join sensor_types t on t.id = s.type_id
            where t.code = ${family} order by s.id offset ${offset} limit 1`,
      );
      return r;
    };
    silent = await pick('elevator', 0);
    fresh = await pick('elevator', 1);
    neverReported = await pick('elevator', 2);
    slowFamily = await pick('manhole', 0);
    const at = (ms: number) => new Date(ms).toISOString();
    await db.orm.execute(sql`update sensor_state set reported_at = ${at(t0 - MINUTE)}::timestamptz`);
    await db.orm.execute(
      sql`update sensor_state set reported_at = ${at(t0 - 21 * MINUTE)}::timestamptz where sensor_id = ${silent.id}`,
    );
    await db.orm.execute(
      sql`update sensor_state set reported_at = ${at(t0 - 10 * MINUTE)}::timestamptz where sensor_id = ${fresh.id}`,
    );
    await db.orm.execute(
      sql`update sensor_state set reported_at = ${at(t0 - 60 * MINUTE)}::timestamptz where sensor_id = ${slowFamily.id}`,
    );
    await db.orm.execute(
      sql`update sensor_state set reported_at = null where sensor_id = ${neverReported.id}`,
    );

    const repos = { ingest: ingestRepository(db), deadLetters: deadLettersRepository(db) };
    const sensors = new SensorCache(repos.ingest, { refreshMs: 5000, buildRules: ruleBuilder(log) });
    pipeline = new IngestPipeline(
      { ...repos, sensors, log },
      { batchMs: 5, batchMax: 100, maxFutureSkewMs: 300_000, now: () => clock.now },
    );
    // The silent elevator's last words, 20 minutes ago: passengers trapped (a critical alarm).
    const [r] = await send(silent.code, t0 - 20 * MINUTE, {
      ...healthyElevator,
      trapped: true,
      running: false,
    });
    expect(r).toEqual({ status: 'accepted' });
    // A timer that never fires during the test; the checks run through runOnce with the test's clock.
    clock.now = new Date(t0 - 20 * MINUTE);
    watchdog = startWatchdog(repos.ingest, { intervalMs: 3_600_000, now: () => clock.now, log });
  });

  afterAll(async () => {
    await watchdog?.stop();
    await pipeline?.close();
  });

  it('marks a sensor silent past its heartbeat offline, and leaves fresh ones alone', async () => {
    // The start-up check ran at the silent sensor's last report: nothing was overdue except the sensor
    // that never reported at all.
    const before = {
      silent: await stateOf(silent.id),
      fresh: await stateOf(fresh.id),
      slowFamily: await stateOf(slowFamily.id),
    };
    expect(before.silent.state).toBe(2);

    const marked = await watchdog.runOnce(new Date(t0));
    expect(marked).toBe(1);
    const after = await stateOf(silent.id);
    expect(after.state).toBe(3);
    expect(after.seq).toBeGreaterThan(before.silent.seq);
    // Ten minutes of silence is within an elevator's 15; an hour is within a manhole's 2 hours.
    expect(await stateOf(fresh.id)).toEqual(before.fresh);
    expect(await stateOf(slowFamily.id)).toEqual(before.slowFamily);
    const [counts] = await db.rows<{ offline: number }>(
      sql`select count(*) filter (where state = 3)::int as offline from sensor_state`,
    );
    expect(counts.offline).toBe(2); // the silent one and the one that never reported
  });

  it('marks a sensor that never reported offline', async () => {
    expect((await stateOf(neverReported.id)).state).toBe(3);
  });

  it('does nothing the second time: no new change-feed entries', async () => {
    const [{ s: seqBefore }] = await db.rows<{ s: string }>(sql`select max(seq) as s from sensor_state`);
    expect(await watchdog.runOnce(new Date(t0 + 1000))).toBe(0);
    const [{ s: seqAfter }] = await db.rows<{ s: string }>(sql`select max(seq) as s from sensor_state`);
    expect(Number(seqAfter)).toBe(Number(seqBefore));
  });

  it('gives a sensor that reports again its rule state back, with the same alarm', async () => {
    const offline = await stateOf(silent.id);
    const [r] = await send(silent.code, t0 + 2000, { ...healthyElevator, trapped: true, running: false });
    expect(r).toEqual({ status: 'accepted' });
    const back = await stateOf(silent.id);
    expect(back.state).toBe(2);
    expect(back.seq).toBeGreaterThan(offline.seq);
    const alarms = await db.rows<{ status: string; occurrences: number }>(
      sql`select status, occurrences from alarms where sensor_id = ${silent.id} and rule_id = 'elevator.trapped'`,
    );
    expect(alarms).toEqual([{ status: 'open', occurrences: 2 }]);

    await send(silent.code, t0 + 3000, healthyElevator);
    expect((await stateOf(silent.id)).state).toBe(0);
    expect(await watchdog.runOnce(new Date(t0 + 4000))).toBe(0);
  });

  it('checks once at start and then on its own timer', async () => {
    // Half an hour on, the fresh elevator (last report 40 minutes earlier) is past its 15-minute heartbeat.
    const later = new Date(t0 + 30 * MINUTE);
    const own = startWatchdog(ingestRepository(db), { intervalMs: 20, now: () => later, log });
    try {
      for (let k = 0; k < 200 && (await stateOf(fresh.id)).state !== 3; k++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      expect((await stateOf(fresh.id)).state).toBe(3);
    } finally {
      await own.stop();
    }
    // The manhole's last report is 90 minutes old, within its family's 2 hours: still online.
    expect((await stateOf(slowFamily.id)).state).toBe(0);
  });
});
