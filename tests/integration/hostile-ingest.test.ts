// Device ingest under hostile input, on the real broker (embedded aedes; the local Mosquitto when reachable)
// and the real database, through a real HTTP server: 5 MB payloads, 100,000 levels of nesting, binary
// garbage, 10,000 unknown sensors in one batch, one client flooding at 10× the normal rate. After each the
// node still answers /api/health, a normal device's reading sent at the same time reaches the sensor state
// within the latency target, the refusal is a dead letter (reason named, payload capped and marked), and
// the dead letters' retention trims old rows while their counts stay.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Database } from '../../server/db/client';
import { DEAD_LETTER_PAYLOAD_CHARS } from '../../server/db/repositories/dead-letters.repository';
import { MqttIngest } from '../../server/ingest/mqtt-ingest';
import { createLogger } from '../../server/log';
import { generateDemoCity } from '../../server/sim/generate-city';
import { GET as healthRoute } from '../../src/routes/api/health/+server';
import { POST as ingestRoute } from '../../src/routes/api/ingest/readings/+server';
import { database, engines, resetDatabase } from './support/databases';

const MOSQUITTO = { host: '127.0.0.1', port: 1883 };
/** The ingest latency target (docs/benchmarks.md): p99 under 1 s. Asserted with room for a busy 2-core CI. */
const LATENCY_TARGET_MS = 1000;
const LATENCY_BOUND_MS = 5000;
const FIVE_MB = 5 * 1_048_576;
const log = createLogger('silent');

interface SensorRow {
  id: number;
  code: string;
  family: string;
  district: string;
}

const healthyDrain = { level_cm: 50 };
let clock = Date.now();
const deviceNow = () => (clock = Math.max(Date.now(), clock + 1000));

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

