// A real cluster for browser tests: N production nodes on one fresh PostgreSQL database, the local
// Mosquitto as their MQTT broker (one shared-subscription group), and HAProxy in front, started by the test
// with a config it writes. Browser contexts pin themselves to a node with HAProxy's CN_NODE cookie; when
// that node dies, HAProxy sends them on to a live one.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';

export const HAPROXY = process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy';
export const BROKER = { host: '127.0.0.1', port: 1883 };
const PASSWORD = 'cluster-password-1';

/** Why the cluster test cannot run here, or null when it can. */
export async function clusterUnavailable(): Promise<string | null> {
  if (!process.env.TEST_DATABASE_URL)
    return 'TEST_DATABASE_URL is not set (the cluster needs a real PostgreSQL)';
  if (spawnSync(HAPROXY, ['-v']).status !== 0)
    return `HAProxy not found at ${HAPROXY} (Debian: apt-get install haproxy, or set HAPROXY_PATH)`;
  if (!(await reachable(BROKER.host, BROKER.port)))
    return `no MQTT broker on ${BROKER.host}:${BROKER.port} (Debian: apt-get install mosquitto)`;
  return null;
}

/** Why Redis at `url` cannot be used, or null. */
export async function redisUnavailable(url: string): Promise<string | null> {
  const u = new URL(url);
  const port = Number(u.port || 6379);
  return (await reachable(u.hostname, port))
    ? null
    : `no Redis on ${u.hostname}:${port} (set TEST_REDIS_URL)`;
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

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface ClusterNode {
  /** "a", "b", …: the node's NODE_ID is `node-<name>` and its HAProxy cookie value is `<name>`. */
  name: string;
  port: number;
  url: string;
  pid: number | null;
  start(): Promise<void>;
  /** SIGKILL: no drain, no goodbye. */
  kill(): Promise<void>;
  /** SIGTERM: the node drains and exits; resolves with its exit code. */
  stop(): Promise<number | null>;
}

export interface Cluster {
  nodes: Record<string, ClusterNode>;
  /** The balancer's URL. */
  url: string;
  databaseUrl: string;
  password: string;
  /** Where MQTT devices publish, and the group the nodes share. */
  mqttUrl: string;
  sharedGroup: string;
  sql: postgres.Sql;
  /** The last lines each node printed (for a failing test's report). */
  logs(): string;
  dispose(): Promise<void>;
}

/** Waits until `url`'s /api/health answers 200. */
async function waitHealthy(url: string, timeoutMs: number, exited: () => string | null): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const why = exited();
    if (why) throw new Error(why);
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} not healthy after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function startCluster(
  names: string[],
  env: Record<string, string> = {},
  opts: { first?: string } = {},
): Promise<Cluster> {
  const base = process.env.TEST_DATABASE_URL!;
  const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const dbName = `citynerve_cluster_${run}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${dbName}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${dbName}`;
  const databaseUrl = u.toString();
  const sharedGroup = `e2e${run}`;
  const mqttUrl = `mqtt://${BROKER.host}:${BROKER.port}`;
  const procs = new Map<string, ChildProcess>();
  const logs = new Map<string, string>();

  const nodes: Record<string, ClusterNode> = {};
  for (const name of names) {
    const port = await freePort();
    const node: ClusterNode = {
      name,
      port,
      url: `http://127.0.0.1:${port}`,
      pid: null,
      async start() {
        const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
          env: {
            ...process.env,
            PORT: String(port),
            HOST: '127.0.0.1',
            NODE_ID: `node-${name}`,
            DATABASE_URL: databaseUrl,
            DATA_DIR: '',
            MQTT_URL: mqttUrl,
            MQTT_SHARED_GROUP: sharedGroup,
            MQTT_CLIENT_ID: `cn-${run}-${name}`,
            DEMO_SENSOR_COUNT: '1500',
            DEMO_HISTORY_DAYS: '0',
            DEMO_PASSWORD: PASSWORD,
            SIM_DESK_WORKERS: 'false',
            REALTIME_POLL_MS: '100',
            LEADER_RETRY_MS: '1000',
            // Longer than HAProxy takes to mark a draining node down (inter 1 s × fall 2).
            DRAIN_GRACE_MS: '2500',
            LOG_LEVEL: 'warn',
            ...env,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        procs.set(name, child);
        node.pid = child.pid ?? null;
        let out = '';
        const keep = (d: Buffer) => {
          out = (out + d.toString()).slice(-6000);
          logs.set(name, out);
        };
        child.stdout!.on('data', keep);
        child.stderr!.on('data', keep);
        await waitHealthy(node.url, 150_000, () =>
          child.exitCode !== null ? `node ${name} exited with ${child.exitCode}\n${out}` : null,
        );
      },
      async kill() {
        const c = procs.get(name);
        if (!c || c.exitCode !== null || c.signalCode) return;
        await new Promise<void>((resolve) => {
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        });
      },
      async stop() {
        const c = procs.get(name);
        if (!c || c.exitCode !== null || c.signalCode) return c?.exitCode ?? null;
        return new Promise<number | null>((resolve) => {
          c.once('exit', (code) => resolve(code));
          c.kill('SIGTERM');
        });
      },
    };
    nodes[name] = node;
  }

  // The first node migrates and generates the demo city; the others wait at the start-up lock anyway,
  // but starting one first keeps the leader predictable.
  const first = opts.first ?? names[0];
  await nodes[first].start();
  await Promise.all(names.filter((n) => n !== first).map((n) => nodes[n].start()));

  const lbPort = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'citynerve-haproxy-'));
  const cfg = path.join(dir, 'haproxy.cfg');
  writeFileSync(
    cfg,
    haproxyConfig(
      lbPort,
      names.map((n) => ({ name: n, port: nodes[n].port })),
    ),
  );
  const check = spawnSync(HAPROXY, ['-c', '-q', '-f', cfg], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy config refused: ${check.stderr}`);
  const lb = spawn(HAPROXY, ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let lbOut = '';
  lb.stderr!.on('data', (d: Buffer) => (lbOut = (lbOut + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${lbPort}`;
  await waitHealthy(url, 15_000, () => (lb.exitCode !== null ? `haproxy exited: ${lbOut}` : null));

  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  return {
    nodes,
    url,
    databaseUrl,
    password: PASSWORD,
    mqttUrl,
    sharedGroup,
    sql,
    logs: () => [...logs].map(([n, out]) => `--- node ${n}\n${out}`).join('\n'),
    async dispose() {
      await sql.end({ timeout: 1 }).catch(() => {});
      lb.kill('SIGKILL');
      await Promise.all(Object.values(nodes).map((n) => n.kill()));
      rmSync(dir, { recursive: true, force: true });
      const a = postgres(base, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${dbName} with (force)`);
      await a.end();
    },
  };
}

/**
 * The balancer: health checks on /api/health (503 while a node drains), sticky by cookie so Socket.IO's
 * polling handshake stays on one node, redispatch when the pinned node is gone, WebSockets tunnelled.
 * docs/deployment.md shows the same settings for production.
 */
export function haproxyConfig(port: number, servers: { name: string; port: number }[]): string {
  return `global
  maxconn 4096

defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
  timeout check 3s
  option redispatch
  retries 2

frontend citynerve
  bind 127.0.0.1:${port}
  option forwardfor
  default_backend nodes

backend nodes
  balance roundrobin
  option httpchk
  # HTTP/1.1 with a Host: Node's HTTP server answers 400 to a request without one (HAProxy's default check).
  http-check send meth GET uri /api/health ver HTTP/1.1 hdr Host citynerve
  http-check expect status 200
  cookie CN_NODE insert indirect nocache httponly
  # Which node answered, for operators (and the tests).
  http-response set-header X-Served-By %s
  default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
${servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check cookie ${s.name}`).join('\n')}
`;
}
