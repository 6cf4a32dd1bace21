// Two app nodes sharing the MQTT load through one MQTT 5 shared subscription on the local Mosquitto, on
// one database: every QoS 1 reading is stored exactly once and both nodes take a share; when one node
// stops in the middle of a stream the other takes everything published after, and what the stopped node
// had taken but not stored comes back to it when it restarts under the same client id.
//
// Each run uses its own shared group, topic district and sensor codes, so runs in parallel on the same
// broker do not see each other's readings (they do see each other's messages: those end up as dead
// letters under the other run's topics, which are not counted here). On PGlite both nodes share the one
// in-process database (PGlite serves one process); on PostgreSQL each node has its own connection pool.
import { connect } from 'node:net';
import { sql } from 'drizzle-orm';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { openPostgres, type Database } from '../../server/db/client';
import { deadLettersRepository } from '../../server/db/repositories/dead-letters.repository';
import { ingestRepository } from '../../server/db/repositories/ingest.repository';
import { readingsPartitionsRepository } from '../../server/db/repositories/readings-partitions.repository';
import { createIngest, type IngestRuntime } from '../../server/ingest/runtime';
import { createLogger } from '../../server/log';
import { generateDemoCity } from '../../server/sim/generate-city';
import { database, engines, resetDatabase } from './support/databases';

const BROKER = { host: '127.0.0.1', port: 1883 };
const BROKER_URL = `mqtt://${BROKER.host}:${BROKER.port}`;
const N = 2000;
const log = createLogger('silent');
/** Unique per run: shared groups, client ids, the topic district and the sensor codes. */
const RUN = `${process.pid.toString(36)}${Date.now().toString(36)}`;
const DISTRICT = `it-${RUN}`;

const VALUES = { tilt_deg: 1, displacement_mm: 1, open: false, water_level_cm: 20, battery_pct: 80 };

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

async function waitFor<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ends an MQTT session left on the broker (clean start, no expiry), so it stops queueing for us. */
async function endSession(clientId: string) {
  const c = await mqtt.connectAsync(BROKER_URL, {
    clientId,
    clean: true,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 0 },
  });
  await c.endAsync();
}

const brokerUp = await reachable(BROKER.host, BROKER.port);
if (!brokerUp) {
  console.log(
    `[mqtt-shared] Mosquitto not reachable on ${BROKER.host}:${BROKER.port}: two-node shared-subscription tests skipped`,
  );
}

