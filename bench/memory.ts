// Benchmark: server memory. (1) The embedded demo as `npm start` runs it (PGlite + PostGIS in a fresh
// DATA_DIR, embedded MQTT broker, simulator and desk workers, the demo past generated on first start),
// sampled for BENCH_MEMORY_MINUTES (10). (2) PostgreSQL with BENCH_SENSORS (500,000) sensors: after start,
// after one snapshot, with BENCH_CLIENTS (200) Socket.IO clients under a stream of changes. Each sample:
// RSS, V8 heap, external and ArrayBuffer memory, PGlite's WASM heap (bench/memory-probe.ts, preloaded into
// the server), and at the end a heap snapshot summarised by constructor (bench/heap-summary.ts). With
// BENCH_BASELINE=<git ref> the same runs are made on that commit first (a temporary worktree).
// Needs a production build (npm run build). Run: npm run bench:memory
//   BENCH_MEMORY_MINUTES=2 npm run bench:memory        a shorter embedded run
//   BENCH_MEMORY_PARTS=embedded|postgres               one part only
//   BENCH_BASELINE=main [BENCH_BASELINE_DIR=<built checkout of it>]
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { io } from 'socket.io-client';
import { summariseHeapSnapshot, type HeapSummary } from './heap-summary';
import type { MemorySample, ProbeReply } from './memory-probe';
import {
  buildBaseline,
  connectSensorClients,
  flipSensorStates,
  generateBenchCity,
  machine,
  mdGrid,
  root,
  sessionCookie,
  startBenchServer,
  throwAwayDatabase,
  writeSection,
  type BenchSocket,
} from './support';

const MINUTES = Number(process.env.BENCH_MEMORY_MINUTES ?? 10);
const SAMPLE_S = Number(process.env.BENCH_MEMORY_SAMPLE_S ?? 5);
const SENSORS = Number(process.env.BENCH_SENSORS ?? 500_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 200);
const FANOUT_SECONDS = Number(process.env.BENCH_FANOUT_SECONDS ?? 20);
const CHANGES_PER_SECOND = 500;
const BASELINE = process.env.BENCH_BASELINE ?? '';
/** An already built checkout of the baseline (instead of making a worktree at BENCH_BASELINE). */
const BASELINE_DIR = process.env.BENCH_BASELINE_DIR ?? '';
const PARTS = (process.env.BENCH_MEMORY_PARTS ?? 'embedded,postgres').split(',');
/** e.g. "MALLOC_ARENA_MAX=2": this build once more with these variables (space-separated NAME=value). */
const VARIANT_ENV = process.env.BENCH_MEMORY_VARIANT_ENV ?? '';
const PASSWORD = 'bench-password-1';
const SECTION = '## Server memory';
const PROBE = path.join(root, 'bench', 'memory-probe.ts');
const MB = 2 ** 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (v: number) => v.toFixed(0);

