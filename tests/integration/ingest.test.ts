// Device ingest end to end on a real database: MQTT through the local Mosquitto (when reachable) and the
// embedded aedes broker, HTTP gateway batches through the real route and key check, every dead-letter
// reason, duplicates and reordering, and a database outage in the middle of a QoS 1 stream.
//
// The outage test (PostgreSQL only) simulates a database restart without restarting the shared server:
// the pipeline's PostgreSQL connection runs through a small TCP proxy that is cut (open sockets destroyed,
// new ones refused) for a few seconds while QoS 1 messages keep arriving, then restored. Every message the
// broker acknowledged to the publisher must end up stored.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { sql } from 'drizzle-orm';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import { openPostgres, type Database } from '../../server/db/client';
import { pgArray } from '../../server/db/pg-array';
import { deadLettersRepository } from '../../server/db/repositories/dead-letters.repository';
import { ingestRepository } from '../../server/db/repositories/ingest.repository';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../server/ingest/broker';
import { MqttIngest } from '../../server/ingest/mqtt-ingest';
import { IngestPipeline } from '../../server/ingest/pipeline';
import { ruleBuilder } from '../../server/ingest/runtime';
import { SensorCache } from '../../server/ingest/sensor-cache';
import { createLogger } from '../../server/log';
import { generateDemoCity } from '../../server/sim/generate-city';
import { POST as ingestRoute } from '../../src/routes/api/ingest/readings/+server';
import { database, engines, resetDatabase } from './support/databases';
import { inject } from 'vitest';

const MOSQUITTO = { host: '127.0.0.1', port: 1883 };

/**
 * Device time for each test: always later than anything an earlier test stored (which may lie a few
 * seconds ahead of the wall clock), never beyond the allowed clock skew.
 */
let clock = Date.now();
const deviceNow = () => (clock = Math.max(Date.now(), clock + 10_000));
const log = createLogger('silent');

