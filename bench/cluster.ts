// Benchmark: what clustering costs on one machine. In one run (the machine is noisy, so the result is the
// 2-node/1-node ratios): 1 node with no adapter, 2 nodes with the PostgreSQL adapter, 2 nodes with the Redis
// Streams adapter, all on one fresh PostgreSQL database and a private Mosquitto. For each:
//   1. MQTT QoS 1 ingest: READINGS readings over SENSORS sensors published as fast as the node(s) store
//      them (the nodes share the load through the shared subscription); stored rows / time until all are
//      stored, and the CPU of each process.
//   2. Live event latency at CLIENTS Socket.IO clients (half on each node with 2 nodes): EVENTS case
//      actions ("urge") through HTTP on node A → `cases:changed`, and EVENTS sensor readings through the
//      gateway HTTP ingest on node A → `sensors:delta`; latency = client receive time − send time.
//   3. Server CPU per client during those phases, from /proc/<pid>/stat.
// Needs a production build (npm run build, done once if missing), PostgreSQL + PostGIS, Mosquitto, and
// Redis for the Redis row (BENCH_REDIS_URL, default redis://127.0.0.1:6379; BENCH_REDIS=false skips it).
// Run: npm run bench:cluster   (BENCH_SENSORS, BENCH_READINGS, BENCH_CLIENTS, BENCH_CLIENT_PROCS, BENCH_EVENTS)
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql as dsql } from 'drizzle-orm';
import postgres from 'postgres';
import { migrate, openPostgres } from '../server/db/client';
import { ingestRepository } from '../server/db/repositories/ingest.repository';
import { gatewayService } from '../server/services/gateway.service';
import { generateDemoCity } from '../server/sim/generate-city';
import type { FromClients, ToClients } from './cluster-clients';
import {
  cpuSeconds,
  machineJiffies,
  PASSWORD,
  percentile,
  postgresCpu,
  postgresCpuBetween,
  sleep,
  startMosquitto,
  startServer,
  stopChild,
  topicOf,
  loadSensors,
  type BenchSensor,
  type RunningServer,
} from './ingest-kit';
import { prepareReadings, RawPublisher, type RawReading } from './ingest-publisher';
import { machine, mdGrid, root, sessionCookie, writeSection } from './support';

const SENSORS = Number(process.env.BENCH_SENSORS ?? 20_000);
const READINGS = Number(process.env.BENCH_READINGS ?? 100_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 2000);
/** Processes the clients are split over (each one event loop). */
const CLIENT_PROCS = Number(process.env.BENCH_CLIENT_PROCS ?? 2);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 30);
const SPACING_MS = 300;
const PUBLISHERS = 4;
const WINDOW = 1000;
/**
 * Most readings published but not yet stored. Each sensor gets READINGS / SENSORS readings, SENSORS apart
 * in publishing order; a reading is a duplicate (not stored) when a newer one of its sensor got stored
 * first, which with two nodes would happen if one node lagged the other by about SENSORS / 2 messages.
 * Keeping the backlog below that keeps every reading storable.
 */
const AHEAD = Math.min(20_000, Math.floor(SENSORS * Number(process.env.BENCH_AHEAD_FACTOR ?? 0.2)));
const REDIS = process.env.BENCH_REDIS !== 'false';
/** One node once more at the end (BENCH_REPEAT=false leaves it out). */
const REPEAT = process.env.BENCH_REPEAT !== 'false';
const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_PREFIX = 'citynerve_bench_cluster_';
const SECTION = '## Cluster overhead (bench:cluster)';

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
/** Epoch ms with sub-ms precision, the same clock as the client processes'. */
const now = () => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------------------------------------------
// The database of this run: citynerve_bench_cluster_<pid>, dropped at the end; databases of earlier runs
// whose process is gone (killed before it could drop its own) are dropped first.

