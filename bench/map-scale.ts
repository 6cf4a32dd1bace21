// Benchmark: the live map at city scale on a real PostgreSQL + PostGIS with 500,000 sensors —
// snapshot bytes and time to first paint in Chromium, main-thread cost of a 5,000-sensor delta,
// 200 concurrent Socket.IO clients (server CPU, bytes per client per second), and server memory.
// Needs a production build (npm run build) and Chromium. Run: npm run bench:map
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chromium, type Page } from '@playwright/test';
import { measureMapPage, type MapPageRun } from './map-browser';
import postgres from 'postgres';
import {
  buildBaseline,
  connectSensorClients,
  flipSensorStates,
  generateBenchCity,
  machine,
  mdGrid,
  mdTable,
  sessionCookie,
  throwAwayDatabase,
  writeSection,
  startBenchServer,
} from './support';

const SENSORS = Number(process.env.BENCH_SENSORS ?? 500_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 200);
const FANOUT_SECONDS = Number(process.env.BENCH_FANOUT_SECONDS ?? 20);
const CHANGES_PER_SECOND = 500;
/** Sensors in the single delta, and the steady stream the frame times are measured under. */
const DELTA_SIZE = Number(process.env.BENCH_DELTA ?? 5_000);
const STREAM_PER_SECOND = Number(process.env.BENCH_STREAM_PER_SECOND ?? 5_000);
const STREAM_SECONDS = Number(process.env.BENCH_STREAM_SECONDS ?? 10);
const STREAM_SENSORS = 20_000;
/** A git ref whose client build is measured beside this one (e.g. the commit before a change). */
const BASELINE = process.env.BENCH_BASELINE ?? '';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const SCREENS = [
  { label: 'console 1440×900', path: '/', viewport: { width: 1440, height: 900 } },
  // Paused (Space), as for a meeting: a rotating wall flies between scenes, and the flights would be
  // measured instead of the deltas.
  {
    label: 'wall 1920×1080, rotation paused',
    path: '/wall',
    viewport: { width: 1920, height: 1080 },
    settle: (page: Page) => page.keyboard.press('Space'),
  },
];
const PASSWORD = 'bench-password-1';
const SECTION = '## Live map at city scale';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const rssMb = (pid: number) => {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
};
/** CPU seconds (user + system) the process has used so far. */
const cpuSeconds = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const startServer = (databaseUrl: string, env: Record<string, string> = {}) =>
  startBenchServer(databaseUrl, { DEMO_PASSWORD: PASSWORD, ...env });

