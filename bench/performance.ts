// Benchmark: department KPIs and scores for 12 months over 1,000,000 cases on a real PostgreSQL + PostGIS.
// Seeds cases with realistic event sequences (receive, dispatch, sign, resolve, call-back, rate; some
// signed or resolved late, returned and dispatched again, extended, reopened after an unsatisfied rating,
// left open; a tenth sensor-born with an acknowledged alarm), then times the service computing every
// unit's KPIs and score for each of the 12 months from the events. Target: under 5 s.
// Run: npm run bench:performance (BENCH_CASES to change the size).
import postgres from 'postgres';
import { migrate, openPostgres } from '../server/db/client';
import { performanceRepository } from '../server/db/repositories/performance.repository';
import { addMonths, computeKpis, monthBounds, monthOf } from '../server/domain/kpis';
import { DEFAULT_SCHEME, score } from '../server/domain/scoring';
import { defaultCalendar } from '../server/domain/work-calendar';
import { generateDemoCity } from '../server/sim/generate-city';
import { performanceService } from '../server/services/performance.service';
import { machine, mdTable, throwAwayDatabase, writeSection } from './support';

const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);
const SECTION = '## Department performance';

/** Cases spread evenly over [from, to), with their events and alarms; returns the number of events. */
async function seed(url: string, from: Date, to: Date): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const span = (to.getTime() - from.getTime()) / 1000 - 10 * 86_400; // leave room for the last cases' events
  await sql.unsafe(`
    create temporary table deps as
      select id, row_number() over (order by id) - 1 as n from departments where kind <> 'service_center';
    create temporary table sens as select id, row_number() over (order by id) - 1 as n from sensors;`);
  const [{ ndep }] = await sql`select count(*)::int as ndep from deps`;
  const [{ nsens }] = await sql`select count(*)::int as nsens from sens`;
  // One row per case with every instant of its story; the flags come from cheap hashes of the case number.
  await sql.unsafe(`
    create unlogged table plan as
    with base as (
      select g as id,
             timestamptz '${from.toISOString()}' + (g::float8 / ${CASES} * ${span}) * interval '1 second' as t0,
             (g::bigint * 2654435761 % 1000)::int as h, (g::bigint * 40503 % 1000)::int as h2,
             (g::bigint * 7919 % 1000)::int as h3,
             (g % ${ndep})::int as dn
      from generate_series(1, ${CASES}) g
    ), s1 as (
      select b.*, d1.id as d1, d2.id as d2,
             b.t0 + interval '5 minutes' as disp1,
             b.h < 30 as ret, b.h < 15 as unjust
      from base b join deps d1 on d1.n = b.dn join deps d2 on d2.n = (b.dn + 1) % ${ndep}
    ), s2 as (
      select s1.*,
             case when ret then disp1 + interval '30 minutes' end as ret_at,
             case when ret then disp1 + interval '1 hour' end as disp2,
             case when ret and not unjust then d2 else d1 end as dep,
             coalesce(case when ret then disp1 + interval '1 hour' end, disp1) as hold_start
      from s1
    ), s3 as (
      select s2.*,
             hold_start + case when h % 20 = 0 then interval '3 hours' else interval '40 minutes' end as sign_at,
             hold_start + interval '2 hours' as sign_due,
             h2 < 50 as ext, h2 < 40 as ext_ok,
             h3 < 30 as unresolved, h3 >= 30 and h3 < 110 as late,
             h3 % 10 < 7 as rated,
             case when h % 20 < 15 then 'satisfied' when h % 20 < 18 then 'partly' else 'unsatisfied' end as rating
      from s2
    )
    select s3.*,
           sign_at + interval '3 days' as due,
           case when ext_ok then sign_at + interval '5 days' else sign_at + interval '3 days' end as due_final,
           sign_at + interval '1 day' as ext_req_at, sign_at + interval '25 hours' as ext_dec_at,
           case when unresolved then null
                when late then sign_at + interval '4 days'
                else sign_at + interval '20 hours' + (h3 || ' minutes')::interval end as resolve_at,
           rated and not unresolved and rating = 'unsatisfied' and h2 % 2 = 0 as reopen
    from s3;
    alter table plan add primary key (id);`);
  await sql.unsafe(`
    insert into cases (id, code, title, category, state, priority, source, department_id, created_at, updated_at)
    select id, 'PF-' || id, '性能基准诉求 ' || id, 'city.sanitation',
           case when unresolved then 'signed' when reopen then 'resolved' when rated then 'rated' else 'resolved' end,
           2, case when id % 10 = 0 then 'sensor' else 'hotline' end, dep, t0,
           case when unresolved then sign_at when reopen then resolve_at + interval '3 days'
                when rated then resolve_at + interval '1 day' else resolve_at end
    from plan;
    select setval(pg_get_serial_sequence('cases', 'id'), (select max(id) from cases));`);
  const iso = (col: string) => `to_char((${col}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  await sql.unsafe(`
    insert into case_events (case_id, at, actor_role, action, from_state, to_state, data)
    select id, at, role, action, fs, ts, data from (
      select id, t0 as at, 'officer' as role, 'receive' as action, null as fs, 'received' as ts,
             jsonb_build_object('category', 'city.sanitation', 'priority', 2) as data, 1 as k from plan
      union all
      select id, disp1, 'officer', 'dispatch', 'received', 'dispatched',
             jsonb_build_object('departmentId', d1, 'signDueAt', ${iso("disp1 + interval '2 hours'")}), 2 from plan
      union all
      select id, ret_at, 'staff', 'return', 'dispatched', 'returned', jsonb_build_object('departmentId', d1), 3
      from plan where ret
      union all
      select id, disp2, 'officer', 'dispatch', 'returned', 'dispatched',
             jsonb_build_object('departmentId', dep, 'signDueAt', ${iso('sign_due')}), 4 from plan where ret
      union all
      select id, sign_at, 'staff', 'sign', 'dispatched', 'signed',
             jsonb_build_object('allowedHours', 24, 'dueAt', ${iso('due')}), 5 from plan
      union all
      select id, ext_req_at, 'staff', 'request_extension', 'signed', 'signed', jsonb_build_object('hours', 16), 6
      from plan where ext
      union all
      select id, ext_dec_at, 'officer', 'decide_extension', 'signed', 'signed',
             case when ext_ok then jsonb_build_object('approved', true, 'hours', 16, 'allowedHours', 40, 'dueAt', ${iso('due_final')})
                  else jsonb_build_object('approved', false, 'hours', 16) end, 7
      from plan where ext
      union all
      select id, resolve_at, 'staff', 'resolve', 'signed', 'resolved', '{}'::jsonb, 8 from plan where not unresolved
      union all
      select id, resolve_at + interval '20 hours', 'officer', 'call_back', 'resolved', 'called_back', '{}'::jsonb, 9
      from plan where rated and not unresolved
      union all
      select id, resolve_at + interval '1 day', 'officer', 'rate', 'called_back', 'rated',
             jsonb_build_object('rating', rating), 10 from plan where rated and not unresolved
      union all
      select id, resolve_at + interval '25 hours', 'officer', 'reopen', 'rated', 'dispatched',
             jsonb_build_object('departmentId', dep, 'signDueAt', ${iso("resolve_at + interval '27 hours'")}), 11
      from plan where reopen
      union all
      select id, resolve_at + interval '26 hours', 'staff', 'sign', 'dispatched', 'signed',
             jsonb_build_object('allowedHours', 24, 'dueAt', ${iso("resolve_at + interval '5 days'")}), 12
      from plan where reopen
      union all
      select id, resolve_at + interval '3 days', 'staff', 'resolve', 'signed', 'resolved', '{}'::jsonb, 13
      from plan where reopen
    ) e order by id, k;
    insert into alarms (sensor_id, rule_id, severity, status, opened_at, last_seen_at, acknowledged_at, cleared_at, case_id)
    select s.id, 'bench.rule', 2, 'cleared', p.t0 - interval '10 minutes', p.t0, p.t0 + (p.h % 30 || ' minutes')::interval,
           p.t0 + interval '1 day', p.id
    from plan p join sens s on s.n = (p.id / 10) % ${nsens} where p.id % 10 = 0;
    drop table plan;
    analyze cases; analyze case_events; analyze alarms;`);
  const [{ n }] = await sql`select count(*)::int as n from case_events`;
  await sql.end();
  return n;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
  const throwAway = await throwAwayDatabase('citynerve_bench_perf');
  try {
    const setup = await openPostgres(throwAway.url, { max: 1 });
    await migrate(setup);
    await generateDemoCity(setup, { sensorCount: 2000, seed: 'bench-performance' });
    await setup.close();

    const now = new Date();
    const last = addMonths(monthOf(now), -1);
    const months = Array.from({ length: 12 }, (_, i) => addMonths(last, i - 11));
    const from = new Date(monthBounds(months[0]).from);
    const to = new Date(monthBounds(last).to);
    console.log(`seeding ${CASES.toLocaleString()} cases over ${months[0]} … ${last}…`);
    const t0 = performance.now();
    const events = await seed(throwAway.url, from, to);
    const seedMs = performance.now() - t0;
    console.log(`seeded ${events.toLocaleString()} events in ${seconds(seedMs)}`);

    const db = await openPostgres(throwAway.url, { max: 4 });
    const repo = performanceRepository(db);
    const calendar = defaultCalendar();
    const units = (await repo.units()).filter((u) => u.kind !== 'service_center');
    const scheme = (await performanceService({ repo, calendar }).schemeOf(undefined)) as {
      ok: true;
      value: typeof DEFAULT_SCHEME;
    };

    // Warm-up: plans and caches, as a running server would have them.
    await performanceService({ repo, calendar }).compute([last], scheme.value, now, units);

    const runs: Record<string, number[]> = { one: [], two: [] };
    let holdingCount = 0;
    for (let i = 0; i < 3; i++) {
      for (const [key, parallel] of [
        ['one', 1],
        ['two', 2],
      ] as const) {
        const t = performance.now();
        const all = await performanceService({ repo, calendar, parallel }).compute(
          months,
          scheme.value,
          now,
          units,
        );
        runs[key].push(performance.now() - t);
        if (all.size !== 12) throw new Error('expected 12 months');
      }
    }
    // The parts of one single-query run.
    let t = performance.now();
    const holdings = await repo.holdings(from, to);
    const sqlMs = performance.now() - t;
    holdingCount = holdings.length;
    t = performance.now();
    const kpis = computeKpis(holdings, months, { asOf: now, calendar });
    const kpiMs = performance.now() - t;
    t = performance.now();
    let scored = 0;
    for (const m of months)
      for (const u of units) {
        const k = kpis.get(m)!.get(u.departmentId);
        if (k) {
          score(k, scheme.value);
          scored++;
        }
      }
    const scoreMs = performance.now() - t;
    // Storing: every unit's month as a snapshot (KPIs with case ids, explained score).
    const service = performanceService({ repo, calendar, parallel: 2 });
    const all = await service.compute(months, scheme.value, now, units);
    t = performance.now();
    for (const m of months)
      await repo.saveSnapshots(
        scheme.value.id!,
        m,
        [...all.get(m)!].map(([departmentId, um]) => ({ departmentId, kpis: um.kpis, score: um.score })),
        now,
      );
    const storeMs = performance.now() - t;
    t = performance.now();
    const ranking = await service.ranking(last, undefined, now);
    const rankingMs = performance.now() - t;
    if (!ranking.ok) throw new Error(ranking.message);
    const received = ranking.value.units.reduce((s, u) => s + u.kpis.counts.received, 0);
    await db.close();

    const best = (xs: number[]) => Math.min(...xs);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const rows: [string, string][] = [
      [
        'cases / events / unit-holdings',
        `${CASES.toLocaleString()} / ${events.toLocaleString()} / ${holdingCount.toLocaleString()}`,
      ],
      ['units scored × months', `${units.length} × 12`],
      ['seeding', seconds(seedMs)],
      [
        '**KPIs + scores, all units, 12 months, one query** (median of 3 / best)',
        `**${seconds(median(runs.one))}** / ${seconds(best(runs.one))}`,
      ],
      [
        '**same, split over 2 connections** (median of 3 / best)',
        `**${seconds(median(runs.two))}** / ${seconds(best(runs.two))}`,
      ],
      ['… of which SQL holdings query incl. transfer (one query)', seconds(sqlMs)],
      ['… of which KPIs in the domain (computeKpis)', seconds(kpiMs)],
      [`… of which scoring (${scored} unit-months)`, `${scoreMs.toFixed(1)} ms`],
      ['storing 12 months of snapshots (with case ids)', seconds(storeMs)],
      [
        `GET /api/performance ranking for ${last} (13 months: this, last, same month last year, YTD)`,
        seconds(rankingMs),
      ],
      [`cases received in ${last} (all units)`, received.toLocaleString()],
    ];
    const table = mdTable(rows);
    console.log(table);
    writeSection(
      SECTION,
      `${SECTION}\n\n\`npm run bench:performance\` — ${now.toISOString().slice(0, 10)}, ${machine('PostgreSQL 15 + PostGIS')}. ` +
        `${CASES.toLocaleString()} cases over the 12 months ${months[0]} … ${last} with realistic event sequences ` +
        `(3 % returned, half of those sent back to the same unit; 5 % signed late; 8 % resolved late; 5 % extended; ` +
        `3 % left open; 70 % rated, a tenth unsatisfied, half of those reopened; a tenth sensor-born with an alarm). ` +
        `Timed: the service computing every unit's KPIs and default-scheme score for each month from the events ` +
        `(SQL cuts holdings, the domain computes). Target: under 5 s.\n\n${table}\n`,
    );
  } finally {
    await throwAway.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