const adminUrl = (name: string) => {
  const u = new URL(BASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
};

async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = postgres(BASE_URL, { max: 1, onnotice: () => {} });
  const stale = await admin<{ datname: string }[]>`
    select datname from pg_database where datname like ${DB_PREFIX + '%'}`;
  for (const { datname } of stale) {
    const pid = Number(datname.slice(DB_PREFIX.length));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      // no such process
    }
    if (!alive && Number.isInteger(pid))
      await admin.unsafe(`drop database if exists ${datname} with (force)`);
  }
  const name = `${DB_PREFIX}${process.pid}`;
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  return {
    url: adminUrl(name),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// CPU

/** CPU seconds so far of each pid; NaN for a process that is gone. */
const cpuOf = (pids: number[]) => pids.map(cpuSeconds);

interface CpuSample {
  at: number;
  nodes: number[];
  mosquitto: number;
  clients: number[];
  postgres: Map<string, number>;
  machine: { busy: number; total: number };
  /** This process (publishers, HTTP requests). */
  bench: number;
}

interface CpuUse {
  seconds: number;
  /** CPU seconds of each node. */
  nodes: number[];
  mosquitto: number;
  postgres: number;
  /** CPU seconds of the client processes together. */
  clients: number;
  /** Busy share of all cores (%). */
  machineBusy: number;
  /**
   * CPU seconds of everything else on the machine (other work sharing it): busy time of all cores minus
   * the processes above and this one.
   */
  others: number;
}

function cpuSample(nodes: number[], mosquitto: number, clients: number[]): CpuSample {
  return {
    at: performance.now(),
    nodes: cpuOf(nodes),
    mosquitto: cpuSeconds(mosquitto),
    clients: cpuOf(clients),
    postgres: postgresCpu(),
    machine: machineJiffies(),
    bench: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  };
}

function cpuBetween(a: CpuSample, b: CpuSample): CpuUse {
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  const nodes = b.nodes.map((x, i) => x - a.nodes[i]);
  const mosquitto = b.mosquitto - a.mosquitto;
  const pg = postgresCpuBetween(a.postgres, b.postgres);
  const clients = sum(b.clients) - sum(a.clients);
  const busyS = (b.machine.busy - a.machine.busy) / 100; // USER_HZ
  return {
    seconds: (b.at - a.at) / 1000,
    nodes,
    mosquitto,
    postgres: pg,
    clients,
    machineBusy: ((b.machine.busy - a.machine.busy) / Math.max(1, b.machine.total - a.machine.total)) * 100,
    others: Math.max(0, busyS - sum(nodes) - mosquitto - pg - clients - (b.bench - a.bench)),
  };
}

const pctOfCore = (cpuS: number, s: number) => (cpuS / s) * 100;

// ---------------------------------------------------------------------------------------------------
// 1. Ingest

interface IngestResult {
  stored: number;
  perS: number;
  seconds: number;
  cpu: CpuUse;
}

/**
 * READINGS readings, SENSORS apart per sensor (pass after pass over the sensors), over PUBLISHERS raw
 * MQTT QoS 1 connections; stored readings/s from the first publish until sensor_readings holds them all.
 */
async function ingest(
  brokerUrl: string,
  sensors: readonly BenchSensor[],
  sql: postgres.Sql,
  pids: { nodes: number[]; mosquitto: number },
  tag: string,
): Promise<IngestResult> {
  await sql`truncate sensor_readings restart identity`;
  const stored = async () =>
    (await sql<{ n: number }[]>`select count(*)::int as n from sensor_readings`)[0].n;
  // Sensor i % SENSORS always goes to publisher i % PUBLISHERS (so its readings leave in order, with
  // increasing ts): SENSORS must be a multiple of PUBLISHERS, and a sensor's readings are more than one
  // window apart on its connection.
  if (sensors.length % PUBLISHERS !== 0 || sensors.length / PUBLISHERS <= WINDOW)
    throw new Error(`BENCH_SENSORS must be a multiple of ${PUBLISHERS} above ${PUBLISHERS * WINDOW}`);
  const items: RawReading[] = [];
  for (let i = 0; i < READINGS; i++) {
    const s = sensors[i % sensors.length];
    items.push({ topic: topicOf(s), values: s.values });
  }
  const lists: RawReading[][] = Array.from({ length: PUBLISHERS }, () => []);
  items.forEach((it, i) => lists[i % PUBLISHERS].push(it));
  const prepared = lists.map(prepareReadings);
  const pubs = await Promise.all(
    Array.from({ length: PUBLISHERS }, (_, i) =>
      RawPublisher.connect(brokerUrl, `bench-cluster-${tag}-${i}`),
    ),
  );
  try {
    let seen = 0;
    const published = () => pubs.reduce((n, p) => n + p.sent, 0);
    const deadline = Date.now() + 3 * 60_000;
    const c0 = cpuSample(pids.nodes, pids.mosquitto, []);
    const t0 = performance.now();
    let polling = true;
    const poller = (async () => {
      let last = 0;
      let lastChange = performance.now();
      while (polling) {
        seen = await stored();
        if (seen !== last) lastChange = performance.now();
        last = seen;
        if (seen >= READINGS) return performance.now();
        if (performance.now() - lastChange > 10_000) return NaN; // stuck: report what got stored
        await sleep(25);
      }
      return NaN;
    })();
    const publishing = Promise.all(
      pubs.map((p, i) => p.publishAll(prepared[i], WINDOW, () => published() - seen < AHEAD, deadline)),
    );
    const tEnd = await poller;
    polling = false;
    const c1 = cpuSample(pids.nodes, pids.mosquitto, []);
    if (!Number.isNaN(tEnd)) await publishing; // all PUBACKs are in by now
    const got = await stored();
    const [{ d }] = await sql<{ d: number }[]>`select count(*)::int as d from dead_letters`;
    if (got < READINGS) log(`  only ${fmt(got)} of ${fmt(READINGS)} stored; dead letters so far: ${fmt(d)}`);
    const end = Number.isNaN(tEnd) ? performance.now() : tEnd;
    return {
      stored: got,
      perS: got / ((end - t0) / 1000),
      seconds: (end - t0) / 1000,
      cpu: cpuBetween(c0, c1),
    };
  } finally {
    await Promise.all(pubs.map((p) => p.end()));
  }
}

// ---------------------------------------------------------------------------------------------------
// 2. Latency at CLIENTS Socket.IO clients

interface ClientProcs {
  procs: ChildProcess[];
  opened: number;
  failed: number;
  errors: string[];
  openSeconds: number;
  ask(m: ToClients): Promise<FromClients[]>;
}

const clientChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of clientChildren) c.kill('SIGKILL');
});