async function main() {
  const started = machine();
  const tmp = await throwAwayDatabase('citynerve_bench_map');
  const rows: [string, string][] = [];
  const runs: { build: string; screen: string; run: MapPageRun; wsBytes: number }[] = [];
  let baseline: { buildDir: string; remove(): void } | null = null;
  let server: { url: string; child: ChildProcess } | null = null;
  const sql = postgres(tmp.url, { max: 2, onnotice: () => {} });
  try {
    await generateBenchCity(tmp.url, SENSORS);

    server = await startServer(tmp.url);
    const pid = server.child.pid!;
    await sleep(1000);
    rows.push(['server RSS after start, no clients (MB)', rssMb(pid).toFixed(0)]);

    // --- the console and the wall in Chromium: first paint, one delta, frames while changes stream;
    // this build and (BENCH_BASELINE) an earlier one, each on a server of its own over the same database.
    const deltaIds = (
      await sql<{ sensor_id: number }[]>`
        select sensor_id from sensor_state where state = 0 order by sensor_id limit ${DELTA_SIZE}`
    ).map((r) => r.sensor_id);
    const streamIds = (
      await sql<{ sensor_id: number }[]>`
        select sensor_id from sensor_state where state = 0 and sensor_id > ${deltaIds[deltaIds.length - 1]}
        order by random() limit ${STREAM_SENSORS}`
    ).map((r) => r.sensor_id);
    const setStates = async (ids: number[], state: number) => {
      await sql`update sensor_state set state = ${state} where sensor_id = any(${ids}::int[])`;
    };
    const builds: { label: string; dir: string | null }[] = [{ label: 'this build', dir: null }];
    if (BASELINE) {
      baseline = buildBaseline(BASELINE);
      builds.unshift({ label: `baseline ${BASELINE}`, dir: baseline.buildDir });
    }
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
        '--disable-background-networking',
      ],
    });
    for (let round = 0; round < ROUNDS; round++) {
      for (const build of builds) {
        const own: { url: string; child: ChildProcess } = build.dir
          ? await startServer(tmp.url, { BUILD_DIR: build.dir })
          : server;
        try {
          for (const screen of SCREENS) {
            const context = await browser.newContext({ viewport: screen.viewport });
            const [name, value] = (await sessionCookie(own.url, PASSWORD)).split('=');
            await context.addCookies([{ name, value, url: own.url }]);
            let wsBytes = 0;
            context.on('page', (p) =>
              p.on('websocket', (ws) =>
                ws.on(
                  'framereceived',
                  (f) => (wsBytes += typeof f.payload === 'string' ? f.payload.length : f.payload.byteLength),
                ),
              ),
            );
            console.log(`${build.label}, ${screen.label}, round ${round + 1} …`);
            const run = await measureMapPage(context, {
              url: `${own.url}${screen.path}`,
              setStates,
              deltaIds,
              streamIds,
              perSecond: STREAM_PER_SECOND,
              streamSeconds: STREAM_SECONDS,
              windowMs: 3000,
              settle: 'settle' in screen ? screen.settle : undefined,
            });
            await context.close();
            runs.push({ build: build.label, screen: screen.label, run, wsBytes });
          }
        } finally {
          if (own !== server) {
            own.child.kill('SIGTERM');
            await new Promise((r) => own.child.once('exit', r));
          }
        }
      }
    }
    await browser.close();
    rows.push(['server RSS after the browser runs (MB)', rssMb(pid).toFixed(0)]);

    // --- 200 concurrent clients receiving deltas
    const cookie = await sessionCookie(server.url, PASSWORD);
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as { seq: number };
    const { clients, bytes } = await connectSensorClients(server.url, cookie, CLIENTS, health.seq);
    // Count from here: the resume deltas of the subscriptions are not steady state.
    bytes.fill(0);
    const ids = (await sql<{ id: number }[]>`select id from sensors order by random() limit 20000`).map(
      (r) => r.id,
    );
    const cpu0 = cpuSeconds(pid);
    const tStart = Date.now();
    await flipSensorStates(sql, ids, FANOUT_SECONDS, CHANGES_PER_SECOND);
    const elapsed = (Date.now() - tStart) / 1000;
    const cpu = (cpuSeconds(pid) - cpu0) / elapsed;
    const perClient = bytes.reduce((a, b) => a + b, 0) / CLIENTS / elapsed;
    rows.push([
      `${CLIENTS} clients, ${CHANGES_PER_SECOND} changes/s: server CPU (% of one core)`,
      (cpu * 100).toFixed(0),
    ]);
    rows.push([`${CLIENTS} clients: bytes per client per second`, perClient.toFixed(0)]);
    rows.push([`server RSS with ${CLIENTS} clients (MB)`, rssMb(pid).toFixed(0)]);
    for (const s of clients) s.close();
  } finally {
    await sql.end();
    if (server) {
      server.child.kill('SIGTERM');
      await new Promise((r) => server!.child.once('exit', r));
    }
    await tmp.drop();
    baseline?.remove();
  }

  // One column per build and screen (the median of the rounds), one row per measure.
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const columns = [...new Set(runs.map((r) => `${r.build}, ${r.screen}`))];
  const of = (col: string) => runs.filter((r) => `${r.build}, ${r.screen}` === col);
  const measures: [string, (r: (typeof runs)[number]) => number, number][] = [
    // label, value, digits
    ['first paint (s)', (r) => r.run.firstPaintMs / 1000, 2],
    ['… snapshot received (s after navigation)', (r) => (r.run.marks.snapshot ?? NaN) / 1000, 2],
    ['… first layers built (s)', (r) => (r.run.marks['map-layers'] ?? NaN) / 1000, 2],
    ['… first drawn (s)', (r) => (r.run.marks['map-drawn'] ?? NaN) / 1000, 2],
    ['WebSocket bytes received (MB)', (r) => r.wsBytes / 2 ** 20, 2],
    [
      `${DELTA_SIZE.toLocaleString('en-US')}-sensor delta: commit → page state (ms)`,
      (r) => r.run.deltaSeenMs,
      0,
    ],
    ['… main-thread script time (ms)', (r) => r.run.deltaScriptMs, 1],
    ['… main-thread task time (ms)', (r) => r.run.deltaTaskMs, 1],
    ['… of which decoding and applying it to the page table (ms)', (r) => r.run.deltaMs, 1],
    ['… of which handing the new layer arrays to deck.gl (ms)', (r) => r.run.handOverMs, 1],
    ['… layer worker time, off the main thread (ms)', (r) => r.run.workerMs, 1],
    [
      `frames while ${STREAM_PER_SECOND.toLocaleString('en-US')} changes/s stream: p50 (ms)`,
      (r) => r.run.frames.p50,
      1,
    ],
    ['… p95 (ms)', (r) => r.run.frames.p95, 1],
    ['… longest (ms)', (r) => r.run.frames.max, 0],
    ['… main-thread task time (ms per s)', (r) => r.run.streamTaskMsPerS, 0],
    ['… busy (trace): page main thread (ms per s)', (r) => r.run.busyMsPerS.main, 0],
    ['… busy (trace): layer worker (ms per s)', (r) => r.run.busyMsPerS.worker, 0],
    ['… busy (trace): GPU process, software WebGL + compositor (ms per s)', (r) => r.run.busyMsPerS.gpu, 0],
  ];
  const grid = measures.map(([label, get, digits]) => [
    label,
    ...columns.map((c) => {
      const v = median(of(c).map(get));
      return Number.isFinite(v) ? v.toFixed(digits) : '–';
    }),
  ]);
  console.table(Object.fromEntries(grid.map(([label, ...v]) => [label, v.join(' | ')])));
  console.log(columns.join(' | '));
  console.table(Object.fromEntries(rows));

  // Targets (issue 17) for this build, and a regression against the baseline, said loudly.
  const problems: string[] = [];
  for (const screen of SCREENS) {
    const mine = runs.filter((r) => r.build === 'this build' && r.screen === screen.label);
    if (mine.length === 0) continue;
    const paint = median(mine.map((r) => r.run.firstPaintMs));
    const delta = median(mine.map((r) => r.run.deltaTaskMs));
    const p95 = median(mine.map((r) => r.run.frames.p95));
    if (paint > 2500) problems.push(`${screen.label}: first paint ${(paint / 1000).toFixed(2)} s > 2.5 s`);
    if (delta > 8) problems.push(`${screen.label}: delta main-thread task ${delta.toFixed(1)} ms > 8 ms`);
    if (p95 > 20) problems.push(`${screen.label}: frame p95 ${p95.toFixed(1)} ms > 20 ms`);
    const base = runs.filter((r) => r.build !== 'this build' && r.screen === screen.label);
    if (base.length) {
      const bDelta = median(base.map((r) => r.run.deltaTaskMs));
      const bPaint = median(base.map((r) => r.run.firstPaintMs));
      // (A negative figure means the idle window was busier than the delta's: too noisy to compare.)
      if (bDelta > 0 && delta > bDelta * 1.1 + 2)
        problems.push(`REGRESSION ${screen.label}: delta ${delta.toFixed(1)} ms vs ${bDelta.toFixed(1)} ms`);
      if (paint > bPaint * 1.1 + 200)
        problems.push(`REGRESSION ${screen.label}: first paint ${paint} ms vs ${bPaint} ms`);
    }
  }
  for (const p of problems) console.error(`!! ${p}`);

  writeSection(
    SECTION,
    [
      SECTION,
      '',
      `\`npm run bench:map\` — ${new Date().toISOString().slice(0, 10)}, ${started}. ` +
        `${SENSORS.toLocaleString('en-US')} sensors on PostgreSQL + PostGIS, simulator off, Chromium with software WebGL (SwiftShader)` +
        `${ROUNDS > 1 ? `, median of ${ROUNDS} rounds` : ''}.`,
      '',
      'Method. Each column opens the page in a fresh browser context signed in as the duty officer. First paint:',
      'navigation until the page reports the snapshot drawn, split by its user-timing marks. One delta:',
      `${DELTA_SIZE.toLocaleString('en-US')} normal sensors turned to warning in sensor_state; the page itself waits (one check per`,
      'animation frame) until its table has them and the map has drawn them; the main-thread cost is the CDP',
      'Performance metrics from the commit until then, less the idle rate of the 3 s just before. The page also',
      'times its own parts (apply to its table, hand the new arrays to deck.gl) and the layer worker its answer.',
      `Stream: ${STREAM_PER_SECOND.toLocaleString('en-US')} changes/s for ${STREAM_SECONDS} s (every 100 ms half a batch turns to alarm and the previous`,
      'half back to normal, so the alarms on the map stay few) while requestAnimationFrame records frame',
      'intervals and a trace (category toplevel) sums the busy time of the page main thread, its workers and',
      "the GPU process's main thread. The wall is measured with its rotation paused (Space), as in a meeting.",
      'A baseline column is the client of an earlier commit (BENCH_BASELINE, built in a temporary worktree)',
      'served by this server over the same database, in the same run.',
      '',
      'Reading it. With software WebGL the frame times are set by the GPU process, not by the page: in the',
      "trace almost all of its time is the display compositor's SwapBuffers (SwiftShader drawing and",
      'presenting the two WebGL canvases and the page), close to 1,000 ms per second whenever the map redraws',
      'several times a second, for either build; the page main thread is busy a tenth of that. A negative',
      'delta figure means the idle window before it was busier than the delta itself (too noisy to read).',
      '',
      mdGrid(['measure', ...columns], grid),
      '',
      'Server side (this build):',
      '',
      mdTable(rows),
      '',
      ...(problems.length ? ['Targets missed in this run:', '', ...problems.map((p) => `- ${p}`), ''] : []),
      '',
    ].join('\n'),
  );
  console.log(`\nWritten to docs/benchmarks.md (${SECTION}).`);
  if (problems.some((p) => p.startsWith('REGRESSION'))) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
