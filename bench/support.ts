// Shared by the benchmarks: the machine description, throw-away databases, and writing a section of
// docs/benchmarks.md (a section is replaced by its own heading, the rest of the file is kept).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { migrate, openPostgres } from '../server/db/client';
import { generateDemoCity } from '../server/sim/generate-city';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../src/lib/streams/contract';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BENCH_BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Replaces the section with the same heading, or appends it, keeping the rest of the file. */
export function writeSection(
  heading: string,
  body: string,
  file = path.join(root, 'docs', 'benchmarks.md'),
): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = text.indexOf(heading);
  let out: string;
  if (start === -1) {
    out = `${text.trimEnd()}\n\n${body}`;
  } else {
    const next = text.indexOf('\n## ', start + heading.length);
    out = text.slice(0, start) + body + (next === -1 ? '' : text.slice(next + 1));
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, out.trimEnd() + '\n');
}

/** CPU, cores, memory, OS, Node, and the load average when the run started (the machine may be shared). */
export function machine(extra = ''): string {
  const cpu = os.cpus();
  return (
    `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, ` +
    `${os.type()} ${os.release()}, Node ${process.version}${extra ? `, ${extra}` : ''}, ` +
    `load average ${os.loadavg()[0].toFixed(1)} at start`
  );
}

/** Creates a database for one run; `drop()` removes it. */
export async function throwAwayDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}`;
  const admin = postgres(BENCH_BASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(BENCH_BASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** Migrates the (fresh) database at `url` and generates the demo city with `sensors` sensors into it. */
export async function generateBenchCity(url: string, sensors: number): Promise<void> {
  const db = await openPostgres(url);
  try {
    await migrate(db);
    console.log(`generating ${sensors.toLocaleString('en-US')} sensors …`);
    await generateDemoCity(db, { sensorCount: sensors, seed: 'bench' });
  } finally {
    await db.close();
  }
}

/** A markdown table from rows of [metric, value]. */
export function mdTable(rows: [string, string][]): string {
  return ['| metric | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

/** Signs in as the demo duty officer like the login form does and returns the session cookie. */
export async function sessionCookie(url: string, password: string): Promise<string> {
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url },
    body: new URLSearchParams({ username: 'officer', password }),
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('cn_session='));
  if (!cookie) throw new Error(`login failed: HTTP ${res.status}`);
  return cookie.split(';')[0];
}

/** Where and how startBenchServer runs the server. */
export interface BenchServerOptions {
  /** The checkout to run (a baseline worktree); this one by default. */
  root?: string;
  /** Node options before `server/index.ts` (after `--import tsx`). */
  nodeArgs?: string[];
  /** Opens an IPC channel to the server (bench/memory-probe.ts answers on it). */
  ipc?: boolean;
  /** Called as soon as the process exists, before it is ready. */
  onSpawn?: (child: ChildProcess) => void;
}

/**
 * Starts the production server (`server/index.ts`, simulator off, free ports) on a database (undefined:
 * the embedded one in DATA_DIR), with `env` on top; resolves with its URL once it prints its start-up
 * banner.
 */
export async function startBenchServer(
  databaseUrl: string | undefined,
  env: Record<string, string> = {},
  opts: BenchServerOptions = {},
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...(opts.nodeArgs ?? []), 'server/index.ts'], {
    cwd: opts.root ?? root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl ?? '',
      PORT: '0',
      SIM_ENABLED: 'false',
      LOG_LEVEL: 'warn',
      MQTT_EMBEDDED_PORT: '0',
      // The benches measure their own data; bench:start measures the generated past.
      DEMO_HISTORY_DAYS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit', ...(opts.ipc ? (['ipc'] as const) : [])],
  });
  opts.onSpawn?.(child);
  return { url: await bannerUrl(child), child };
}

/** The URL a starting server prints in its banner ("running at …"); rejects if it exits first. */
export function bannerUrl(child: ChildProcess): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.match(/running at (http:\/\/[^\s]+?)\/?\n/);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

export type BenchSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Opens `n` Socket.IO clients signed in with `cookie`, each subscribed to the sensor feed from `sinceSeq`
 * (a resume, as a reconnecting browser does); `bytes[i]` counts what client i receives.
 */
export async function connectSensorClients(
  url: string,
  cookie: string,
  n: number,
  sinceSeq: number,
): Promise<{ clients: BenchSocket[]; bytes: number[] }> {
  const clients: BenchSocket[] = [];
  const bytes = new Array<number>(n).fill(0);
  await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const s: BenchSocket = io(url, {
        transports: ['websocket'],
        extraHeaders: { cookie },
        reconnection: false,
      });
      clients.push(s);
      s.once('connect', () =>
        s.io.engine.on('packet', (p: { data?: unknown }) => {
          const d = p.data;
          bytes[i] +=
            typeof d === 'string'
              ? d.length
              : d instanceof ArrayBuffer || ArrayBuffer.isView(d)
                ? d.byteLength
                : 0;
        }),
      );
      return new Promise<void>((resolve, reject) => {
        s.once('connect_error', reject);
        s.once('connect', () =>
          s.emit('sensors:subscribe', { sinceSeq }, (ack) => (ack.ok ? resolve() : reject(ack))),
        );
      });
    }),
  );
  return { clients, bytes };
}

/** Flips the state of `ids`, `perSecond` changes a second in batches of 100, for `seconds`. */
export async function flipSensorStates(
  sql: postgres.Sql,
  ids: number[],
  seconds: number,
  perSecond: number,
): Promise<void> {
  let flip = 0;
  const tStart = Date.now();
  while (Date.now() - tStart < seconds * 1000) {
    const from = (flip * 100) % ids.length;
    const batch = ids.slice(from, from + 100);
    await sql`update sensor_state set state = ${flip % 2 ? 0 : 2} where sensor_id = any(${batch}::int[])`;
    flip++;
    await new Promise((r) => setTimeout(r, 1000 / (perSecond / 100)));
  }
}

/** A markdown table with a header row and any number of columns. */
export function mdGrid(header: string[], rows: string[][]): string {
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/**
 * The client build of an earlier commit, for measuring before and after in one run: a temporary git
 * worktree at `ref` (sharing this checkout's node_modules) and `vite build` in it. `remove()` deletes it.
 */
export function buildBaseline(ref: string): { buildDir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'citynerve-baseline-'));
  rmSync(dir, { recursive: true });
  execFileSync('git', ['worktree', 'add', '--detach', dir, ref], { cwd: root, stdio: 'inherit' });
  const remove = () => execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: root });
  try {
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    console.log(`building the client of ${ref} …`);
    execFileSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } catch (err) {
    remove();
    throw err;
  }
  return { buildDir: path.join(dir, 'build'), remove };
}