interface SensorRow {
  id: number;
  code: string;
  family: string;
  district: string;
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  ms = 15_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const topicOf = (s: SensorRow, family = s.family) => `citynerve/${s.district}/${family}/${s.code}/reading`;

const healthy: Record<string, Record<string, number | boolean>> = {
  manhole: { tilt_deg: 1, displacement_mm: 1, open: false, water_level_cm: 20, battery_pct: 80 },
  elevator: { fault_code: 0, trapped: false, door_fault: false, running: true, alarm_button: false },
  drain: { level_cm: 50 },
};

/** A publisher on `url` that publishes QoS 1 in windows (brokers drop floods fired all at once). */
async function publisher(url: string) {
  const client = await mqtt.connectAsync(url, {
    clientId: `it-pub-${process.pid}-${Math.random().toString(36).slice(2)}`,
  });
  return {
    client,
    /** Publishes all, at most `window` unacknowledged; resolves with how many the broker acknowledged. */
    async publishAll(messages: { topic: string; payload: string | Buffer }[], window = 50): Promise<number> {
      let acked = 0;
      for (let i = 0; i < messages.length; i += window) {
        const slice = messages.slice(i, i + window);
        const results = await Promise.allSettled(
          slice.map((m) => client.publishAsync(m.topic, m.payload, { qos: 1 })),
        );
        acked += results.filter((r) => r.status === 'fulfilled').length;
      }
      return acked;
    },
  };
}

describe.each(engines())('device ingest on %s', (engine) => {
  let db: Database;
  let app: App;
  let broker: EmbeddedBroker;
  let sensors: SensorRow[];
  const byFamily = (family: string, skip = 0) => sensors.filter((s) => s.family === family)[skip];

  const stateOf = async (id: number) =>
    (
      await db.rows<{
        state: number;
        reported_at: Date | string | null;
        seq: string | number;
        reading: unknown;
      }>(sql`select state, reported_at, seq, reading from sensor_state where sensor_id = ${id}`)
    )[0];
  const readingCount = async (id?: number) =>
    (
      await db.rows<{ n: number }>(
        id === undefined
          ? sql`select count(*)::int as n from sensor_readings`
          : sql`select count(*)::int as n from sensor_readings where sensor_id = ${id}`,
      )
    )[0].n;
  const deadLetterCount = async () =>
    (await db.rows<{ n: number }>(sql`select count(*)::int as n from dead_letters`))[0].n;

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 500, seed: 'ingest-it' });
    sensors = await db.rows<SensorRow>(sql`
      select s.id, s.code, t.code as family, d.code as district
      from sensors s join sensor_types t on t.id = s.type_id
      join streets st on st.id = s.street_id join districts d on d.id = st.district_id
      order by s.id`);
    const config = loadConfig({ INGEST_BATCH_MS: '30', LOG_LEVEL: 'silent' });
    app = buildApp(config, db, log);
    await app.ingest.sensors.load();
    broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await app?.ingest.pipeline.close();
    await broker?.close();
  });

  /** An ingest client on `url` feeding the app's pipeline. */
  async function ingestClient(url: string, embedded: boolean, sharedGroup = '') {
    const client = new MqttIngest(app.ingest.pipeline, {
      url,
      embedded,
      sharedGroup,
      clientId: `it-ingest-${engine}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      persistentSession: false,
      maxInflight: 200,
      maxMessageBytes: app.config.INGEST_MAX_MESSAGE_BYTES,
      maxFutureSkewMs: app.config.INGEST_MAX_FUTURE_SKEW_S * 1000,
      log,
    });
    await client.start();
    return client;
  }

  /** Publishes a normal reading then a critical one for an elevator; asserts state, history, alarm, feed. */
  async function roundTrip(url: string, embedded: boolean, sharedGroup: string, skip: number) {
    const ingest = await ingestClient(url, embedded, sharedGroup);
    const pub = await publisher(url);
    try {
      const el = byFamily('elevator', skip);
      const mh = byFamily('manhole', skip);
      const before = await stateOf(el.id);
      const historyBefore = await readingCount(el.id);
      const t = deviceNow();
      const acked = await pub.publishAll([
        { topic: topicOf(mh), payload: JSON.stringify({ ts: t, values: healthy.manhole }) },
        { topic: topicOf(el), payload: JSON.stringify({ ts: t, values: healthy.elevator }) },
        {
          topic: topicOf(el),
          payload: JSON.stringify({
            ts: t + 1000,
            values: { ...healthy.elevator, trapped: true, running: false },
          }),
        },
      ]);
      expect(acked).toBe(3);
      const after = await waitFor(
        'the trapped reading to be stored',
        () => stateOf(el.id),
        (s) => s.state === 2,
      );
      expect(new Date(after.reported_at!).getTime()).toBe(t + 1000);
      expect(Number(after.seq)).toBeGreaterThan(Number(before.seq)); // the live map sees the change
      expect(await readingCount(el.id)).toBe(historyBefore + 2);
      const alarms = await db.rows<{ rule_id: string; severity: number; status: string }>(
        sql`select rule_id, severity, status from alarms where sensor_id = ${el.id} and status <> 'cleared'`,
      );
      expect(alarms).toEqual([{ rule_id: 'elevator.trapped', severity: 2, status: 'open' }]);
      await waitFor(
        'the manhole reading',
        () => stateOf(mh.id),
        (s) => new Date(s.reported_at!).getTime() === t,
      );
      // Every message got its PUBACK after storage.
      await waitFor(
        'all PUBACKs',
        async () => ingest.stats(),
        (s) => s.inflight === 0 && s.acked >= 3,
      );
      return ingest.stats();
    } finally {
      await pub.client.endAsync();
      await ingest.stop();
    }
  }

  it('stores MQTT readings through the embedded broker: state, history, alarm, live-map seq', async () => {
    const stats = await roundTrip(broker.url, true, '', 0);
    expect(stats.subscription).toBe('citynerve/+/+/+/reading');
  });

  it('stores MQTT readings through the local Mosquitto with a shared subscription', async (ctx) => {
    if (!(await reachable(MOSQUITTO.host, MOSQUITTO.port))) {
      console.log('[ingest] Mosquitto not reachable on 127.0.0.1:1883: external-broker test skipped');
      ctx.skip();
      return;
    }
    const group = `it${process.pid}`;
    const stats = await roundTrip(`mqtt://${MOSQUITTO.host}:${MOSQUITTO.port}`, false, group, 1);
    expect(stats.subscription).toBe(`$share/${group}/citynerve/+/+/+/reading`);
  });

  it('clears the alarm when the condition ends and does not duplicate it on repeats', async () => {
    const pub = await publisher(broker.url);
    const ingest = await ingestClient(broker.url, true);
    try {
      const el = byFamily('elevator', 0); // trapped since the first test
      const t = deviceNow();
      await pub.publishAll([
        {
          topic: topicOf(el),
          payload: JSON.stringify({ ts: t, values: { ...healthy.elevator, trapped: true } }),
        },
        {
          topic: topicOf(el),
          payload: JSON.stringify({ ts: t + 1, values: { ...healthy.elevator, trapped: true } }),
        },
      ]);
      await waitFor(
        'repeats',
        () => stateOf(el.id),
        (s) => new Date(s.reported_at!).getTime() === t + 1,
      );
      const open = await db.rows<{ n: number; occ: number }>(
        sql`select count(*)::int as n, max(occurrences)::int as occ from alarms
            where sensor_id = ${el.id} and rule_id = 'elevator.trapped' and status <> 'cleared'`,
      );
      expect(open[0]).toEqual({ n: 1, occ: 3 });
      await pub.publishAll([
        { topic: topicOf(el), payload: JSON.stringify({ ts: t + 2, values: healthy.elevator }) },
      ]);
      await waitFor(
        'the all-clear',
        () => stateOf(el.id),
        (s) => s.state === 0,
      );
      const cleared = await db.rows<{ status: string; cleared: boolean }>(
        sql`select status, cleared_at is not null as cleared from alarms where sensor_id = ${el.id}`,
      );
      expect(cleared).toEqual([{ status: 'cleared', cleared: true }]);
    } finally {
      await pub.client.endAsync();
      await ingest.stop();
    }
  });

  it('refuses every kind of bad MQTT message into dead letters and changes nothing stored', async () => {
    const pub = await publisher(broker.url);
    const ingest = await ingestClient(broker.url, true);
    try {
      const mh = byFamily('manhole', 2);
      const before = await stateOf(mh.id);
      const history = await readingCount();
      const letters = await deadLetterCount();
      const t = deviceNow();
      const v = healthy.manhole;
      const bad: [string, string, string | Buffer][] = [
        ['malformed_json', topicOf(mh), '{"ts": 1, "values": '],
        ['malformed_json', topicOf(mh), Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])], // not UTF-8
        [
          'unknown_sensor',
          `citynerve/${mh.district}/manhole/MH-999999/reading`,
          JSON.stringify({ ts: t, values: v }),
        ],
        ['wrong_family', topicOf(mh, 'hydrant'), JSON.stringify({ ts: t, values: v })],
        ['missing_field', topicOf(mh), JSON.stringify({ ts: t, values: { ...v, battery_pct: undefined } })],
        ['wrong_type', topicOf(mh), JSON.stringify({ ts: t, values: { ...v, tilt_deg: '3' } })],
        ['out_of_range', topicOf(mh), JSON.stringify({ ts: t, values: { ...v, tilt_deg: 400 } })],
        ['future_timestamp', topicOf(mh), JSON.stringify({ ts: t + 3_600_000, values: v })],
        ['oversize', topicOf(mh), Buffer.alloc(app.config.INGEST_MAX_MESSAGE_BYTES + 1, 0x20)],
        ['bad_timestamp', topicOf(mh), JSON.stringify({ ts: 'yesterday', values: v })],
        [
          'bad_topic',
          `citynerve/${mh.district}/lamppost/${mh.code}/reading`,
          JSON.stringify({ ts: t, values: v }),
        ],
      ];
      expect(await pub.publishAll(bad.map(([, topic, payload]) => ({ topic, payload })))).toBe(bad.length);
      await waitFor('the dead letters', deadLetterCount, (n) => n >= letters + bad.length);
      const rows = await db.rows<{ reason: string; source: string; detail: string }>(
        sql`select reason, source, detail from dead_letters order by id desc limit ${bad.length}`,
      );
      expect(rows.map((r) => r.reason).sort()).toEqual(bad.map(([reason]) => reason).sort());
      expect(rows.every((r) => r.detail.length > 0 && r.source.startsWith('citynerve/'))).toBe(true);
      expect(rows.some((r) => /not valid UTF-8/.test(r.detail))).toBe(true);
      expect(await stateOf(mh.id)).toEqual(before);
      expect(await readingCount()).toBe(history);
      const counts = await app.repos.deadLetters.countsByReason();
      expect(counts.find((c) => c.reason === 'out_of_range')?.count).toBeGreaterThanOrEqual(1);
      expect(app.ingest.pipeline.stats().byReason.oversize).toBeGreaterThanOrEqual(1);
    } finally {
      await pub.client.endAsync();
      await ingest.stop();
    }
  });

  it('ignores duplicates and out-of-order readings for the latest state', async () => {
    const dr = byFamily('drain', 0);
    const t = deviceNow();
    const http = app.ingest.http;
    const gw = (await app.gateways.create(`dup-${engine}`, 'dup test')).gateway;
    const first = await http.ingest(
      gw,
      JSON.stringify([{ sensor: dr.code, ts: t, values: { level_cm: 70 } }]),
      'application/json',
    );
    expect(first.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const stored = await stateOf(dr.id);
    const again = await http.ingest(
      gw,
      [
        { sensor: dr.code, ts: t, values: { level_cm: 240 } }, // same time: a duplicate
        { sensor: dr.code, ts: t - 60_000, values: { level_cm: 250 } }, // older: out of order
      ]
        .map((x) => JSON.stringify(x))
        .join('\n'),
      'application/x-ndjson',
    );
    expect(again.body).toEqual({ accepted: 0, duplicates: 2, rejected: [] });
    expect(await stateOf(dr.id)).toEqual(stored);
    // Within one batch only the newest reading becomes the state, all new ones enter the history.
    const history = await readingCount(dr.id);
    const mixed = await http.ingest(
      gw,
      JSON.stringify([
        { sensor: dr.code, ts: t + 2000, values: { level_cm: 60 } },
        { sensor: dr.code, ts: t + 1000, values: { level_cm: 230 } },
      ]),
      'application/json',
    );
    expect(mixed.body.accepted).toBe(2);
    const latest = await stateOf(dr.id);
    expect(new Date(latest.reported_at!).getTime()).toBe(t + 2000);
    expect(latest.reading).toEqual({ level_cm: 60 });
    expect(await readingCount(dr.id)).toBe(history + 2);
  });

  it('takes HTTP batches (NDJSON and JSON array) through the route with a real gateway key', async () => {
    const { key } = await app.gateways.create(`gw-${engine}`, 'Test gateway');
    const call = (body: string, headers: Record<string, string>) =>
      ingestRoute({
        request: new Request('http://localhost/api/ingest/readings', { method: 'POST', body, headers }),
        locals: { app, user: null, lang: 'en' },
      } as never);
    const auth = { authorization: `Bearer ${key}` };
    const [a, b] = [byFamily('manhole', 3), byFamily('manhole', 4)];
    const t = deviceNow();

    const noKey = await call('[]', {});
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { message: string }).message).toMatch(/Authorization/);
    expect((await call('[]', { authorization: 'Bearer nope' })).status).toBe(401);

    const ndjson = [
      { sensor: a.code, ts: new Date(t).toISOString(), values: healthy.manhole },
      { sensor: b.code, family: 'manhole', ts: t, values: { ...healthy.manhole, tilt_deg: 20 } },
    ]
      .map((x) => JSON.stringify(x))
      .join('\n');
    const r1 = await call(ndjson, { ...auth, 'content-type': 'application/x-ndjson' });
    expect(r1.status).toBe(200);
    expect(await r1.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect((await stateOf(b.id)).state).toBe(2); // stored before the answer

    const letters = await deadLetterCount();
    const array = JSON.stringify([
      { sensor: a.code, ts: t + 1000, values: healthy.manhole },
      { sensor: 'MH-424242', ts: t, values: healthy.manhole },
      { sensor: a.code, ts: t + 2000, values: { ...healthy.manhole, battery_pct: 140 } },
      { sensor: a.code, ts: t + 3000 },
    ]);
    const r2 = await call(array, { ...auth, 'content-type': 'application/json' });
    expect(r2.status).toBe(207);
    const body2 = (await r2.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
    expect(body2.accepted).toBe(1);
    expect(body2.rejected.map((r) => [r.index, r.reason])).toEqual([
      [1, 'unknown_sensor'],
      [2, 'out_of_range'],
      [3, 'missing_field'],
    ]);
    expect(await deadLetterCount()).toBe(letters + 3);
    // Refused after parsing (the pipeline found no such sensor): the item's text is still kept.
    const [unknown] = await app.repos.deadLetters.list({ reason: 'unknown_sensor', limit: 1 });
    expect(JSON.parse(unknown.payload!)).toEqual({
      sensor: 'MH-424242',
      ts: new Date(t).toISOString(),
      values: healthy.manhole,
    });

    const r3 = await call('{"sensor": ', { ...auth, 'content-type': 'application/x-ndjson' });
    expect(r3.status).toBe(207);
    expect(((await r3.json()) as { rejected: { reason: string }[] }).rejected[0].reason).toBe(
      'malformed_json',
    );

    const huge = 'x'.repeat(app.config.INGEST_MAX_BODY_BYTES + 10);
    const r4 = await call(huge, { ...auth, 'content-type': 'application/x-ndjson' });
    expect(r4.status).toBe(413);
    expect(((await r4.json()) as { message: string }).message).toMatch(/larger than/);
    const last = await app.repos.deadLetters.list({ limit: 1 });
    expect(last[0]).toMatchObject({ channel: 'http', source: `gw-${engine}`, reason: 'oversize' });
  });

  it.runIf(engine === 'postgres')(
    're-reads, locked, a sensor another writer changed between the read and the write',
    async () => {
      const dr = byFamily('drain', 3);
      const repo = ingestRepository(db);
      // Another writer (here: the heartbeat check marking it offline) changes the row after our read.
      const ingest: typeof repo = {
        ...repo,
        async currentStates(ids, tx) {
          const rows = await repo.currentStates(ids, tx);
          await db.orm.execute(sql`update sensor_state set state = 3 where sensor_id = ${dr.id}`);
          return rows;
        },
      };
      const cache = new SensorCache(repo, { refreshMs: 5000, buildRules: ruleBuilder(log) });
      await cache.load();
      const pipeline = new IngestPipeline(
        { ingest, deadLetters: deadLettersRepository(db), sensors: cache, log },
        { batchMs: 5, batchMax: 100, maxFutureSkewMs: 300_000 },
      );
      try {
        const t = deviceNow();
        const history = await readingCount(dr.id);
        const results = await pipeline.submit([
          {
            reading: { sensorCode: dr.code, ts: new Date(t), values: { level_cm: 55 } },
            envelope: { channel: 'http', source: 'it', payload: null },
          },
        ]);
        expect(results).toEqual([{ status: 'accepted' }]);
        expect(pipeline.stats().conflicts).toBe(1);
        const after = await stateOf(dr.id);
        expect(after.state).toBe(0); // the reading's state, not the other writer's 3
        expect(new Date(after.reported_at!).getTime()).toBe(t);
        expect(after.reading).toEqual({ level_cm: 55 });
        expect(await readingCount(dr.id)).toBe(history + 1); // the conflicting first try wrote nothing
      } finally {
        await pipeline.close();
      }
    },
  );

  it('stores a flapping sensor in one batch: the alarm clears and a new one opens, nothing refused', async () => {
    const { key } = await app.gateways.create(`gw-flap-${engine}`, 'Flapping gateway');
    const el = byFamily('elevator', 2);
    const t = deviceNow();
    // Trapped, released, trapped again: one HTTP batch, so one transaction clears and reopens the rule.
    const body = JSON.stringify(
      [true, false, true].map((trapped, i) => ({
        sensor: el.code,
        ts: t + i * 1000,
        values: { ...healthy.elevator, trapped },
      })),
    );
    const res = await ingestRoute({
      request: new Request('http://localhost/api/ingest/readings', {
        method: 'POST',
        body,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      }),
      locals: { app, user: null, lang: 'en' },
    } as never);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    const alarms = await db.rows<{ status: string }>(
      sql`select status from alarms where sensor_id = ${el.id} and rule_id = 'elevator.trapped' order by id`,
    );
    expect(alarms.map((a) => a.status)).toEqual(['cleared', 'open']);
    expect((await stateOf(el.id)).state).toBe(2);
  });

  it('writes cached sensors without reading them back, and re-reads one another writer changed', async () => {
    const [a, b] = [byFamily('drain', 5), byFamily('drain', 6)];
    const repo = ingestRepository(db);
    const reads: number[][] = [];
    const ingest: typeof repo = {
      ...repo,
      async currentStates(ids, tx) {
        if (ids.length > 0) reads.push([...ids]);
        return repo.currentStates(ids, tx);
      },
    };
    const cache = new SensorCache(repo, { refreshMs: 5000, buildRules: ruleBuilder(log) });
    await cache.load();
    const pipeline = new IngestPipeline(
      { ingest, deadLetters: deadLettersRepository(db), sensors: cache, log },
      { batchMs: 5, batchMax: 100, maxFutureSkewMs: 300_000 },
    );
    const item = (s: SensorRow, ts: number, level: number) => ({
      reading: { sensorCode: s.code, ts: new Date(ts), values: { level_cm: level } },
      envelope: { channel: 'http' as const, source: 'it', payload: null },
    });
    try {
      const t = deviceNow();
      expect(await pipeline.warmStates((visit) => repo.eachState(visit))).toBeGreaterThan(0);
      // Known from the warm-up: written straight away, and the version the write returned is the row's
      // xmin, so the next batch on the same sensors finds no conflict either.
      await pipeline.submit([item(a, t, 40), item(b, t, 41)]);
      await pipeline.submit([item(a, t + 1000, 42), item(b, t + 1000, 43)]);
      expect(reads).toEqual([]);
      expect(pipeline.stats()).toMatchObject({ conflicts: 0, cacheHits: 4 });
      // Another writer changes b behind the cache's back: that reading is checked, re-read and still stored.
      await db.orm.execute(sql`update sensor_state set state = 3 where sensor_id = ${b.id}`);
      const results = await pipeline.submit([item(a, t + 2000, 44), item(b, t + 2000, 45)]);
      expect(results).toEqual([{ status: 'accepted' }, { status: 'accepted' }]);
      expect(pipeline.stats().conflicts).toBe(1);
      expect(await stateOf(b.id)).toMatchObject({ state: 0, reading: { level_cm: 45 } });
      expect(await stateOf(a.id)).toMatchObject({ state: 0, reading: { level_cm: 44 } });
      // A redelivered old reading is still a duplicate, judged from the cache.
      const again = await pipeline.submit([item(a, t + 1000, 42)]);
      expect(again).toEqual([{ status: 'duplicate' }]);
    } finally {
      await pipeline.close();
    }
  });

  it('reads every state row for the cache warm-up exactly as stored, in one go and in small pages', async () => {
    const [a, b] = [byFamily('drain', 7), byFamily('drain', 8)];
    const memory = { rules: { 'drain.level': { active: true, level: 2, since: 1_700_000_000_123 } } };
    await db.orm.execute(
      sql`update sensor_state set state = 2, reported_at = '2026-03-01T08:00:00.123Z',
          rule_state = ${JSON.stringify(memory)}::jsonb where sensor_id = ${a.id}`,
    );
    await db.orm.execute(
      sql`update sensor_state set state = 3, reported_at = null, rule_state = null where sensor_id = ${b.id}`,
    );
    const stored = await db.rows<{ sensor_id: number; state: number; version: string }>(
      sql`select sensor_id, state, xmin::text as version from sensor_state order by sensor_id`,
    );
    const repo = ingestRepository(db);
    type Seen = [number, number, number, number, unknown];
    const streamed = new Map<number, Seen>();
    const n = await repo.eachState((id, state, ms, version, rules) =>
      streamed.set(id, [id, state, ms, version, rules]),
    );
    expect(n).toBe(stored.length);
    expect(streamed.size).toBe(stored.length);
    for (const r of stored) {
      expect(streamed.get(r.sensor_id)?.slice(1, 2)).toEqual([r.state]);
      expect(streamed.get(r.sensor_id)?.[3]).toBe(Number(r.version));
    }
    expect(streamed.get(a.id)).toEqual([
      a.id,
      2,
      Date.parse('2026-03-01T08:00:00.123Z'),
      expect.any(Number),
      memory,
    ]);
    expect(streamed.get(b.id)).toEqual([b.id, 3, NaN, expect.any(Number), null]);

    // In small pages (the embedded database reads pages; PostgreSQL streams either way): the same rows.
    const paged = new Map<number, Seen>();
    await repo.eachState(
      (id, state, ms, version, rules) => paged.set(id, [id, state, ms, version, rules]),
      7,
    );
    expect(paged).toEqual(streamed);
  });

  it("deletes a removed sensor's reading history with it", async () => {
    const [copy] = await db.rows<{ id: number }>(sql`
      insert into sensors (code, type_id, street_id, geom)
      select 'IT-GONE-' || code, type_id, street_id, geom from sensors where id = ${byFamily('drain', 4).id}
      returning id`);
    await db.orm.execute(sql`
      insert into sensor_readings (sensor_id, ts, reading, state)
      values (${copy.id}, now(), '{"level_cm": 1}', 0), (${copy.id}, now(), '{"level_cm": 2}', 0)`);
    expect(await readingCount(copy.id)).toBe(2);
    const others = (await readingCount()) - 2;
    await db.orm.execute(sql`delete from sensors where id = ${copy.id}`);
    expect(await readingCount(copy.id)).toBe(0);
    expect(await readingCount()).toBe(others);
  });

  it.runIf(engine === 'postgres')(
    'stores every acknowledged QoS 1 message across a database outage',
    async () => {
      const proxy = await startProxy(new URL(inject('pgTestUrl')));
      const url = new URL(inject('pgTestUrl'));
      url.host = `127.0.0.1:${proxy.port}`;
      const viaProxy = await openPostgres(url.toString(), { max: 2 });
      const repos = { ingest: ingestRepository(viaProxy), deadLetters: deadLettersRepository(viaProxy) };
      const cache = new SensorCache(repos.ingest, { refreshMs: 5000, buildRules: ruleBuilder(log) });
      await cache.load();
      const pipeline = new IngestPipeline(
        { ...repos, sensors: cache, log },
        { batchMs: 20, batchMax: 100, maxFutureSkewMs: 300_000, backoffMs: 50, maxBackoffMs: 400 },
      );
      const ingest = new MqttIngest(pipeline, {
        url: broker.url,
        embedded: true,
        sharedGroup: '',
        clientId: `it-outage-${process.pid}`,
        persistentSession: false,
        maxInflight: 100,
        maxMessageBytes: 16_384,
        maxFutureSkewMs: 300_000,
        log,
      });
      await ingest.start();
      const pub = await publisher(broker.url);
      try {
        const base = deviceNow();
        const targets = sensors.filter((s) => s.family === 'manhole').slice(10, 60);
        const messages = Array.from({ length: 600 }, (_, i) => {
          const s = targets[i % targets.length];
          return { topic: topicOf(s), payload: JSON.stringify({ ts: base + i, values: healthy.manhole }) };
        });
        let acked = await pub.publishAll(messages.slice(0, 200), 20);
        proxy.cut();
        // While the database is away, messages stay unacknowledged (held in flight, not dropped).
        let heldDuringOutage = 0;
        const outage = (async () => {
          for (let i = 0; i < 30; i++) {
            await new Promise((r) => setTimeout(r, 100));
            heldDuringOutage = Math.max(heldDuringOutage, ingest.stats().inflight);
          }
          proxy.restore();
        })();
        acked += await pub.publishAll(messages.slice(200), 20);
        await outage;
        expect(heldDuringOutage).toBeGreaterThan(0);
        const stored = await waitFor(
          'every acknowledged message to be stored',
          async () =>
            (
              await db.rows<{ n: number }>(
                sql`select count(*)::int as n from sensor_readings
                    where ts >= ${new Date(base).toISOString()}::timestamptz
                      and sensor_id = any(${pgArray(targets.map((s) => s.id))}::int[])`,
              )
            )[0].n,
          (n) => n >= acked,
          20_000,
        );
        expect(acked).toBe(messages.length);
        expect(stored).toBe(acked);
        await waitFor(
          'all PUBACKs',
          async () => ingest.stats(),
          (s) => s.inflight === 0 && s.acked === acked,
        );
        console.log(
          `[ingest] outage: ${acked} acknowledged, ${stored} stored, up to ${heldDuringOutage} held unacknowledged, ${pipeline.stats().failedWrites} failed writes retried`,
        );
      } finally {
        await pub.client.endAsync();
        await ingest.stop();
        await pipeline.close();
        await viaProxy.close();
        await proxy.close();
      }
    },
  );
});

/** A TCP proxy to PostgreSQL that can be cut (sockets destroyed, new ones refused) and restored. */
async function startProxy(target: URL) {
  const sockets = new Set<Socket>();
  let refusing = false;
  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: target.hostname, port: Number(target.port || 5432) });
    sockets.add(client);
    sockets.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    cut() {
      refusing = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      refusing = false;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
