// Benchmark: the live map at city scale on a real PostgreSQL + PostGIS with 500,000 sensors —
// snapshot bytes and time to first paint in Chromium, main-thread cost of a 5,000-sensor delta,
// 200 concurrent Socket.IO clients (server CPU, bytes per client per second), and server memory.
// Needs a production build (npm run build) and Chromium. Run: npm run bench:map
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chromium } from '@playwright/test';
import postgres from 'postgres';
import { io, type Socket } from 'socket.io-client';
import { migrate, openPostgres } from '../server/db/client';
import type { ClientToServerEvents, ServerToClientEvents } from '../src/lib/streams/contract';
import { generateDemoCity } from '../server/sim/generate-city';
import {
  machine,
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

const startServer = (databaseUrl: string) => startBenchServer(databaseUrl, { DEMO_PASSWORD: PASSWORD });

async function main() {
  const started = machine();
  const tmp = await throwAwayDatabase('citynerve_bench_map');
  const rows: [string, string][] = [];
  let server: { url: string; child: ChildProcess } | null = null;
  const sql = postgres(tmp.url, { max: 2, onnotice: () => {} });
  try {
    const db = await openPostgres(tmp.url);
    await migrate(db);
    console.log(`generating ${SENSORS.toLocaleString('en-US')} sensors …`);
    await generateDemoCity(db, { sensorCount: SENSORS, seed: 'bench' });
    await db.close();

    server = await startServer(tmp.url);
    const pid = server.child.pid!;
    await sleep(1000);
    rows.push(['server RSS after start, no clients (MB)', rssMb(pid).toFixed(0)]);

    // --- first paint in Chromium, snapshot bytes on the wire
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
        '--disable-background-networking',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const [name, value] = (await sessionCookie(server.url, PASSWORD)).split('=');
    await context.addCookies([{ name, value, url: server.url }]);
    const page = await context.newPage();
    let wsBytes = 0;
    page.on('websocket', (ws) =>
      ws.on(
        'framereceived',
        (f) => (wsBytes += typeof f.payload === 'string' ? f.payload.length : f.payload.byteLength),
      ),
    );
    const t0 = Date.now();
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => window.__citynerve?.ready() === true, null, {
      timeout: 180_000,
      polling: 100,
    });
    const firstPaintMs = Date.now() - t0;
    rows.push([
      'snapshot bytes on the wire (MB, all WebSocket frames until drawn)',
      (wsBytes / 2 ** 20).toFixed(2),
    ]);
    rows.push(['bytes per sensor', (wsBytes / SENSORS).toFixed(1)]);
    rows.push(['time to first paint in Chromium, software WebGL (s)', (firstPaintMs / 1000).toFixed(2)]);
    rows.push(['server RSS after one snapshot (MB)', rssMb(pid).toFixed(0)]);

    // --- main-thread cost of applying a delta of 5,000 changed sensors
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const metric = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      const get = (n: string) => metrics.find((m) => m.name === n)?.value ?? 0;
      return { script: get('ScriptDuration'), task: get('TaskDuration') };
    };
    const changed = await sql<{ sensor_id: number }[]>`
      select sensor_id from sensor_state where state = 0 order by sensor_id limit 5000`;
    const probe = changed[changed.length - 1].sensor_id;
    await sleep(1500);
    const before = await metric();
    const tUpdate = Date.now();
    await sql`update sensor_state set state = 1 where sensor_id = any(${changed.map((r) => r.sensor_id)}::int[])`;
    await page.waitForFunction((id) => window.__citynerve!.stateOf(id) === 1, probe, {
      polling: 20,
      timeout: 30_000,
    });
    const seenMs = Date.now() - tUpdate;
    await sleep(1500);
    const after = await metric();
    rows.push(['5,000-sensor delta: database commit → page state (ms)', String(seenMs)]);
    rows.push([
      '5,000-sensor delta: main-thread script time incl. redraw (ms)',
      ((after.script - before.script) * 1000).toFixed(0),
    ]);
    rows.push([
      '5,000-sensor delta: main-thread task time (ms)',
      ((after.task - before.task) * 1000).toFixed(0),
    ]);
    await browser.close();

    // --- 200 concurrent clients receiving deltas
    const cookie = await sessionCookie(server.url, PASSWORD);
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as { seq: number };
    const clients: Socket<ServerToClientEvents, ClientToServerEvents>[] = [];
    const bytes = new Array<number>(CLIENTS).fill(0);
    await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => {
        const s: Socket<ServerToClientEvents, ClientToServerEvents> = io(server!.url, {
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
            s.emit('sensors:subscribe', { sinceSeq: health.seq }, (ack) =>
              ack.ok ? resolve() : reject(ack),
            ),
          );
        });
      }),
    );
    // Count from here: the resume deltas of the subscriptions are not steady state.
    bytes.fill(0);
    const ids = (await sql<{ id: number }[]>`select id from sensors order by random() limit 20000`).map(
      (r) => r.id,
    );
    let flip = 0;
    const cpu0 = cpuSeconds(pid);
    const tStart = Date.now();
    while (Date.now() - tStart < FANOUT_SECONDS * 1000) {
      const batch = ids.slice((flip * 100) % ids.length, ((flip * 100) % ids.length) + 100);
      await sql`update sensor_state set state = ${flip % 2 ? 0 : 2} where sensor_id = any(${batch}::int[])`;
      flip++;
      await sleep(1000 / (CHANGES_PER_SECOND / 100));
    }
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
  }

  console.table(Object.fromEntries(rows));
  writeSection(
    SECTION,
    [
      SECTION,
      '',
      `\`npm run bench:map\` — ${new Date().toISOString().slice(0, 10)}, ${started}. ` +
        `${SENSORS.toLocaleString('en-US')} sensors on PostgreSQL + PostGIS, simulator off, Chromium with software WebGL (SwiftShader).`,
      '',
      mdTable(rows),
      '',
    ].join('\n'),
  );
  console.log(`\nWritten to docs/benchmarks.md (${SECTION}).`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