async function openClients(
  urls: string[],
  cookie: string,
  seqs: Record<string, number>,
  caseCode: string,
  sensorIds: number[],
): Promise<ClientProcs> {
  const procs = Array.from({ length: CLIENT_PROCS }, () => {
    const child = fork(path.join(root, 'bench', 'cluster-clients.ts'), [], {
      cwd: root,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    clientChildren.add(child);
    child.once('exit', () => clientChildren.delete(child));
    return child;
  });
  await Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((resolve, reject) => {
          p.once('message', () => resolve());
          p.once('exit', (code) => reject(new Error(`client process exited (${code}) before it was ready`)));
        }),
    ),
  );
  const ask = (m: ToClients | ((i: number) => ToClients)) =>
    Promise.all(
      procs.map(
        (p, i) =>
          new Promise<FromClients>((resolve, reject) => {
            const onExit = (code: number | null) => reject(new Error(`client process exited (${code})`));
            p.once('exit', onExit);
            p.once('message', (r: FromClients) => {
              p.off('exit', onExit);
              resolve(r);
            });
            p.send(typeof m === 'function' ? m(i) : m);
          }),
      ),
    );
  const per = Math.ceil(urls.length / CLIENT_PROCS);
  const opened = (await ask((i) => ({
    type: 'open',
    urls: urls.slice(i * per, (i + 1) * per),
    base: i * per,
    cookie,
    seqs,
    caseCode,
    sensorIds,
  }))) as Extract<FromClients, { type: 'opened' }>[];
  return {
    procs,
    opened: opened.reduce((n, o) => n + o.ok, 0),
    failed: opened.reduce((n, o) => n + o.failed, 0),
    errors: opened.flatMap((o) => o.errors),
    openSeconds: Math.max(...opened.map((o) => o.seconds)),
    ask,
  };
}

interface Delivery {
  expected: number;
  delivered: number;
  duplicates: number;
  /** Latencies (ms) of the first arrival of each event at each client, and per node of the client. */
  all: number[];
  byNode: number[][];
  /** Per event that arrived: last − first arrival over the clients (ms), the fan-out time. */
  spread: number[];
  /** Events that reached every client. */
  complete: number;
  /** Mean time between sends (ms): SPACING_MS unless a request took longer. */
  spacing: number;
  /** Frames with the event the client processes received (first arrivals, duplicates, unmatched). */
  received: number;
  /** HTTP request time of the sending requests (ms). */
  http: number[];
  cpu: CpuUse;
}

/**
 * Assigns each arrival to the event it belongs to (`eventOf`), keeps the first per client and event,
 * and counts the rest as duplicates.
 */
function deliveries(
  arrivals: { client: number; t: number; event: number }[],
  sendTimes: number[],
  clients: number,
  nodeOf: (client: number) => number,
  nodes: number,
): Omit<Delivery, 'http' | 'cpu' | 'received'> {
  const first = new Map<number, number>();
  let duplicates = 0;
  for (const a of arrivals) {
    if (a.event < 0) continue;
    const key = a.client * sendTimes.length + a.event;
    const had = first.get(key);
    if (had === undefined) first.set(key, a.t);
    else {
      duplicates++;
      if (a.t < had) first.set(key, a.t);
    }
  }
  const all: number[] = [];
  const byNode: number[][] = Array.from({ length: nodes }, () => []);
  const lo = sendTimes.map(() => Infinity);
  const hi = sendTimes.map(() => -Infinity);
  const count = sendTimes.map(() => 0);
  for (const [key, t] of first) {
    const client = Math.floor(key / sendTimes.length);
    const e = key % sendTimes.length;
    const ms = t - sendTimes[e];
    all.push(ms);
    byNode[nodeOf(client)].push(ms);
    lo[e] = Math.min(lo[e], ms);
    hi[e] = Math.max(hi[e], ms);
    count[e]++;
  }
  return {
    expected: clients * sendTimes.length,
    delivered: first.size,
    duplicates,
    all,
    byNode,
    spread: count.flatMap((n, e) => (n > 0 ? [hi[e] - lo[e]] : [])),
    complete: count.filter((n) => n === clients).length,
    spacing: (sendTimes[sendTimes.length - 1] - sendTimes[0]) / Math.max(1, sendTimes.length - 1),
  };
}

