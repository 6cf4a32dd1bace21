// Starts the production build as a child process for browser tests, on its own database: a fresh
// PostgreSQL database when TEST_DATABASE_URL is set, otherwise embedded PGlite in a temporary folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';

export interface TestServer {
  url: string;
  /** Connection to the server's database (PostgreSQL only), for changing data behind the app's back. */
  databaseUrl: string | null;
  /** The embedded database's folder (PGlite only): open it after stop() to check what the pages showed. */
  dataDir: string | null;
  /** The embedded MQTT broker devices publish to (a new port after every start). */
  mqttUrl: string;
  password: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

const PASSWORD = 'e2e-password-123';

/** A spec's own server: extra environment, and embedded PGlite even when TEST_DATABASE_URL is set. */
export interface ServerOptions {
  env?: Record<string, string>;
  embedded?: boolean;
}

export async function startTestServer(
  env: Record<string, string> = {},
  opts: {
    embedded?: boolean;
    /** How long the first start may take (default 120 s). */
    startTimeoutMs?: number;
  } = {},
): Promise<TestServer> {
  const startTimeout = opts.startTimeoutMs ?? 120_000;
  const base = opts.embedded ? undefined : process.env.TEST_DATABASE_URL;
  let databaseUrl: string | null = null;
  let dataDir: string | null = null;
  let dbName = '';
  if (base) {
    dbName = `citynerve_e2e_${process.pid}_${Date.now().toString(36)}`;
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${dbName}`);
    await admin.end();
    const u = new URL(base);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  } else {
    dataDir = mkdtempSync(path.join(tmpdir(), 'citynerve-e2e-'));
  }

  let child: ChildProcess | null = null;
  let port = 0;
  const server: TestServer = {
    url: '',
    mqttUrl: '',
    databaseUrl,
    dataDir,
    password: PASSWORD,
    async start() {
      child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          DATABASE_URL: databaseUrl ?? '',
          DATA_DIR: dataDir ?? '',
          DEMO_SENSOR_COUNT: '1500',
          DEMO_PASSWORD: PASSWORD,
          SIM_TICK_MS: '500',
          // About one simulated fault every 4 s over 1,500 sensors, so "the map changes live" is seen
          // within seconds (the demo default, 0.15, would leave a 20 s window empty about 8 % of the time).
          SIM_FAULTS_PER_SENSOR_HOUR: '0.6',
          REALTIME_POLL_MS: '100',
          LOG_LEVEL: 'warn',
          MQTT_EMBEDDED_PORT: '0',
          // The public view is cached for 5 minutes by default: a page an earlier test opened would hide
          // the reports a later test enters (whether it did depended on how fast the tests before ran).
          PUBLIC_CACHE_S: '2',
          // No generated past: the e2e tests count the cases, tickets and alarms they make themselves.
          DEMO_HISTORY_DAYS: '0',
          SIM_DESK_WORKERS: 'false',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(
          () => reject(new Error(`server did not start in ${startTimeout / 1000} s\n${out}\n${err}`)),
          startTimeout,
        );
        child!.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = out.match(/running at (http:\/\/[^\s]+?)\/?\n/);
          const mqtt = out.match(/embedded broker at (mqtt:\/\/[^\s]+)/);
          if (m && mqtt) {
            clearTimeout(timer);
            server.mqttUrl = mqtt[1];
            resolve(m[1]);
          }
        });
        child!.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`server exited with ${code}\n${out}\n${err}`));
        });
      });
      server.url = url;
      port = Number(new URL(url).port);
    },
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
      });
      child = null;
    },
    async dispose() {
      await server.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (base && dbName) {
        const admin = postgres(base, { max: 1, onnotice: () => {} });
        await admin.unsafe(`drop database if exists ${dbName} with (force)`);
        await admin.end();
      }
    },
  };
  await server.start();
  return server;
}