/** The app's health and ingest routes behind a real HTTP server, as the production entry serves them. */
function httpServer(app: App): Promise<{ url: string; server: Server }> {
  const server = createServer((req: IncomingMessage, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const hasBody = req.method === 'POST';
      const request = new Request(url, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: hasBody ? (req as unknown as ReadableStream) : undefined,
        ...(hasBody ? { duplex: 'half' } : {}),
      } as RequestInit);
      const event = { request, url, locals: { app, user: null, lang: 'en' }, params: {} } as never;
      const route =
        url.pathname === '/api/health'
          ? healthRoute
          : url.pathname === '/api/ingest/readings'
            ? ingestRoute
            : null;
      if (!route) {
        res.writeHead(404).end();
        return;
      }
      const out = await route(event);
      res.writeHead(out.status, Object.fromEntries(out.headers));
      res.end(Buffer.from(await out.arrayBuffer()));
    })().catch((err: Error) => {
      res.writeHead(500).end(err.message);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

describe.each(engines())('hostile device ingest on %s', (engine) => {
  let db: Database;
  let app: App;
  let brokerUrl: string;
  let http: { url: string; server: Server };
  let sensors: SensorRow[];
  let gatewayKey: string;
  let device: MqttClient;
  const drains = () => sensors.filter((s) => s.family === 'drain');
  const topicOf = (s: SensorRow) => `citynerve/${s.district}/${s.family}/${s.code}/reading`;

  const reportedAt = async (id: number) => {
    const [r] = await db.rows<{ reported_at: Date | string | null }>(
      sql`select reported_at from sensor_state where sensor_id = ${id}`,
    );
    return r?.reported_at ? new Date(r.reported_at).getTime() : null;
  };
  const tally = async (reason: string) =>
    (await app.repos.deadLetters.tallies()).find((t) => t.reason === reason)?.count ?? 0;
  const health = async () => {
    const res = await fetch(`${http.url}/api/health`);
    return { status: res.status, body: (await res.json()) as { ok: boolean } };
  };

  /** Publishes one normal reading for `s` and resolves with the ms until it is the sensor's state. */
  async function probe(s: SensorRow, client = device, timeoutMs = 15_000): Promise<number> {
    const ts = deviceNow();
    const t0 = performance.now();
    await client.publishAsync(topicOf(s), JSON.stringify({ ts, values: healthyDrain }), { qos: 1 });
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if ((await reportedAt(s.id)) === ts) return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`the normal reading of ${s.code} was not stored within ${timeoutMs} ms`);
  }

  /** After a hostile input: the node answers, and a normal reading is stored within the target. */
  async function stillServing(s: SensorRow): Promise<number> {
    const h = await health();
    expect(h.status).toBe(200);
    expect(h.body.ok).toBe(true);
    const ms = await probe(s);
    expect(ms).toBeLessThan(LATENCY_BOUND_MS);
    return ms;
  }

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 400, seed: 'hostile-it' });
    sensors = await db.rows<SensorRow>(sql`
      select s.id, s.code, t.code as family, d.code as district
      from sensors s join sensor_types t on t.id = s.type_id
      join streets st on st.id = s.street_id join districts d on d.id = st.district_id
      order by s.id`);
    const config = loadConfig({
      INGEST_BATCH_MS: '30',
      LOG_LEVEL: 'silent',
      MQTT_EMBEDDED_PORT: '0',
      DEAD_LETTER_RETENTION_DAYS: '7',
      DEAD_LETTER_MAX_ROWS: '5000',
    });
    app = buildApp(config, db, log);
    const endpoint = await app.ingest.start({ maintainReadings: false });
    brokerUrl = endpoint.url;
    http = await httpServer(app);
    gatewayKey = (await app.gateways.create(`hostile-${engine}`, 'hostile test')).key;
    device = await mqtt.connectAsync(brokerUrl, { clientId: `it-dev-${process.pid}-${engine}` });
  }, 120_000);

  afterAll(async () => {
    await device?.endAsync();
    await app?.ingest.stop();
    await new Promise((r) => http?.server.close(r));
  });

  it('closes a device sending a 5 MB MQTT payload before reading it, and keeps a capped dead letter', async () => {
    const [target, other] = drains();
    const before = await tally('oversize');
    const attacker = await mqtt.connectAsync(brokerUrl, {
      clientId: `it-big-${process.pid}`,
      reconnectPeriod: 0,
    });
    attacker.on('error', () => {}); // the broker cuts the connection mid-write
    const closed = new Promise<void>((r) => attacker.once('close', () => r()));
    attacker.publish(topicOf(target), Buffer.alloc(FIVE_MB, 0x7b));
    const [ms] = await Promise.all([probe(other), closed]);
    expect(ms).toBeLessThan(LATENCY_BOUND_MS);
    await attacker.endAsync(true);
    await stillServing(other);
    await expect.poll(() => tally('oversize')).toBe(before + 1);
    const [letter] = await app.repos.deadLetters.list({ reason: 'oversize', limit: 1 });
    expect(letter.source).toBe(topicOf(target));
    expect(letter.sensorCode).toBe(target.code);
    expect(letter.detail).toMatch(
      new RegExp(`MQTT packet has ${FIVE_MB + 2 + topicOf(target).length} bytes`),
    );
    expect(letter.payload!.length).toBeLessThanOrEqual(DEAD_LETTER_PAYLOAD_CHARS + 64);
    expect(letter.payload).toMatch(/…\[truncated: \d+ bytes received\]$/);
  });

  it('refuses a 5 MB message from an external broker (Mosquitto) without buffering it', async (ctx) => {
    if (!(await reachable(MOSQUITTO.host, MOSQUITTO.port))) {
      console.log('[hostile-ingest] Mosquitto not reachable on 127.0.0.1:1883: external-broker test skipped');
      ctx.skip();
      return;
    }
    const url = `mqtt://${MOSQUITTO.host}:${MOSQUITTO.port}`;
    const ingest = new MqttIngest(app.ingest.pipeline, {
      url,
      embedded: false,
      sharedGroup: `hostile${process.pid}`,
      clientId: `it-hostile-${engine}-${process.pid}`,
      persistentSession: false,
      maxInflight: 200,
      maxMessageBytes: app.config.INGEST_MAX_MESSAGE_BYTES,
      maxFutureSkewMs: app.config.INGEST_MAX_FUTURE_SKEW_S * 1000,
      log,
    });
    await ingest.start();
    const pub = await mqtt.connectAsync(url, { clientId: `it-hostile-pub-${process.pid}` });
    try {
      const [, , target, other] = drains();
      const before = await tally('oversize');
      await pub.publishAsync(topicOf(target), Buffer.alloc(FIVE_MB, 0x5b), { qos: 1 });
      expect(await probe(other, pub)).toBeLessThan(LATENCY_BOUND_MS);
      await expect.poll(() => tally('oversize'), { timeout: 15_000 }).toBe(before + 1);
      const [letter] = await app.repos.deadLetters.list({ reason: 'oversize', limit: 1 });
      expect(letter.detail).toBe(
        `message has ${FIVE_MB} bytes; the limit is ${app.config.INGEST_MAX_MESSAGE_BYTES}`,
      );
      expect(letter.payload).toMatch(/^\[{100}/);
      expect(letter.payload).toMatch(/…\[truncated: 5242880 bytes received\]$/);
      // The QoS 1 message was acknowledged after its dead letter was stored: the broker does not resend it.
      await expect.poll(() => ingest.stats().inflight).toBe(0);
      await stillServing(other);
    } finally {
      await pub.endAsync();
      await ingest.stop();
    }
  });

  it('answers 5 MB and 9 MB HTTP bodies with 413 and a dead letter, the node unharmed', async () => {
    const [, other] = drains();
    const post = (body: string) =>
      fetch(`${http.url}/api/ingest/readings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
        body,
      });
    const before = await tally('oversize');
    // 5.3 MB: within INGEST_MAX_BODY_BYTES (8 MB) but 160,000 items, over the 50,000 a request may carry.
    const items = `[${'{"sensor":"X","ts":1,"values":{}},'.repeat(160_000)}{}]`;
    const five = await post(items);
    expect(five.status).toBe(413);
    expect(((await five.json()) as { rejected: { detail: string }[] }).rejected[0].detail).toMatch(
      /160001 items; at most 50000 per request/,
    );
    // 9 MB: over the body limit, refused from its Content-Length before a byte of it is read.
    const nine = await post('x'.repeat(9 * 1_048_576));
    expect(nine.status).toBe(413);
    expect(((await nine.json()) as { message: string }).message).toMatch(/larger than 8388608 bytes/);
    expect(await tally('oversize')).toBe(before + 2);
    const [letter] = await app.repos.deadLetters.list({ reason: 'oversize', limit: 2 });
    expect(letter.payload?.length ?? 0).toBeLessThanOrEqual(DEAD_LETTER_PAYLOAD_CHARS + 64);
    await stillServing(other);
  });

  it('refuses 100,000 levels of nesting over MQTT and HTTP as named dead letters', async () => {
    const [target, other] = drains();
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const mqttBefore = await tally('oversize');
    // Over MQTT it is larger than the broker's packet limit: the connection is closed before JSON is parsed.
    const nester = await mqtt.connectAsync(brokerUrl, {
      clientId: `it-deep-${process.pid}`,
      reconnectPeriod: 0,
    });
    nester.on('error', () => {});
    nester.publish(topicOf(target), deep, { qos: 1 });
    await expect.poll(() => tally('oversize')).toBe(mqttBefore + 1);
    await nester.endAsync(true);
    // Over HTTP: as the whole body, and (within the item limit) 7,000 levels inside a reading's values.
    const post = (body: string) =>
      fetch(`${http.url}/api/ingest/readings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
        body,
      });
    const whole = await post(deep);
    expect(whole.status).toBe(207);
    const wholeBody = (await whole.json()) as { rejected: { reason: string; detail: string }[] };
    expect(wholeBody.rejected).toEqual([
      { index: 0, reason: 'wrong_type', detail: expect.stringMatching(/JSON object/) },
    ]);
    const nested = '['.repeat(7000) + ']'.repeat(7000);
    const inValues = await post(
      `[{"sensor":"${target.code}","ts":${deviceNow()},"values":{"level_cm":${nested}}}]`,
    );
    expect(inValues.status).toBe(207);
    const body = (await inValues.json()) as { rejected: { reason: string; detail: string }[] };
    expect(body.rejected[0]).toMatchObject({
      reason: 'wrong_type',
      detail: expect.stringMatching(/level_cm/),
    });
    const [letter] = await app.repos.deadLetters.list({ reason: 'wrong_type', limit: 1 });
    expect(letter.sensorCode).toBe(target.code);
    await stillServing(other);
  });

  it('refuses binary garbage: as an MQTT payload, as raw bytes on the broker port, as an HTTP body', async () => {
    const [target, other] = drains();
    const garbage = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 131 + 7) % 256));
    const before = await tally('malformed_json');
    await device.publishAsync(topicOf(target), garbage, { qos: 1 });
    await expect.poll(() => tally('malformed_json')).toBe(before + 1);
    // The garbage holds NUL bytes, which PostgreSQL cannot store in text: kept, shown as ␀.
    const [bin] = await app.repos.deadLetters.list({ reason: 'malformed_json', limit: 1 });
    expect(bin.payload).toContain('\u2400');
    // Not MQTT at all: the broker drops the connection, nothing else notices.
    const port = Number(new URL(brokerUrl).port);
    await new Promise<void>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => s.write(garbage));
      s.on('close', () => resolve());
      s.on('error', () => resolve());
      s.setTimeout(5000, () => s.destroy());
    });
    const res = await fetch(`${http.url}/api/ingest/readings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/x-ndjson' },
      body: garbage,
    });
    expect(res.status).toBe(207);
    const body = (await res.json()) as { rejected: { reason: string }[] };
    expect(body.rejected.length).toBeGreaterThan(0);
    // A NUL in a sensor code: refused by name, not a stuck batch (the MQTT garbage above holds NULs too,
    // which PostgreSQL cannot store in text: they are kept as ␀).
    const nul = await fetch(`${http.url}/api/ingest/readings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
      body: JSON.stringify([
        { sensor: `DR-\u0000-${engine}`, ts: deviceNow(), values: { level_cm: '\u0000' } },
      ]),
    });
    expect(nul.status).toBe(207);
    expect(((await nul.json()) as { rejected: unknown[] }).rejected).toHaveLength(1);
    const [stored] = await app.repos.deadLetters.list({ limit: 1 });
    expect(stored.detail).toMatch(/is not a valid sensor code/);
    // A line of garbage that happens to be JSON (a lone digit) is refused as not an object.
    expect(body.rejected.every((r) => ['malformed_json', 'wrong_type'].includes(r.reason))).toBe(true);
    expect(body.rejected.some((r) => r.reason === 'malformed_json')).toBe(true);
    await stillServing(other);
  });

  it('takes a batch naming 10,000 unknown sensors: each refused and counted, the others served', async () => {
    const [, other] = drains();
    const before = await tally('unknown_sensor');
    const t = deviceNow();
    const batch = Array.from({ length: 10_000 }, (_, i) =>
      JSON.stringify({ sensor: `GHOST-${engine}-${i}`, ts: t, values: healthyDrain }),
    ).join('\n');
    const [res, ms] = await Promise.all([
      fetch(`${http.url}/api/ingest/readings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/x-ndjson' },
        body: batch,
      }),
      probe(other),
    ]);
    expect(res.status).toBe(207);
    const body = (await res.json()) as { accepted: number; rejected: { reason: string }[] };
    expect(body.accepted).toBe(0);
    expect(body.rejected).toHaveLength(10_000);
    expect(body.rejected.every((r) => r.reason === 'unknown_sensor')).toBe(true);
    expect(await tally('unknown_sensor')).toBe(before + 10_000);
    expect(ms).toBeLessThan(LATENCY_BOUND_MS);
    console.log(
      `[hostile-ingest ${engine}] normal reading during the 10,000-unknown batch: ${ms.toFixed(0)} ms`,
    );
    await stillServing(other);
  });

  it('keeps other devices within the latency target while one client floods at 10× the normal rate', async () => {
    // Normal: a gateway publishing 100 readings/s. The flooder: 1,000/s for 8 s, QoS 0, valid readings of
    // every manhole (so each one is a state write, the expensive kind).
    const flooder = await mqtt.connectAsync(brokerUrl, { clientId: `it-flood-${process.pid}` });
    const victims = drains().slice(4, 8);
    const floodSensors = sensors.filter((s) => s.family === 'manhole');
    const manhole = { tilt_deg: 1, displacement_mm: 1, open: false, water_level_cm: 20, battery_pct: 80 };
    const rate = 1000;
    const seconds = 8;
    let sent = 0;
    const t0 = performance.now();
    const flood = (async () => {
      while (sent < rate * seconds) {
        const due = Math.floor(((performance.now() - t0) / 1000) * rate);
        while (sent < due && sent < rate * seconds) {
          const s = floodSensors[sent % floodSensors.length];
          // Device clocks of the flood run ahead of the probes' but stay within the allowed skew.
          flooder.publish(topicOf(s), JSON.stringify({ ts: Date.now() + (sent % 1000), values: manhole }));
          sent++;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const latencies: number[] = [];
    const probes = (async () => {
      await new Promise((r) => setTimeout(r, 500));
      while (performance.now() - t0 < seconds * 1000) {
        latencies.push(...(await Promise.all(victims.map((v) => probe(v)))));
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await Promise.all([flood, probes]);
    await flooder.endAsync();
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(
      `[hostile-ingest ${engine}] flood ${sent} msgs in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
        `others' publish→state latency over ${latencies.length} readings: p50 ${p50.toFixed(0)} ms, ` +
        `p99 ${p99.toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms (target p99 < ${LATENCY_TARGET_MS} ms)`,
    );
    expect(latencies.length).toBeGreaterThan(8);
    expect(p99).toBeLessThan(LATENCY_BOUND_MS);
    const h = await health();
    expect(h.status).toBe(200);
  }, 40_000);

  it('trims dead letters past their retention and beyond the row cap, keeping their counts', async () => {
    const counted = await tally('bad_topic');
    // 300 letters 30 days old (past DEAD_LETTER_RETENTION_DAYS=7), then enough new ones to pass the cap.
    await db.rows(sql`
      insert into dead_letters (received_at, channel, source, reason, detail, payload)
      select now() - interval '30 days', 'mqtt', 'old/topic', 'bad_topic', 'old', null
      from generate_series(1, 300)`);
    await db.rows(sql`
      insert into dead_letter_tallies (reason, count) values ('bad_topic', 300)
      on conflict (reason) do update set count = dead_letter_tallies.count + 300`);
    await app.ingest.pipeline.submit(
      Array.from({ length: 6000 }, (_, i) => ({
        rejection: { reason: 'bad_topic' as const, detail: `topic ${i} is not citynerve/…/reading` },
        envelope: { channel: 'mqtt' as const, source: `junk/${i}`, payload: 'x'.repeat(10_000) },
      })),
    );
    const rows = async () =>
      (await db.rows<{ n: number }>(sql`select count(*)::int as n from dead_letters`))[0].n;
    expect(await rows()).toBeGreaterThan(5000 + 300);
    const gone = await app.ingest.trimDeadLetters();
    expect(gone.expired).toBe(300);
    expect(gone.overCap).toBeGreaterThan(0);
    expect(await rows()).toBe(5000);
    const old = await db.rows<{ n: number }>(
      sql`select count(*)::int as n from dead_letters where received_at < now() - interval '7 days'`,
    );
    expect(old[0].n).toBe(0);
    // The newest survive, capped with their marker; the count still has every one.
    const [newest] = await app.repos.deadLetters.list({ reason: 'bad_topic', limit: 1 });
    expect(newest.source).toMatch(/^junk\//);
    expect(newest.payload).toBe(`${'x'.repeat(DEAD_LETTER_PAYLOAD_CHARS)}…[truncated: 10000 chars received]`);
    expect(await tally('bad_topic')).toBe(counted + 300 + 6000);
    const view = (await app.repos.deadLetters.tallies()).find((t) => t.reason === 'bad_topic')!;
    expect(view.kept).toBeLessThanOrEqual(5000);
  });
});