/** Sends EVENTS requests SPACING_MS apart; returns the send times and request durations. */
async function paced(
  request: (i: number) => Promise<Response>,
): Promise<{ sends: number[]; http: number[] }> {
  const sends: number[] = [];
  const http: number[] = [];
  const start = now() + 50;
  for (let i = 0; i < EVENTS; i++) {
    const wait = start + i * SPACING_MS - now();
    if (wait > 0) await sleep(wait);
    sends.push(now());
    const res = await request(i);
    http.push(now() - sends[i]);
    if (!res.ok) throw new Error(`event ${i}: HTTP ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  }
  return { sends, http };
}

interface LatencyResult {
  opened: number;
  failed: number;
  errors: string[];
  openSeconds: number;
  disconnected: number;
  cases: Delivery;
  sensors: Delivery;
}

async function latency(
  nodes: RunningServer[],
  mosquittoPid: number,
  caseCode: string,
  manholes: BenchSensor[],
  gatewayKey: string,
): Promise<LatencyResult> {
  const cookie = await sessionCookie(nodes[0].url, PASSWORD);
  const seqs: Record<string, number> = {};
  for (const n of nodes)
    seqs[n.url] = ((await (await fetch(`${n.url}/api/health`)).json()) as { seq: number }).seq;
  const urls = Array.from({ length: CLIENTS }, (_, i) => nodes[i % nodes.length].url);
  const nodeOf = (client: number) => client % nodes.length;
  const clients = await openClients(
    urls,
    cookie,
    seqs,
    caseCode,
    manholes.map((m) => m.id),
  );
  log(
    `  opened ${fmt(clients.opened)} clients (${fmt(clients.failed)} failed) in ${fmt(clients.openSeconds, 1)} s`,
  );
  try {
    const clientPids = clients.procs.map((p) => p.pid!);
    const nodePids = nodes.map((n) => n.pid);
    await sleep(1500); // resume deltas and the first heartbeats pass
    const A = nodes[0].url;

    // Case actions on node A → cases:changed in room cases:all on every node.
    await clients.ask({ type: 'reset' });
    let c0 = cpuSample(nodePids, mosquittoPid, clientPids);
    const caseRun = await paced((i) =>
      fetch(`${A}/api/cases/${caseCode}/actions`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', origin: A },
        body: JSON.stringify({ action: 'urge', note: `bench:cluster 催办 ${i + 1}` }),
      }),
    );
    await sleep(1000);
    log(`  ${EVENTS} case actions sent`);
    let c1 = cpuSample(nodePids, mosquittoPid, clientPids);
    let results = (await clients.ask({ type: 'collect' })) as Extract<FromClients, { type: 'results' }>[];
    const caseEvent = (atMs: number) => {
      let e = -1;
      for (let i = 0; i < caseRun.sends.length; i++) if (caseRun.sends[i] <= atMs + 5) e = i;
      return e;
    };
    const cases: Delivery = {
      ...deliveries(
        results.flatMap((r) => r.cases.map(([client, t, at]) => ({ client, t, event: caseEvent(at) }))),
        caseRun.sends,
        clients.opened,
        nodeOf,
        nodes.length,
      ),
      http: caseRun.http,
      cpu: cpuBetween(c0, c1),
      received: results.reduce((n, r) => n + r.cases.length, 0),
    };

    // Event i: a reading through the gateway HTTP ingest on node A that tilts manhole i by 8° (normal →
    // warning) → sensors:delta from every node's poll of the change feed. One sensor per event, so an
    // arrival names its event however late it comes and no two changes can fall into one poll.
    const tilted = (s: BenchSensor) => JSON.stringify({ ...(JSON.parse(s.values) as object), tilt_deg: 8 });
    await clients.ask({ type: 'reset' });
    c0 = cpuSample(nodePids, mosquittoPid, clientPids);
    const sensorRun = await paced((i) =>
      fetch(`${A}/api/ingest/readings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/x-ndjson' },
        body: `{"sensor":"${manholes[i].code}","ts":${Date.now()},"values":${tilted(manholes[i])}}\n`,
      }),
    );
    await sleep(1000);
    c1 = cpuSample(nodePids, mosquittoPid, clientPids);
    results = (await clients.ask({ type: 'collect' })) as Extract<FromClients, { type: 'results' }>[];
    const sensors: Delivery = {
      ...deliveries(
        results.flatMap((r) =>
          r.deltas.map(([client, t, e, st]) => ({ client, t, event: st === 1 ? e : -1 })),
        ),
        sensorRun.sends,
        clients.opened,
        nodeOf,
        nodes.length,
      ),
      http: sensorRun.http,
      cpu: cpuBetween(c0, c1),
      received: results.reduce((n, r) => n + r.deltas.length, 0),
    };
    return {
      opened: clients.opened,
      failed: clients.failed,
      errors: clients.errors,
      openSeconds: clients.openSeconds,
      disconnected: results.reduce((n, r) => n + r.disconnected, 0),
      cases,
      sensors,
    };
  } finally {
    await clients.ask({ type: 'close' }).catch(() => []);
    for (const p of clients.procs) if (p.exitCode === null) p.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------------------

interface Variant {
  name: string;
  nodes: number;
  env: Record<string, string>;
}

interface VariantResult {
  variant: Variant;
  health: { node: string; leader: boolean; adapter: string }[];
  ingest: IngestResult;
  latency: LatencyResult;
}

async function main() {
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  // Redis database number of this run: the adapter's stream name is fixed, so another CityNerve on the
  // same Redis (and database 0) would otherwise hear this run's events and this run its.
  const redisDb = 1 + (process.pid % 15);
  const all: Variant[] = [
    { name: '1 node', nodes: 1, env: { REALTIME_ADAPTER: 'none' } },
    { name: '2 nodes, PostgreSQL adapter', nodes: 2, env: { REALTIME_ADAPTER: 'postgres' } },
    ...(REDIS
      ? [
          {
            name: '2 nodes, Redis adapter',
            nodes: 2,
            env: { REALTIME_ADAPTER: 'redis', REDIS_URL: `${redisUrl.replace(/\/\d*$/, '')}/${redisDb}` },
          },
        ]
      : []),
    // The machine is shared: one node once more at the end shows how much it drifted during the run.
    ...(REPEAT ? [{ name: '1 node again', nodes: 1, env: { REALTIME_ADAPTER: 'none' } }] : []),
  ];
  // BENCH_SETUPS=1,postgres,redis picks set-ups (for a look at one; the docs want all three).
  const only = process.env.BENCH_SETUPS?.split(',');
  const variants = only
    ? all.filter((v) => only.includes(v.nodes === 1 ? '1' : v.env.REALTIME_ADAPTER))
    : all;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'citynerve-bench-cluster-'));
  const tmp = await freshDatabase();
  const sql = postgres(tmp.url, { max: 2, onnotice: () => {} });
  let broker: Awaited<ReturnType<typeof startMosquitto>> | null = null;
  let running: RunningServer[] = [];
  const results: VariantResult[] = [];
  const startedAt = Date.now();
  const machineLine = machine();
  let version = '';
  try {
    const db = await openPostgres(tmp.url);
    await migrate(db);
    log(`generating ${fmt(SENSORS)} sensors …`);
    await generateDemoCity(db, { sensorCount: SENSORS, seed: 'bench-cluster' });
    const sensors = await loadSensors(db, 'bench-cluster');
    const { key: gatewayKey } = await gatewayService({ ingest: ingestRepository(db) }).create(
      'bench-cluster',
      'bench:cluster',
    );
    const [v] = await db.rows<{ pg: string; postgis: string }>(
      dsql`select current_setting('server_version') as pg, postgis_lib_version() as postgis`,
    );
    version = `PostgreSQL ${v.pg.split(' ')[0]} + PostGIS ${v.postgis}`;
    const [dept] = await db.rows<{ id: number }>(dsql`select id from departments order by id limit 1`);
    await db.close();
    // The sensor of the latency runs: a manhole no ingest run writes to... (ingest writes every sensor, but
    // healthy readings keep it normal; its tilt readings come later and are newer).
    // The manholes the latency runs tilt: EVENTS per set-up, none tilted twice. The ingest run before
    // each latency run sends them healthy readings, so they start normal.
    const manholes = sensors.filter((s) => s.family === 'manhole');
    if (manholes.length < EVENTS * variants.length)
      throw new Error('not enough manholes for the latency runs');

    broker = await startMosquitto(scratch);
    const uniq = `${process.pid}_${Date.now().toString(36)}`;
    const baseEnv: Record<string, string | undefined> = {
      ...process.env,
      REDIS_URL: undefined,
      DATABASE_URL: tmp.url,
      PORT: '0',
      SIM_ENABLED: 'false',
      DEMO_PASSWORD: PASSWORD,
      DEMO_HISTORY_DAYS: '0',
      DEMO_SENSOR_COUNT: String(SENSORS),
      LOG_LEVEL: 'warn',
      MQTT_URL: broker.url,
      DRAIN_GRACE_MS: '0',
      REALTIME_POLL_MS: '100',
    };

    let caseCode = '';
    for (const [vi, variant] of variants.entries()) {
      running = [];
      for (let i = 0; i < variant.nodes; i++) {
        log(`${variant.name}: starting node ${i + 1}`);
        running.push(
          await startServer({
            ...baseEnv,
            ...variant.env,
            NODE_ID: `bench-${uniq}-${vi}-${i}`,
            MQTT_SHARED_GROUP: `bench_cluster_${uniq}_${vi}`,
          }),
        );
      }
      const health = await Promise.all(
        running.map(
          async (n) => (await (await fetch(`${n.url}/api/health`)).json()) as VariantResult['health'][0],
        ),
      );
      log(
        `${variant.name}: ${health.map((h) => `${h.node} leader=${h.leader} adapter=${h.adapter}`).join('; ')}`,
      );

      if (!caseCode) {
        // One dispatched case, made through the product: a hotline call, then dispatched if it went to triage.
        const A = running[0].url;
        const cookie = await sessionCookie(A, PASSWORD);
        const res = await fetch(`${A}/api/tickets`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json', origin: A },
          body: JSON.stringify({ channel: 'phone', text: '人行道井盖松动，踩上去会晃，请尽快处理' }),
        });
        if (!res.ok) throw new Error(`creating the case: HTTP ${res.status} ${await res.text()}`);
        caseCode = ((await res.json()) as { caseCode: string }).caseCode;
        const [{ state }] = await sql<{ state: string }[]>`select state from cases where code = ${caseCode}`;
        if (state !== 'dispatched') {
          const d = await fetch(`${A}/api/cases/${caseCode}/actions`, {
            method: 'POST',
            headers: { cookie, 'content-type': 'application/json', origin: A },
            body: JSON.stringify({ action: 'dispatch', departmentId: dept.id }),
          });
          if (!d.ok)
            throw new Error(`dispatching ${caseCode} (${state}): HTTP ${d.status} ${await d.text()}`);
        }
      }

      log(`${variant.name}: MQTT ingest, ${fmt(READINGS)} readings over ${fmt(SENSORS)} sensors`);
      const pids = { nodes: running.map((n) => n.pid), mosquitto: broker.pid };
      const ing = await ingest(broker.url, sensors, sql, pids, `${uniq}-${vi}`);
      log(`  ${fmt(ing.perS)} readings/s (${fmt(ing.stored)} stored in ${fmt(ing.seconds, 1)} s)`);

      log(`${variant.name}: ${fmt(CLIENTS)} Socket.IO clients in ${CLIENT_PROCS} processes`);
      const lat = await latency(
        running,
        broker.pid,
        caseCode,
        manholes.slice(vi * EVENTS, (vi + 1) * EVENTS),
        gatewayKey,
      );
      log(
        `  opened ${fmt(lat.opened)} (${fmt(lat.failed)} failed) in ${fmt(lat.openSeconds, 1)} s; ` +
          `cases p50 ${fmt(percentile(lat.cases.all, 50))} ms p99 ${fmt(percentile(lat.cases.all, 99))} ms; ` +
          `sensors p50 ${fmt(percentile(lat.sensors.all, 50))} ms p99 ${fmt(percentile(lat.sensors.all, 99))} ms`,
      );
      results.push({ variant, health, ingest: ing, latency: lat });
      for (const n of running) await stopChild(n.child);
      running = [];
    }
  } finally {
    for (const n of running) await stopChild(n.child).catch(() => {});
    if (broker) await stopChild(broker.child).catch(() => {});
    await sql.end();
    await tmp.drop();
    rmSync(scratch, { recursive: true, force: true });
  }
  report(results, machineLine, version, (Date.now() - startedAt) / 1000);
}