/** The server's resident set, MB, from /proc (what the targets are about). */
function rssMb(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Talks to bench/memory-probe.ts inside a server started with an IPC channel. */
function probeOf(child: ChildProcess) {
  let next = 0;
  const waiting = new Map<number, (r: ProbeReply) => void>();
  child.on('message', (m: ProbeReply) => {
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });
  const ask = <T extends ProbeReply>(req: { probe: 'sample' | 'gc' } | { probe: 'snapshot'; file: string }) =>
    new Promise<T>((resolve) => {
      const id = ++next;
      waiting.set(id, resolve as (r: ProbeReply) => void);
      child.send({ ...req, id });
    });
  return {
    /** RSS from /proc plus the probe's figures; a busy server answers late, so RSS is read on arrival. */
    async sample(): Promise<MemorySample> {
      const r = await ask<Extract<ProbeReply, { sample: MemorySample }>>({ probe: 'sample' });
      return { ...r.sample, rss: rssMb(child.pid!) };
    },
    /** The same after a full garbage collection. */
    async afterGc(): Promise<MemorySample> {
      const r = await ask<Extract<ProbeReply, { sample: MemorySample }>>({ probe: 'gc' });
      return { ...r.sample, rss: rssMb(child.pid!) };
    },
    async heapSummary(): Promise<HeapSummary> {
      const file = path.join(tmpdir(), `citynerve-memory-${child.pid}.heapsnapshot`);
      const r = await ask<Extract<ProbeReply, { probe: 'snapshot' }>>({ probe: 'snapshot', file });
      try {
        return summariseHeapSnapshot(r.file, 12);
      } finally {
        rmSync(r.file, { force: true });
      }
    },
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

interface Build {
  label: string;
  /** The checkout the server runs from. */
  root: string;
  /** Environment on top of the run's own (BENCH_MEMORY_VARIANT_ENV). */
  env?: Record<string, string>;
}

interface EmbeddedRun {
  readyS: number;
  peakRss: number;
  /** Samples at 1, 5 and 10 minutes (or the run's end) after the process started. */
  marks: { minute: number; sample: MemorySample }[];
  /** At the end, after a full collection. */
  collected: MemorySample;
  heap: HeapSummary;
}

/** The embedded demo in a fresh data folder, with `npm start`'s defaults, sampled for MINUTES. */
async function embedded(build: Build): Promise<EmbeddedRun> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'citynerve-bench-memory-'));
  const server: { child?: ChildProcess } = {};
  const samples: { t: number; s: MemorySample }[] = [];
  const t0 = Date.now();
  try {
    let ready = NaN;
    const started = startBenchServer(
      undefined,
      // '' = the setting's default: the simulator on, the demo past generated.
      { DATA_DIR: dataDir, SIM_ENABLED: '', DEMO_HISTORY_DAYS: '', ...build.env },
      { root: build.root, nodeArgs: ['--import', PROBE], ipc: true, onSpawn: (c) => (server.child = c) },
    ).then(
      () => (ready = (Date.now() - t0) / 1000),
      (err: Error) => err,
    );
    const child = server.child!;
    const probe = probeOf(child);
    const minutes = [1, 5, 10].filter((m) => m < MINUTES).concat(MINUTES);
    const marks: EmbeddedRun['marks'] = [];
    for (const minute of minutes) {
      while (Date.now() - t0 < minute * 60_000) {
        await sleep(Math.min(SAMPLE_S * 1000, Math.max(0, minute * 60_000 - (Date.now() - t0))));
        if (child.exitCode !== null) throw new Error(`the server stopped: ${String(await started)}`);
        samples.push({ t: (Date.now() - t0) / 1000, s: await probe.sample() });
        const last = samples[samples.length - 1];
        if (Math.round(last.t) % 60 < SAMPLE_S)
          console.log(`  ${build.label} ${last.t.toFixed(0)} s: RSS ${mb(last.s.rss)} MB`);
      }
      marks.push({ minute, sample: samples[samples.length - 1].s });
    }
    await started;
    const collected = await probe.afterGc();
    const heap = await probe.heapSummary();
    return { readyS: ready, peakRss: Math.max(...samples.map((x) => x.s.rss)), marks, collected, heap };
  } finally {
    if (server.child) await stop(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface PostgresRun {
  start: MemorySample;
  snapshot: MemorySample;
  clients: MemorySample;
  /** With the clients, after a full collection. */
  collected: MemorySample;
  heap: HeapSummary;
}

/** The server on PostgreSQL with the big city: after start, after one snapshot, with CLIENTS clients. */
async function onPostgres(build: Build, url: string, sql: postgres.Sql): Promise<PostgresRun> {
  const spawned: { child?: ChildProcess } = {};
  const clients: BenchSocket[] = [];
  try {
    const server = await startBenchServer(
      url,
      { DEMO_PASSWORD: PASSWORD, ...build.env },
      { root: build.root, nodeArgs: ['--import', PROBE], ipc: true, onSpawn: (c) => (spawned.child = c) },
    );
    const probe = probeOf(spawned.child!);
    await sleep(2000);
    const start = await probe.sample();
    const cookie = await sessionCookie(server.url, PASSWORD);
    // One client takes the whole city, as a browser does on first load.
    const first: BenchSocket = io(server.url, {
      transports: ['websocket'],
      extraHeaders: { cookie },
      reconnection: false,
    });
    clients.push(first);
    await new Promise<void>((resolve, reject) => {
      first.once('connect_error', reject);
      first.once('sensors:snapshot', () => resolve());
      first.once('connect', () => first.emit('sensors:subscribe', {}, () => {}));
    });
    await sleep(2000);
    const snapshot = await probe.sample();
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as { seq: number };
    const many = await connectSensorClients(server.url, cookie, CLIENTS, health.seq);
    clients.push(...many.clients);
    const ids = (await sql<{ id: number }[]>`select id from sensors order by random() limit 20000`).map(
      (r) => r.id,
    );
    await flipSensorStates(sql, ids, FANOUT_SECONDS, CHANGES_PER_SECOND);
    const withClients = await probe.sample();
    const collected = await probe.afterGc();
    const heap = await probe.heapSummary();
    return { start, snapshot, clients: withClients, collected, heap };
  } finally {
    for (const s of clients) s.close();
    if (spawned.child) await stop(spawned.child);
  }
}

const sampleCells = (s: MemorySample) => [
  `**${mb(s.rss)}**`,
  mb(s.heapUsed),
  mb(s.heapTotal),
  mb(s.external),
  mb(s.arrayBuffers),
  mb(s.wasm),
];
const SAMPLE_HEADER = ['RSS', 'heap used', 'heap total', 'external', 'ArrayBuffers', 'WASM memory'];

function heapTable(h: HeapSummary): string {
  return mdGrid(
    ['constructor', 'objects', 'self MB', 'retained MB'],
    h.groups.map((g) => [
      g.name.replace(/\|/g, '\\|'),
      String(g.count),
      (g.selfBytes / MB).toFixed(1),
      (g.retainedBytes / MB).toFixed(1),
    ]),
  );
}

async function main() {
  const started = machine();
  const builds: Build[] = [{ label: 'this build', root }];
  let baseline: { buildDir: string; remove(): void } | null = null;
  if (BASELINE_DIR) {
    builds.unshift({ label: `baseline ${BASELINE || path.basename(BASELINE_DIR)}`, root: BASELINE_DIR });
  } else if (BASELINE) {
    baseline = buildBaseline(BASELINE);
    builds.unshift({ label: `baseline ${BASELINE}`, root: path.dirname(baseline.buildDir) });
  }
  if (VARIANT_ENV)
    builds.push({
      label: `this build, ${VARIANT_ENV}`,
      root,
      env: Object.fromEntries(VARIANT_ENV.split(/\s+/).map((kv) => kv.split('=') as [string, string])),
    });
  const sections: string[] = [];
  try {
    if (PARTS.includes('embedded')) {
      const runs: { build: Build; run: EmbeddedRun }[] = [];
      for (const build of builds) {
        console.log(`embedded demo, ${build.label}, ${MINUTES} min …`);
        runs.push({ build, run: await embedded(build) });
      }
      const rows = runs.flatMap(({ build, run }) => [
        ...run.marks.map((m) => [build.label, `${m.minute} min`, ...sampleCells(m.sample)]),
        [build.label, `${MINUTES} min, after a full GC`, ...sampleCells(run.collected)],
        [build.label, 'peak RSS', `${mb(run.peakRss)}`, '', '', '', '', ''],
        [build.label, 'ready after (s)', run.readyS.toFixed(0), '', '', '', '', ''],
      ]);
      console.table(
        rows.map((r) => Object.fromEntries(['build', 'when', ...SAMPLE_HEADER].map((h, i) => [h, r[i]]))),
      );
      const mine = runs.find((r) => r.build.label === 'this build')!.run;
      sections.push(
        `### Embedded demo (target: RSS under 600 MB after 10 minutes)`,
        '',
        `\`npm start\`'s defaults in a fresh DATA_DIR: PGlite + PostGIS, embedded MQTT broker, simulator and desk workers, ` +
          `20,000 sensors and the demo past generated on first start; sampled every ${SAMPLE_S} s for ${MINUTES} minutes from the process start. MB.`,
        '',
        mdGrid(['build', 'when', ...SAMPLE_HEADER], rows),
        '',
        `Heap snapshot of this build at the end (${(mine.heap.totalBytes / MB).toFixed(0)} MB reachable, ` +
          `ArrayBuffer contents and the WASM heap included), top retainers by constructor:`,
        '',
        heapTable(mine.heap),
        '',
      );
    }
    if (PARTS.includes('postgres')) {
      const tmp = await throwAwayDatabase('citynerve_bench_memory');
      const sql = postgres(tmp.url, { max: 2, onnotice: () => {} });
      const runs: { build: Build; run: PostgresRun }[] = [];
      try {
        await generateBenchCity(tmp.url, SENSORS);
        for (const build of builds) {
          console.log(`PostgreSQL, ${build.label} …`);
          runs.push({ build, run: await onPostgres(build, tmp.url, sql) });
        }
      } finally {
        await sql.end();
        await tmp.drop();
      }
      const rows = runs.flatMap(({ build, run }) => [
        [build.label, 'after start', ...sampleCells(run.start)],
        [build.label, 'after one snapshot', ...sampleCells(run.snapshot)],
        [build.label, `${CLIENTS} clients, ${CHANGES_PER_SECOND} changes/s`, ...sampleCells(run.clients)],
        [build.label, `${CLIENTS} clients, after a full GC`, ...sampleCells(run.collected)],
      ]);
      console.table(
        rows.map((r) => Object.fromEntries(['build', 'when', ...SAMPLE_HEADER].map((h, i) => [h, r[i]]))),
      );
      const mine = runs.find((r) => r.build.label === 'this build')!.run;
      sections.push(
        `### PostgreSQL, ${SENSORS.toLocaleString('en-US')} sensors (target: RSS under 350 MB with ${CLIENTS} clients)`,
        '',
        `Simulator off; one client takes the snapshot of the whole city, then ${CLIENTS} clients resume and receive ` +
          `${CHANGES_PER_SECOND} changes/s for ${FANOUT_SECONDS} s. MB.`,
        '',
        mdGrid(['build', 'when', ...SAMPLE_HEADER], rows),
        '',
        `Heap snapshot of this build with the clients (${(mine.heap.totalBytes / MB).toFixed(0)} MB reachable), top retainers by constructor:`,
        '',
        heapTable(mine.heap),
        '',
      );
    }
  } finally {
    baseline?.remove();
  }
  const body = [
    SECTION,
    '',
    `\`npm run bench:memory\` — ${new Date().toISOString().slice(0, 10)}, ${started}.` +
      (builds.length > 1 ? ` ${builds[0].label}: run in the same session, same machine.` : ''),
    '',
    ...sections,
  ].join('\n');
  writeSection(SECTION, body);
  console.log(`\nWritten to docs/benchmarks.md (${SECTION}).`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
