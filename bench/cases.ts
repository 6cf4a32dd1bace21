// Benchmark: the duty officer's case list and the case page with 1,000,000 cases on a real PostgreSQL +
// PostGIS (3 events and 1 ticket per case), measured over HTTP against the production server: p50 / p95
// of GET /api/cases with the console's filters, and of GET /api/cases/:code.
// Needs a production build (npm run build). Run: npm run bench:cases
import type { ChildProcess } from 'node:child_process';
import postgres from 'postgres';
import { migrate, openPostgres } from '../server/db/client';
import { CATEGORIES } from '../server/domain/case-categories';
import { generateDemoCity } from '../server/sim/generate-city';
import {
  machine,
  mdTable,
  sessionCookie,
  throwAwayDatabase,
  writeSection,
  startBenchServer,
} from './support';

const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const PASSWORD = 'bench-password-1';
const SECTION = '## Case list and case page';

const startServer = (databaseUrl: string) => startBenchServer(databaseUrl, { DEMO_PASSWORD: PASSWORD });

/** 1M cases spread over a year, streets and categories, in every state, with tickets and events. */
async function seed(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const t0 = Date.now();
  const categories = CATEGORIES.map((c) => c.code);
  await sql.unsafe(`
    create temporary table cats as select * from unnest(array[${categories.map((c) => `'${c}'`).join(',')}]) with ordinality as x(code, n);
    create temporary table st as select s.id, row_number() over (order by s.id) as n, s.geom,
      (select d.id from departments d where d.kind = 'street_office' and d.street_id = s.id) as office
      from streets s;
    create temporary table deps as select id, row_number() over (order by id) as n from departments;
  `);
  const [{ ncat }] = await sql`select count(*)::int as ncat from cats`;
  const [{ nst }] = await sql`select count(*)::int as nst from st`;
  const [{ ndep }] = await sql`select count(*)::int as ndep from deps`;
  // States: mostly closed (history), a working set open.
  await sql.unsafe(`
    insert into cases (code, title, description, category, state, priority, source, triage, street_id, department_id,
                       geom, reports, dispatched_at, sign_due_at, signed_at, allowed_hours, due_soon_at, due_at,
                       resolved_at, rating, closed_at, created_at, updated_at)
    select 'GD-BENCH-' || g, '第 ' || g || ' 号诉求：' || c.code, '模拟诉求内容 ' || g, c.code,
           s.state, 1 + (g % 3), case when g % 10 = 0 then 'sensor' when g % 17 = 0 then 'open311' else 'hotline' end,
           s.state = 'received' and g % 2 = 0, st.id, d.id,
           ST_SetSRID(ST_MakePoint(121.39 + (g % 997) / 997.0 * 0.09, 31.11 + (g % 991) / 991.0 * 0.21), 4326),
           1 + (g % 50 = 0)::int,
           t + interval '10 minutes', t + interval '2 hours',
           case when s.state not in ('received','dispatched','returned') then t + interval '1 hour' end,
           24, t + interval '2 days', t + interval '3 days',
           case when s.state in ('resolved','called_back','rated','closed') then t + interval '2 days' end,
           case when s.state in ('rated','closed') then (array['satisfied','partly','unsatisfied'])[1 + g % 3] end,
           case when s.state = 'closed' then t + interval '4 days' end,
           t, t + interval '1 day'
    from generate_series(1, ${CASES}) g
    cross join lateral (select now() - (g::float / ${CASES}) * interval '365 days' as t) tt
    join cats c on c.n = 1 + g % ${ncat}
    join st on st.n = 1 + (g / 7) % ${nst}
    join deps d on d.n = 1 + (g / 3) % ${ndep}
    cross join lateral (select (array['closed','closed','closed','closed','closed','closed','rated','called_back','resolved',
                                      'in_progress','signed','dispatched','received','returned'])[1 + (g::bigint * 7919 % 14)::int] as state) s`);
  await sql.unsafe(`
    insert into hotline_tickets (received_at, channel, caller_name, caller_phone, text, address, geom, placement,
                                 street_id, case_id, source, category, token)
    select c.created_at, 'phone', '张**', '138****0000', c.description, '模拟地址', c.geom, 'point', c.street_id, c.id,
           'bench', c.category, 'bench-' || c.id
    from cases c`);
  await sql.unsafe(`
    insert into case_events (case_id, at, actor_role, action, from_state, to_state, note, data)
    select c.id, c.created_at, 'system', 'receive', null, 'received', null, '{}'::jsonb from cases c
    union all
    select c.id, c.created_at + interval '10 minutes', 'officer', 'dispatch', 'received', 'dispatched', null,
           json_build_object('departmentId', c.department_id)::jsonb from cases c
    union all
    select c.id, c.updated_at, 'staff', 'sign', 'dispatched', c.state, '已签收', '{}'::jsonb from cases c`);
  await sql.unsafe(`analyze cases; analyze case_events; analyze hotline_tickets;`);
  await sql.end();
  return Date.now() - t0;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function timed(url: string, cookie: string, paths: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const p of paths) {
    const t0 = performance.now();
    const res = await fetch(url + p, { headers: { cookie } });
    if (!res.ok) throw new Error(`${p}: HTTP ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    out.push(performance.now() - t0);
  }
  return out;
}

async function main() {
  const throwAway = await throwAwayDatabase('citynerve_bench_cases');
  let server: { url: string; child: ChildProcess } | null = null;
  try {
    const db = await openPostgres(throwAway.url);
    await migrate(db);
    await generateDemoCity(db, { sensorCount: 5000, seed: 'bench-cases' });
    await db.close();
    console.log(`seeding ${CASES.toLocaleString()} cases…`);
    const seedMs = await seed(throwAway.url);
    console.log(`seeded in ${(seedMs / 1000).toFixed(1)} s`);

    server = await startServer(throwAway.url);
    const cookie = await sessionCookie(server.url, PASSWORD);
    const sql = postgres(throwAway.url, { max: 1 });
    const streets = (await sql`select id from streets order by id`).map((r) => Number(r.id));
    const departments = (await sql`select id from departments order by id`).map((r) => Number(r.id));
    const codes = (await sql`select code from cases tablesample system (0.1) limit ${REQUESTS}`).map(
      (r) => r.code as string,
    );
    await sql.end();

    const pick = <T>(xs: readonly T[], i: number) => xs[(i * 7919) % xs.length];
    const FILTERS = [
      () => '',
      () => '?state=dispatched',
      () => '?deadline=overdue',
      () => '?deadline=due_soon',
      (i: number) => `?category=${pick(CATEGORIES, i).code}`,
      (i: number) => `?category=${pick(CATEGORIES, i).group}`,
      (i: number) => `?street=${pick(streets, i)}`,
      (i: number) => `?department=${pick(departments, i)}&state=signed`,
      () => '?triage=true',
      () => '?source=open311&state=in_progress',
      (i: number) => `?q=${pick(codes, i)}`,
      (i: number) => `?offset=${(i % 20) * 50}`,
    ];
    // Warm-up (connection pool, plans), then the measured runs.
    await timed(
      server.url,
      cookie,
      FILTERS.map((f, i) => `/api/cases${f(i)}`),
    );
    const listPaths = Array.from(
      { length: REQUESTS },
      (_, i) => `/api/cases${FILTERS[i % FILTERS.length](i)}`,
    );
    const list = await timed(server.url, cookie, listPaths);
    const byFilter = FILTERS.map((f, k) => {
      const xs = list.filter((_, i) => i % FILTERS.length === k);
      return [f(k) || '(no filter)', pct(xs, 95)] as const;
    });
    const page = await timed(
      server.url,
      cookie,
      codes.map((c) => `/api/cases/${c}`),
    );
    // Free-text title search has no index: a word no title contains is the worst case (a full scan).
    const titles = await timed(
      server.url,
      cookie,
      Array.from({ length: 20 }, () => `/api/cases?q=${encodeURIComponent('积水')}`),
    );
    const html = await timed(
      server.url,
      cookie,
      codes.slice(0, 100).map((c) => `/cases/${c}`),
    );

    const rows: [string, string][] = [
      [
        'cases / events / tickets',
        `${CASES.toLocaleString()} / ${(CASES * 3).toLocaleString()} / ${CASES.toLocaleString()}`,
      ],
      ['seeding', `${(seedMs / 1000).toFixed(0)} s`],
      [
        'case list GET /api/cases (50 rows, 12 filter mixes)',
        `p50 ${pct(list, 50).toFixed(1)} ms, p95 ${pct(list, 95).toFixed(1)} ms (${list.length} requests)`,
      ],
      [
        'case page GET /api/cases/:code',
        `p50 ${pct(page, 50).toFixed(1)} ms, p95 ${pct(page, 95).toFixed(1)} ms (${page.length} requests)`,
      ],
      [
        'case page HTML /cases/:code (server-rendered)',
        `p50 ${pct(html, 50).toFixed(1)} ms, p95 ${pct(html, 95).toFixed(1)} ms (${html.length} requests)`,
      ],
      [
        'title search ?q=<word no title has> (not in the mixes above)',
        `p50 ${pct(titles, 50).toFixed(1)} ms, p95 ${pct(titles, 95).toFixed(1)} ms (${titles.length} requests)`,
      ],
      ...byFilter.map(([f, p]) => [`list p95, ${f}`, `${p.toFixed(1)} ms`] as [string, string]),
    ];
    const table = mdTable(rows);
    console.log(table);
    writeSection(
      SECTION,
      `${SECTION}\n\n\`npm run bench:cases\` on ${machine('PostgreSQL 15 + PostGIS')}; sequential requests over HTTP to the production server, one duty officer session. Target: p95 under 100 ms for both.\n\n${table}\n`,
    );
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