// ---------------------------------------------------------------------------------------------------

function report(results: VariantResult[], machineLine: string, version: string, seconds: number) {
  // Ratios: each 2-node set-up against the mean of the 1-node runs (first and last).
  const singles = results.filter((r) => r.variant.nodes === 1);
  const pairs = results.filter((r) => r.variant.nodes === 2);
  const header = [
    'metric',
    ...results.map((r) => r.variant.name),
    ...pairs.map((r) => `ratio ${r.variant.name.replace('2 nodes, ', '')} / 1 node`),
  ];
  const rows: string[][] = [];
  const add = (metric: string, value: (r: VariantResult) => number, digits = 0, ratio = true) => {
    const base = singles.reduce((a, r) => a + value(r), 0) / singles.length;
    rows.push([
      metric,
      ...results.map((r) => fmt(value(r), digits)),
      ...pairs.map((r) => (ratio ? fmt(value(r) / base, 2) : '')),
    ]);
  };
  const text = (metric: string, value: (r: VariantResult) => string) =>
    rows.push([metric, ...results.map(value), ...pairs.map(() => '')]);
  const p = (xs: number[], q: number) => percentile(xs, q);

  add('MQTT ingest: stored readings/s', (r) => r.ingest.perS);
  text(
    '… stored / published, seconds',
    (r) => `${fmt(r.ingest.stored)} / ${fmt(READINGS)}, ${fmt(r.ingest.seconds, 1)} s`,
  );
  text('… CPU % of one core: node(s) / Mosquitto / PostgreSQL / other work on the machine', (r) => {
    const c = r.ingest.cpu;
    return `${c.nodes.map((x) => fmt(pctOfCore(x, c.seconds))).join(' + ')} / ${fmt(pctOfCore(c.mosquitto, c.seconds))} / ${fmt(pctOfCore(c.postgres, c.seconds))} / ${fmt(pctOfCore(c.others, c.seconds))}`;
  });
  add(
    '… node CPU µs per stored reading (all nodes)',
    (r) => (r.ingest.cpu.nodes.reduce((a, b) => a + b, 0) / r.ingest.stored) * 1e6,
  );
  text(
    'Socket.IO clients opened (failed), seconds to open',
    (r) => `${fmt(r.latency.opened)} (${fmt(r.latency.failed)}), ${fmt(r.latency.openSeconds, 1)} s`,
  );
  for (const [label, pick] of [
    ['case action → cases:changed', (r: VariantResult) => r.latency.cases],
    ['gateway reading → sensors:delta', (r: VariantResult) => r.latency.sensors],
  ] as const) {
    add(`${label}: p50 ms`, (r) => p(pick(r).all, 50), 1);
    add(`${label}: p99 ms`, (r) => p(pick(r).all, 99), 1);
    add(`${label}: max ms`, (r) => p(pick(r).all, 100), 1);
    text(`… p50 / p99 ms on node A / node B (B: through the adapter)`, (r) =>
      pick(r)
        .byNode.map((xs) => `${fmt(p(xs, 50), 1)} / ${fmt(p(xs, 99), 1)}`)
        .join(' · '),
    );
    text(
      `… delivered / expected (events that reached every client), duplicates`,
      (r) =>
        `${fmt(pick(r).delivered)} / ${fmt(pick(r).expected)} (${pick(r).complete} of ${EVENTS}), ${fmt(pick(r).duplicates)}`,
    );
    add(`… fan-out: last − first client per event, p50 ms`, (r) => p(pick(r).spread, 50), 1);
    add(`… time between sends, mean ms (${SPACING_MS} planned)`, (r) => pick(r).spacing, 0);
    add(`… HTTP request on node A, p50 ms`, (r) => p(pick(r).http, 50), 1);
    add(
      `… server CPU µs per client per second (all nodes)`,
      (r) => {
        const c = pick(r).cpu;
        return (c.nodes.reduce((a, b) => a + b, 0) / r.latency.opened / c.seconds) * 1e6;
      },
      1,
    );
    text(`… CPU % of one core: node(s) / PostgreSQL / client processes / other work on the machine`, (r) => {
      const c = pick(r).cpu;
      return `${c.nodes.map((x) => fmt(pctOfCore(x, c.seconds))).join(' + ')} / ${fmt(pctOfCore(c.postgres, c.seconds))} / ${fmt(pctOfCore(c.clients, c.seconds))} / ${fmt(pctOfCore(c.others, c.seconds))}`;
    });
    add(
      `… client processes' CPU µs per frame received`,
      (r) => (pick(r).cpu.clients / Math.max(1, pick(r).received)) * 1e6,
      0,
      false,
    );
  }
  const table = mdGrid(header, rows);
  console.log(table);
  const errors = results.flatMap((r) => r.latency.errors.map((e) => `${r.variant.name}: ${e}`));
  const pairDuplicates = pairs.reduce((n, r) => n + r.latency.sensors.duplicates, 0);
  const pairDelivered = pairs.reduce((n, r) => n + r.latency.sensors.delivered, 0);
  const lost = results.filter((r) => r.latency.sensors.delivered < r.latency.sensors.expected);
  const others = results.map((r) => pctOfCore(r.latency.cases.cpu.others, r.latency.cases.cpu.seconds));
  const body = [
    SECTION,
    '',
    `\`npm run bench:cluster\` on ${machineLine}, ${version}, Mosquitto, Redis; ${fmt(seconds)} s for the whole run.`,
    '',
    `Set-ups measured one after another in the same run, on one fresh database and a private Mosquitto (the shared one on 1883 drops QoS 1 messages beyond its per-client queue of 1,000 when a node reads slower than the publishers write): ${results.map((r) => r.variant.name).join('; ')}. One node runs with REALTIME_ADAPTER=none (no cluster), two nodes with the adapter named. ${fmt(SENSORS)} sensors, simulator off, REALTIME_POLL_MS=100. Ratios are each 2-node set-up over the mean of the 1-node runs${singles.length > 1 ? ' (the first and the last: their difference is the drift of the shared machine during the run)' : ''}.`,
    '',
    `- **Ingest**: ${fmt(READINGS)} readings (${fmt(READINGS / SENSORS)} per sensor, one pass over every sensor after another) over ${PUBLISHERS} MQTT QoS 1 connections (the raw publisher of bench:ingest), at most ${fmt(AHEAD)} ahead of what is stored; two nodes share them through the shared subscription. Stored rows in sensor_readings / time from the first publish until all are stored.`,
    `- **Live events**: ${fmt(CLIENTS)} Socket.IO clients signed in as the duty officer and subscribed to the sensor layer like the map page, opened from ${CLIENT_PROCS} child processes (with two nodes every other client on node B). ${EVENTS} case actions ("urge", POST /api/cases/:code/actions on node A, ${SPACING_MS} ms apart) → \`cases:changed\` (node B's clients get it through the adapter); then ${EVENTS} readings through the gateway HTTP ingest on node A (POST /api/ingest/readings), each tilting another manhole by 8° (normal → warning) → \`sensors:delta\` (every node polls the change feed). Requests go out every ${SPACING_MS} ms, or when the previous one answered if it took longer. Latency = receive time at the client − send time of the request, one clock; the first arrival per client and event counts, any further one is a duplicate. Fan-out = last − first client to receive an event.`,
    `- **CPU**: /proc/<pid>/stat of the node processes, Mosquitto, the PostgreSQL backends and the client processes, from the first request of a phase to 1 s after its last; server CPU per client = node CPU seconds / clients / seconds. "Other work" is the machine's busy time (/proc/stat) minus all of these and the bench itself: other jobs on the shared cores.`,
    '',
    table,
    '',
    ...(errors.length ? [`Client connection failures: ${errors.join('; ')}.`, ''] : []),
    ...(pairDuplicates > 0
      ? [
          `With two nodes the clients received ${fmt(pairDuplicates)} duplicate sensor deltas for ${fmt(pairDelivered)} first arrivals: each node polls the shared change feed and emits what it finds to the sensor room through the adapter (\`io.to(room)\`, not \`io.local\`), so every client gets each change once from its own node and once from the other, and the heartbeat deltas twice as often (the live alarm feed polls and emits the same way). The latency counts the earlier copy.`,
          '',
        ]
      : []),
    ...(lost.length
      ? [
          `Sensor changes that never reached some clients (${lost.map((r) => `${r.variant.name}: ${fmt(r.latency.sensors.expected - r.latency.sensors.delivered)}`).join('; ')}) within 1 s of the last reading.`,
          '',
        ]
      : []),
    ...(pairs.some((r) => r.variant.env.REALTIME_ADAPTER === 'postgres')
      ? [
          "With the PostgreSQL adapter a broadcast (case changes here) reaches even the sending node's own clients only after the adapter's `pg_notify` has returned (socket.io-adapter's ClusterAdapter awaits the publish before the local emit), through the adapter's pool of 2 connections, so node A's own clients wait about as long as node B's. Sensor deltas do not cross the adapter: every node reads the change feed for its own clients (`io.local`).",
          '',
        ]
      : []),
    ...(singles.length > 1
      ? [
          `Drift of the shared machine: the two 1-node runs measured ${singles.map((r) => fmt(r.ingest.perS)).join(' and ')} readings/s, case p50 ${singles.map((r) => fmt(percentile(r.latency.cases.all, 50))).join(' and ')} ms, sensor p50 ${singles.map((r) => fmt(percentile(r.latency.sensors.all, 50))).join(' and ')} ms; ratios within that spread say nothing.`,
          '',
        ]
      : []),
    `Interpretation: on 2 cores, two nodes compete with PostgreSQL, Mosquitto and the load generators for the same cores (and here with other work, ${others.map((o) => fmt(o)).join(' / ')} % of one core during the case phases), so a second node cannot add throughput on this machine; the ratios show what clustering costs (a second process, the adapter hop, polling twice), not what a second machine would gain.`,
    '',
  ].join('\n');
  writeSection(SECTION, body);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
