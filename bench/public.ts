// Benchmark: the public transparency API under load. A year of reports and cases on a real PostgreSQL +
// PostGIS, the production server, and a load generator in this process: first paced at the target rate
// (500 req/s) over GET /api/public/summary and /api/public/cells for 20 s, then unpaced for 10 s to see the
// ceiling. Reports achieved req/s, p50 / p99 latency and errors.
// Needs a production build in BUILD_DIR (default build-public): BUILD_DIR=build-public npx vite build.
// Run: npm run bench:public
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import postgres from 'postgres';
import { migrate, openPostgres } from '../server/db/client';
import { generateDemoCity } from '../server/sim/generate-city';
import { machine, mdTable, root, throwAwayDatabase, writeSection, startBenchServer } from './support';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 200_000);
const TARGET = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 64);
const BUILD_DIR = process.env.BUILD_DIR ?? 'build-public';
const PATHS = ['/api/public/summary', '/api/public/cells'];
const SECTION = '## Public view';

const startServer = (databaseUrl: string) =>
  startBenchServer(databaseUrl, {
    BUILD_DIR,
    // One client makes every request here: lift the per-client limit for the run.
    PUBLIC_RATE_PER_MIN: '1000000',
  });

/** A year of tickets (with personal fields filled) and one case per ticket, spread over streets. */
async function seed(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const t0 = Date.now();
  await sql.unsafe(`
    create temporary table st as select s.id, row_number() over (order by s.id) as n,
      ST_X(ST_PointOnSurface(s.geom)) as lon, ST_Y(ST_PointOnSurface(s.geom)) as lat from streets s;
    create temporary table deps as select id, row_number() over (order by id) as n from departments;
    insert into cases (code, title, description, category, state, street_id, department_id, geom, created_at,
                       due_at, resolved_at, rating, updated_at)
    select 'GD-PUB-' || g, '模拟诉求 ' || g, '模拟诉求内容 ' || g,
           (array['city.sanitation','transport.parking','environment.noise','construction.roads','market.consumer',
                  'health.medical','labour.wages','utilities.drainage'])[1 + g % 8],
           case when g % 4 = 0 then 'dispatched' else 'closed' end, st.id, d.id,
           ST_SetSRID(ST_MakePoint(st.lon + ((g::bigint * 7919) % 200 - 100) / 10000.0,
                                   st.lat + ((g::bigint * 104729) % 200 - 100) / 10000.0), 4326),
           now() - (g::float / ${TICKETS}) * interval '365 days',
           now() - (g::float / ${TICKETS}) * interval '365 days' + interval '3 days',
           case when g % 4 <> 0 then now() - (g::float / ${TICKETS}) * interval '365 days' + interval '2 days' + (g % 3) * interval '1 day' end,
           case when g % 4 <> 0 then (array['satisfied','partly','unsatisfied'])[1 + g % 3] end,
           now()
    from generate_series(1, ${TICKETS}) g
    join st on st.n = 1 + g % (select count(*) from st)
    join deps d on d.n = 1 + (g / 3) % (select count(*) from deps);
    insert into hotline_tickets (received_at, channel, caller_name, caller_phone, text, address, geom, placement,
                                 street_id, case_id, source, category)
    select c.created_at, 'phone', '张某', '13800000000', c.description, '模拟地址', c.geom, 'point', c.street_id,
           c.id, 'bench', c.category
    from cases c;
    analyze cases; analyze hotline_tickets;`);
  await sql.end();
  return Date.now() - t0;
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

interface RunResult {
  requests: number;
  errors: number;
  seconds: number;
  latencies: number[];
}

/**
 * N workers share one schedule: request i is due at start + i / rate (no schedule when rate is 0). A worker
 * takes the next index, waits until it is due, sends it and waits for the whole body (closed loop).
 */
async function run(base: string, rate: number, seconds: number, workers: number): Promise<RunResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: workers });
  const u = new URL(base);
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  const get = (p: string) =>
    new Promise<number>((resolve) => {
      const req = http.get({ host: u.hostname, port: u.port, path: p, agent }, (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
    });
  async function worker() {
    for (;;) {
      const i = next++;
      const due = rate > 0 ? start + (i * 1000) / rate : performance.now();
      if (due >= end) return;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const t0 = performance.now();
      const status = await get(PATHS[i % PATHS.length]);
      latencies.push(performance.now() - t0);
      if (status !== 200) errors++;
    }
  }
  await Promise.all(Array.from({ length: workers }, worker));
  agent.destroy();
  return { requests: latencies.length, errors, seconds: (performance.now() - start) / 1000, latencies };
}

const describe = (r: RunResult) =>
  `${(r.requests / r.seconds).toFixed(0)} req/s (${r.requests.toLocaleString()} requests), ` +
  `p50 ${pct(r.latencies, 50).toFixed(1)} ms, p99 ${pct(r.latencies, 99).toFixed(1)} ms, ${r.errors} errors`;

async function main() {
  if (!existsSync(path.join(root, BUILD_DIR, 'handler.js')))
    throw new Error(`No production build in ${BUILD_DIR}: run BUILD_DIR=${BUILD_DIR} npx vite build first.`);
  const throwAway = await throwAwayDatabase('citynerve_bench_public');
  let server: { url: string; child: ChildProcess } | null = null;
  try {
    const db = await openPostgres(throwAway.url);
    await migrate(db);
    await generateDemoCity(db, { sensorCount: 2000, seed: 'bench-public' });
    await db.close();
    console.log(`seeding ${TICKETS.toLocaleString()} tickets and cases…`);
    const seedMs = await seed(throwAway.url);
    console.log(`seeded in ${(seedMs / 1000).toFixed(1)} s`);

    server = await startServer(throwAway.url);
    // Cold: the first request of each dataset computes it from the database.
    const cold: string[] = [];
    for (const p of PATHS) {
      const t0 = performance.now();
      const res = await fetch(server.url + p);
      const body = await res.text();
      if (!res.ok) throw new Error(`${p}: HTTP ${res.status} ${body}`);
      cold.push(`${p} ${(performance.now() - t0).toFixed(0)} ms`);
    }
    const paced = await run(server.url, TARGET, SECONDS, WORKERS);
    console.log(`paced at ${TARGET}/s: ${describe(paced)}`);
    const unpaced = await run(server.url, 0, 10, WORKERS);
    console.log(`unpaced: ${describe(unpaced)}`);

    const rows: [string, string][] = [
      ['tickets / cases (last 365 days)', `${TICKETS.toLocaleString()} / ${TICKETS.toLocaleString()}`],
      ['first request, cache cold', cold.join('; ')],
      [`paced at ${TARGET} req/s for ${SECONDS} s, ${WORKERS} connections`, describe(paced)],
      [`unpaced for 10 s, ${WORKERS} connections (ceiling)`, describe(unpaced)],
    ];
    const table = mdTable(rows);
    console.log(table);
    writeSection(
      SECTION,
      `${SECTION}\n\n\`npm run bench:public\` on ${machine('PostgreSQL + PostGIS')}. The production server and the load generator (node:http, keep-alive) share the machine; requests alternate GET /api/public/summary and /api/public/cells (1000 m cells, 90 days), with the per-client rate limit lifted. Datasets are cached in memory for PUBLIC_CACHE_S (300 s), so after the first request the database is not touched. Target: 500 req/s with no errors.\n\n${table}\n`,
    );
    if (paced.errors > 0 || paced.requests / paced.seconds < TARGET * 0.95) process.exitCode = 1;
  } finally {
    server?.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await throwAway.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
