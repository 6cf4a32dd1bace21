// Helpers of the device-ingest benchmark (bench/ingest.ts): a private Mosquitto, the production server as
// a child process, mqtt.js publishers for the paced latency runs (the throughput runs use the cheaper
// publisher in ingest-publisher.ts), a Socket.IO delta listener, and CPU sampling. Every child process is
// killed when the benchmark exits, however it exits.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mqtt, { type MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../src/lib/streams/contract';
import { decodeDelta } from '../src/lib/streams/codec';
import { sql as dsql } from 'drizzle-orm';
import type { Database } from '../server/db/client';
import { createRandom } from '../server/domain/random';
import { normalReading, type SensorFamily } from '../server/domain/sensor-state';
import { root, sessionCookie } from './support';

export const PASSWORD = 'bench-password-1';

/** Children still running: killed on exit, so a failed or interrupted run leaves no broker or server. */
const children = new Set<ChildProcess>();
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One sensor as the benchmark addresses it. */
export interface BenchSensor {
  id: number;
  code: string;
  family: string;
  district: string;
  /** The values of a healthy reading, as JSON (validated field order, i.e. what the server stores). */
  values: string;
}

/** A message ready to publish; `payload` is built at send time so ts is the send time. */
export interface OutMessage {
  topic: string;
  payload: () => string;
}

export const topicOf = (s: BenchSensor) => `citynerve/${s.district}/${s.family}/${s.code}/reading`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/**
 * A Mosquitto of our own on a free port: the shared one on 1883 would drop QoS 1 messages beyond its
 * per-client queue of 1,000 (max_queued_messages) whenever the server reads slower than we publish, and
 * would hand our messages to any other CityNerve subscribed on the machine.
 */
export async function startMosquitto(
  dir: string,
): Promise<{ url: string; child: ChildProcess; pid: number }> {
  const port = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_queued_messages 2000000',
      'log_type error',
      '',
    ].join('\n'),
  );
  const child = track(spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] }));
  await waitForPort(port, 5000);
  return { url: `mqtt://127.0.0.1:${port}`, child, pid: child.pid! };
}

/** The production server as a child process. */
export interface RunningServer {
  url: string;
  /** The MQTT URL from the banner (the embedded broker's when MQTT_URL is unset). */
  mqttUrl: string;
  child: ChildProcess;
  pid: number;
}

const nodeArgs = (env: Record<string, string | undefined>) =>
  (env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');

function spawnServer(env: Record<string, string | undefined>): Promise<RunningServer> {
  const child = track(
    // BENCH_SERVER_NODE_ARGS: extra node flags for the server (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p").
    spawn(process.execPath, [...nodeArgs(env), '--import', 'tsx', 'server/index.ts'], {
      cwd: root,
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let out = '';
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
    process.stderr.write(`  [server] ${d.toString()}`);
  });
  return new Promise<RunningServer>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within 240 s: ${out.slice(-2000)}`));
    }, 240_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = out.match(/running at (http:\/\/[^\s]+?)\/?\n/);
      const broker = out.match(/MQTT ingest: (?:embedded broker at )?(mqtts?:\/\/\S+)/);
      if (url && broker) {
        clearTimeout(timer);
        resolve({ url: url[1], mqttUrl: broker[1], child, pid: child.pid! });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${out.slice(-2000)}`));
    });
  });
}

/** Starts `node --import tsx server/index.ts`; rebuilds once when the production build is missing. */
export async function startServer(env: Record<string, string | undefined>): Promise<RunningServer> {
  try {
    return await spawnServer(env);
  } catch (err) {
    const msg = (err as Error).message;
    if (!/No production build|Cannot find module|ERR_MODULE_NOT_FOUND/.test(msg)) throw err;
    console.log('  production build missing or incomplete: running vite build …');
    const r = spawnSync('npx', ['vite', 'build'], { cwd: root, stdio: 'ignore', timeout: 180_000 });
    if (r.status !== 0) throw new Error(`vite build failed (${r.status}) after: ${msg}`);
    return spawnServer(env);
  }
}

/** SIGTERM (the server drains and acknowledges), SIGKILL after 20 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** A Socket.IO client subscribed to sensor deltas; `onChange(id, state, at)` per changed sensor. */
export async function deltaListener(
  url: string,
  onChange: (id: number, state: number, at: number) => void,
): Promise<Socket<ServerToClientEvents, ClientToServerEvents>> {
  const cookie = await sessionCookie(url, PASSWORD);
  const health = (await (await fetch(`${url}/api/health`)).json()) as { seq: number };
  const s: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, {
    transports: ['websocket'],
    extraHeaders: { cookie },
    reconnection: false,
  });
  s.on('sensors:delta', (frame) => {
    const at = performance.now();
    const d = decodeDelta(frame);
    for (let i = 0; i < d.ids.length; i++) onChange(d.ids[i], d.states[i], at);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket.io subscribe timed out')), 30_000);
    s.once('connect_error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.once('connect', () =>
      s.emit('sensors:subscribe', { sinceSeq: health.seq }, (ack) => {
        clearTimeout(timer);
        if (ack.ok) resolve();
        else reject(new Error(ack.error ?? 'subscribe refused'));
      }),
    );
  });
  return s;
}

/** mqtt.js publisher clients (devices or a gateway), MQTT 3.1.1, clean sessions: the latency runs. */
export async function publishers(url: string, n: number, tag: string): Promise<MqttClient[]> {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      mqtt.connectAsync(url, {
        clientId: `bench-ingest-pub-${tag}-${i}`,
        clean: true,
        protocolVersion: 4,
        reconnectPeriod: 0,
      }),
    ),
  );
}

/** CPU seconds (user + system) a process has used so far; NaN when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds per PostgreSQL process on the machine (other users' backends included). */
export function postgresCpu(): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const f = stat.split(') ')[1].split(' ');
      out.set(p, (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/**
 * CPU seconds PostgreSQL spent between two samples: a backend that started in between (a pool opening
 * another connection under load) counts whole; one that ended in between is lost, so keep pools warm.
 */
export function postgresCpuBetween(a: Map<string, number>, b: Map<string, number>): number {
  let total = 0;
  for (const [pid, end] of b) total += end - (a.get(pid) ?? 0);
  return total;
}

/** Busy and total jiffies of the whole machine. */
export function machineJiffies(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Percentiles of a list of numbers (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Fisher-Yates with a seeded generator. */
export function shuffle<T>(items: T[], next: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Every sensor with a healthy reading of its family (drawn with `seed`), ordered by id. */
export async function loadSensors(db: Pick<Database, 'rows'>, seed: string): Promise<BenchSensor[]> {
  const rows = await db.rows<{ id: number; code: string; family: string; district: string | null }>(
    dsql`select s.id, s.code, t.code as family, d.code as district
         from sensors s join sensor_types t on t.id = s.type_id
         left join streets st on st.id = s.street_id left join districts d on d.id = st.district_id
         order by s.id`,
  );
  const rnd = createRandom(seed);
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    family: r.family,
    district: r.district ?? 'unknown',
    values: JSON.stringify(normalReading(r.family as SensorFamily, rnd, { night: false })),
  }));
}
