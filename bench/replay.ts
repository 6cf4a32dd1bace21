// Benchmark: replay (issue 19) on a real PostgreSQL + PostGIS with 500,000 sensors and 30 days of
// sensor transitions (BENCH_TRANSITIONS, default 2,000,000: faults of 1–120 minutes at random sensors and
// times) under hourly checkpoints, plus 30 days of alarms. Measures seeking to random instants through the
// service (server time: checkpoint + transitions, alarms, cases, counts, JSON encoding), and sustained
// playback at 3600× (an instant an hour apart, one after another: how many replayed hours per second).
// Run: npm run bench:replay   (BENCH_SENSORS, BENCH_TRANSITIONS, BENCH_SEEKS)
import postgres from 'postgres';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../server/app';
import { loadConfig } from '../server/config';
import { openPostgres } from '../server/db/client';
import { generateBenchCity, machine, mdTable, throwAwayDatabase, writeSection } from './support';

const SENSORS = Number(process.env.BENCH_SENSORS ?? 500_000);
const TRANSITIONS = Number(process.env.BENCH_TRANSITIONS ?? 2_000_000);
const SEEKS = Number(process.env.BENCH_SEEKS ?? 100);
const DAYS = 30;
const HOUR = 3600_000;
const SECTION = '## Replay';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/**
 * Transitions as faults: half the rows go abnormal (warning, alarm or offline), each followed by a return
 * to normal 1–120 minutes later; numbered in time order. Then the hourly checkpoints, by one sweep.
 */
async function seed(url: string, end: number): Promise<{ ms: number; checkpoints: number }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const t0 = performance.now();
  const start = end - DAYS * 86_400_000;
  const faults = Math.floor(TRANSITIONS / 2);
  await sql.unsafe(`
    create temporary table f as
      select (select min(id) from sensors) + ((g::bigint * 7919) % ${SENSORS})::int as sensor_id,
             to_timestamp((${start} + random() * ${end - start - 2 * HOUR}) / 1000.0) as at,
             (1 + g % 3)::smallint as state,
             make_interval(mins => 1 + (g % 120)) as lasts
      from generate_series(1, ${faults}) g;
    insert into sensor_transitions (sensor_id, seq, at, state)
      select sensor_id, row_number() over (order by at, sensor_id, state desc), at, state from (
        select sensor_id, at, state from f
        union all select sensor_id, at + lasts, 0::smallint from f
      ) t;
    analyze sensor_transitions;`);
  // Overlapping faults of one sensor make its history a little odd (normal while a fault is still
  // counted), which changes nothing for the measurement: replay folds whatever is stored.
  let checkpoints = 0;
  const abnormal = new Map<number, number>();
  const rows = sql`select sensor_id, seq, (extract(epoch from at) * 1000)::float8 as ms, state
                   from sensor_transitions order by seq`.cursor(50_000);
  let next = start;
  let lastSeq = 0;
  // A second connection for the writes: the cursor holds the first one while it is read.
  const writer = postgres(url, { max: 1, onnotice: () => {} });
  const flush = async (at: number) => {
    const ids = [...abnormal.keys()].sort((a, b) => a - b);
    await writer`insert into replay_checkpoints (at, seq, sensor_ids, states)
              values (${new Date(at)}, ${lastSeq}, ${ids}::int[], ${ids.map((i) => abnormal.get(i)!)}::smallint[])`;
    checkpoints++;
  };
  for await (const batch of rows) {
    for (const r of batch) {
      while (Number(r.ms) > next) {
        await flush(next);
        next += HOUR;
      }
      if (Number(r.state) === 0) abnormal.delete(Number(r.sensor_id));
      else abnormal.set(Number(r.sensor_id), Number(r.state));
      lastSeq = Number(r.seq);
    }
  }
  while (next <= end) {
    await flush(next);
    next += HOUR;
  }
  await writer.end();
  await sql.unsafe(`select setval('sensor_state_seq', (select max(seq) from sensor_transitions))`);
  // Alarms over the same 30 days (one per 20 faults), a tenth of them acknowledged and still open.
  await sql.unsafe(`
    insert into alarms (sensor_id, rule_id, severity, status, opened_at, last_seen_at, acknowledged_at, cleared_at)
    select sensor_id, 'manhole.tilt', 1 + (n % 2), case when n % 10 = 0 then 'acknowledged' else 'cleared' end,
           at, at, at + interval '5 minutes', case when n % 10 = 0 then null else at + lasts end
    from (select *, row_number() over () as n from f) x where n % 20 = 0
    on conflict do nothing;
    analyze alarms;`);
  await sql.end();
  return { ms: performance.now() - t0, checkpoints };
}