describe.skipIf(!brokerUp).each(engines())('two ingest nodes sharing the MQTT load on %s', (engine) => {
  let db: Database;
  let sensors: { id: number; code: string }[];
  const pools: Database[] = [];
  const sessions = new Set<string>();
  const running = new Set<IngestRuntime>();

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: N, seed: 'mqtt-shared' });
    // Codes no other run's publisher uses: a stray message can never land on our sensors. All manholes,
    // so one payload fits all: each reading gets a sensor of its own (see readings()).
    await db.orm.execute(sql`
      update sensors set code = ${`S${RUN}-`} || id,
        type_id = (select id from sensor_types where code = 'manhole')`);
    sensors = await db.rows<{ id: number; code: string }>(sql`select id, code from sensors order by id`);
    expect(sensors).toHaveLength(N);
  });

  afterAll(async () => {
    for (const r of running) await r.stop();
    for (const p of pools) await p.close();
    for (const id of sessions) await endSession(id);
  });

  /** One app node: its own ingest runtime (and, on PostgreSQL, its own pool) in the shared group. */
  async function startNode(name: string, group: string): Promise<IngestRuntime> {
    let nodeDb = db;
    if (engine === 'postgres') {
      nodeDb = await openPostgres(inject('pgTestUrl'), { max: 4 });
      pools.push(nodeDb);
    }
    const clientId = `it-${RUN}-${engine}-${name}`;
    sessions.add(clientId);
    const config = loadConfig({
      MQTT_URL: BROKER_URL,
      MQTT_SHARED_GROUP: group,
      MQTT_CLIENT_ID: clientId,
      MQTT_MAX_INFLIGHT: '100',
      INGEST_BATCH_MS: '20',
      LOG_LEVEL: 'silent',
    });
    const node = createIngest(
      config,
      {
        ingest: ingestRepository(nodeDb),
        deadLetters: deadLettersRepository(nodeDb),
        readingsPartitions: readingsPartitionsRepository(nodeDb),
      },
      log,
    );
    // As a cluster would: partition upkeep is left to one node (none here; the shared test database has it).
    const endpoint = await node.start({ maintainReadings: false });
    expect(endpoint.subscription).toBe(`$share/${group}/citynerve/+/+/+/reading`);
    running.add(node);
    return node;
  }

  async function stopNode(node: IngestRuntime) {
    await node.stop();
    running.delete(node);
  }

  /**
   * N readings, each for its own sensor at its own time after `base`. One per sensor on purpose: two
   * readings of one sensor may reach different nodes and commit newest first, and ingest then keeps only
   * the newer one (an older reading than the stored state counts as a duplicate).
   */
  function readings(base: number) {
    return sensors.map((s, i) => ({
      sensorId: s.id,
      ts: base + i,
      topic: `citynerve/${DISTRICT}/manhole/${s.code}/reading`,
    }));
  }

  /** Publishes QoS 1 in windows of 50; resolves with how many the broker acknowledged. */
  async function publish(list: ReturnType<typeof readings>) {
    const pub = await mqtt.connectAsync(BROKER_URL, { clientId: `it-${RUN}-${engine}-pub-${Date.now()}` });
    let acked = 0;
    try {
      for (let i = 0; i < list.length; i += 50) {
        const slice = list.slice(i, i + 50);
        const results = await Promise.allSettled(
          slice.map((r) =>
            pub.publishAsync(r.topic, JSON.stringify({ ts: r.ts, values: VALUES }), { qos: 1 }),
          ),
        );
        acked += results.filter((r) => r.status === 'fulfilled').length;
      }
    } finally {
      await pub.endAsync();
    }
    return acked;
  }

  /** How many of `list` are in the reading history, and whether any is there twice. */
  async function stored(list: ReturnType<typeof readings>) {
    const from = new Date(Math.min(...list.map((r) => r.ts))).toISOString();
    const [r] = await db.rows<{ n: number; distinct: number }>(sql`
      select count(*)::int as n, count(distinct (sensor_id, ts))::int as distinct
      from sensor_readings where ts >= ${from}::timestamptz`);
    return r;
  }

  const deadLetters = async () =>
    (
      await db.rows<{ n: number }>(
        sql`select count(*)::int as n from dead_letters where source like ${`citynerve/${DISTRICT}/%`}`,
      )
    )[0].n;

  it('stores every reading exactly once, and both nodes take a share', async () => {
    const group = `it${RUN}a`;
    const [a, b] = [await startNode('a1', group), await startNode('b1', group)];
    const list = readings(Date.now());
    expect(await publish(list)).toBe(N);
    await waitFor(
      'every reading stored',
      () => stored(list),
      (s) => s.n >= N,
    );
    await waitFor(
      'all PUBACKs',
      async () => [a.stats().mqtt!, b.stats().mqtt!],
      (s) => s.every((m) => m.inflight === 0),
    );
    const [sa, sb] = [a.stats(), b.stats()];
    await Promise.all([stopNode(a), stopNode(b)]);

    expect(await stored(list)).toEqual({ n: N, distinct: N });
    // The latest state of each sensor is its newest reading.
    const newest = new Map<number, number>();
    for (const r of list) newest.set(r.sensorId, Math.max(newest.get(r.sensorId) ?? 0, r.ts));
    const states = await db.rows<{ id: number; reported: Date | string }>(
      sql`select sensor_id as id, reported_at as reported from sensor_state
          where sensor_id in (select sensor_id from sensor_readings where ts >= ${new Date(list[0].ts).toISOString()}::timestamptz)`,
    );
    expect(states).toHaveLength(newest.size);
    for (const s of states) expect(new Date(s.reported).getTime(), `sensor ${s.id}`).toBe(newest.get(s.id));
    expect(await deadLetters()).toBe(0);
    expect(sa.pipeline.accepted, 'node a took a share').toBeGreaterThan(0);
    expect(sb.pipeline.accepted, 'node b took a share').toBeGreaterThan(0);
    expect(sa.pipeline.accepted + sb.pipeline.accepted).toBe(N);
    console.log(
      `[mqtt-shared] ${engine}: ${N} readings, node a stored ${sa.pipeline.accepted} in ${sa.pipeline.batches} batches, node b ${sb.pipeline.accepted} in ${sb.pipeline.batches}`,
    );
  });

  it('hands the rest to the other node when one stops mid-stream, and loses nothing', async () => {
    const group = `it${RUN}b`;
    const a = await startNode('a2', group);
    const b = await startNode('b2', group);
    const list = readings(Date.now() + N);
    const [first, during, after] = [list.slice(0, 700), list.slice(700, 1400), list.slice(1400)];

    // A third while both run, a third while node a stops, a third once it is gone.
    expect(await publish(first)).toBe(first.length);
    const [published] = await Promise.all([publish(during), stopNode(a)]);
    expect(published).toBe(during.length);
    expect(await publish(after)).toBe(after.length);

    // Node b alone stores everything published after node a left.
    await waitFor(
      'node b to store the last third',
      () => stored(after),
      (s) => s.n >= after.length,
    );
    const bStats = b.stats();

    // What node a had taken but not stored waits in its session; it gets it back when it restarts.
    const left = N - (await stored(list)).n;
    const again = await startNode('a2', group);
    await waitFor(
      'every reading stored',
      () => stored(list),
      (s) => s.n >= N,
    );
    await waitFor(
      'all PUBACKs',
      async () => again.stats().mqtt!,
      (m) => m.inflight === 0,
    );
    await stopNode(again);
    await stopNode(b);

    expect(await stored(list)).toEqual({ n: N, distinct: N });
    expect(await deadLetters()).toBe(0);
    expect(bStats.pipeline.accepted).toBeGreaterThanOrEqual(after.length);
    console.log(
      `[mqtt-shared] ${engine}: node a stopped mid-stream; node b stored ${bStats.pipeline.accepted} of ${N}; ${left} waited in node a's session until it restarted`,
    );
  });
});