async function main() {
  const startedAt = new Date();
  const throwAway = await throwAwayDatabase('citynerve_bench_replay');
  try {
    await generateBenchCity(throwAway.url, SENSORS);
    const end = Date.now();
    console.log(`seeding ${TRANSITIONS.toLocaleString('en-US')} transitions …`);
    const seeded = await seed(throwAway.url, end);
    console.log(`seeded in ${(seeded.ms / 1000).toFixed(0)} s, ${seeded.checkpoints} checkpoints`);

    const db = await openPostgres(throwAway.url);
    const app = buildApp(loadConfig({ LOG_LEVEL: 'silent' }), db);
    const now = new Date();
    const from = end - DAYS * 86_400_000 + HOUR;
    const seek = async (at: Date) => {
      const t0 = performance.now();
      const state = await app.replay.stateAt(at, now);
      const bytes = JSON.stringify(state).length;
      return { ms: performance.now() - t0, bytes, abnormal: state.sensors.ids.length };
    };
    // Warm-up, then random instants.
    for (let i = 0; i < 5; i++) await seek(new Date(from + Math.random() * (end - from)));
    const seeks = [];
    for (let i = 0; i < SEEKS; i++) seeks.push(await seek(new Date(from + Math.random() * (end - from))));
    const times = seeks.map((s) => s.ms);

    // Playback at 3600×: one replayed hour per real second is needed; consecutive instants an hour apart.
    const playStart = from + 24 * HOUR;
    const t0 = performance.now();
    let hours = 0;
    while (performance.now() - t0 < 20_000) {
      await seek(new Date(playStart + (hours % (28 * 24)) * HOUR));
      hours++;
    }
    const perSecond = hours / ((performance.now() - t0) / 1000);
    await db.close();

    const rows: [string, string][] = [
      [
        'sensors / transitions / checkpoints',
        `${SENSORS.toLocaleString()} / ${TRANSITIONS.toLocaleString()} / ${seeded.checkpoints}`,
      ],
      ['seeding (transitions, checkpoints, alarms)', `${(seeded.ms / 1000).toFixed(0)} s`],
      [
        `seek to a random instant of 30 days, ${SEEKS} seeks: p50 / p95 / max (ms)`,
        `${pct(times, 50).toFixed(0)} / **${pct(times, 95).toFixed(0)}** / ${Math.max(...times).toFixed(0)}`,
      ],
      [
        'sensors not normal at an instant (mean)',
        (seeks.reduce((a, s) => a + s.abnormal, 0) / seeks.length).toFixed(0),
      ],
      [
        'answer size (JSON, mean KB)',
        (seeks.reduce((a, s) => a + s.bytes, 0) / seeks.length / 1024).toFixed(0),
      ],
      ['playback at 3600×: replayed hours per second (needs ≥ 1)', `**${perSecond.toFixed(1)}**`],
    ];
    const table = mdTable(rows);
    console.log(table);
    writeSection(
      SECTION,
      `${SECTION}\n\n\`npm run bench:replay\` — ${startedAt.toISOString().slice(0, 10)}, ${machine('PostgreSQL 15 + PostGIS')}.\n` +
        'Server time in process (checkpoint + transitions, alarms, cases, counts, JSON encoding), no HTTP and no ' +
        'browser paint. Issue 19 asks for a seek under 1 s p95 (server time + first paint) and playback at ' +
        '3600× without falling behind.\n\n' +
        table +
        '\n',
    );
  } finally {
    await throwAway.drop();
  }
}

await main();
