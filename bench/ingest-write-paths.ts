// Benchmark: where PostgreSQL's time goes in one ingest batch write, and what the alternatives named in
// issue 17 would buy. On 500,000 sensors (a throw-away database), batches of 5,000 readings of sensors
// in random order (as the pipeline writes them), each variant in its own transaction on its own sensors,
// interleaved: the repository's one statement (state compare-and-set + history from text arrays) against
// its parts alone and against "state statement, then the history by binary COPY" in one transaction.
// Reports the PostgreSQL backend's CPU per batch (Linux /proc/<pid>/schedstat: on a shared machine the
// wall time mostly measures the neighbours), median of BENCH_REPEATS. Prints a table; does not write the
// docs (docs/benchmarks.md keeps its results by hand, next to bench:ingest's).
// Run: npm run bench:ingest-write-paths   (BENCH_SENSORS, BENCH_REPEATS)
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { migrate, openPostgres, type Orm } from '../server/db/client';
import { ingestRepository, type ReadingWrite } from '../server/db/repositories/ingest.repository';
import { createRandom } from '../server/domain/random';
import { generateDemoCity } from '../server/sim/generate-city';
import { loadSensors, shuffle } from './ingest-kit';
import { machine, mdTable, throwAwayDatabase } from './support';

const SENSORS = Number(process.env.BENCH_SENSORS ?? 500_000);
const BATCH = 5000;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 8);
const PG_EPOCH_MS = 946_684_800_000;

const plain = (v: readonly (number | string)[]) => `{${v.join(',')}}`;
const jsonArray = (texts: readonly string[]) => `[${texts.join(',')}]`;

/** The batch's rows as the writer's binary COPY input: sensor_id int4, ts timestamptz, reading jsonb, state int2. */
function binaryHistory(rows: readonly ReadingWrite[]): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0', 'latin1')];
  for (const r of rows) {
    const json = Buffer.from(r.reading, 'utf8');
    const b = Buffer.allocUnsafe(2 + 8 + 12 + 5 + json.length + 6);
    let at = b.writeInt16BE(4, 0);
    at = b.writeInt32BE(4, at);
    at = b.writeInt32BE(r.sensorId, at);
    at = b.writeInt32BE(8, at);
    at = b.writeBigInt64BE(BigInt(r.ts.getTime() - PG_EPOCH_MS) * 1000n, at);
    at = b.writeInt32BE(json.length + 1, at);
    b[at++] = 1; // jsonb binary version
    at += json.copy(b, at);
    at = b.writeInt32BE(2, at);
    b.writeInt16BE(r.state, at);
    parts.push(b);
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

async function main() {
  const tmp = await throwAwayDatabase('citynerve_bench_write_paths');
  const db = await openPostgres(tmp.url, { max: 2 });
  try {
    await migrate(db);
    console.log(`generating ${SENSORS.toLocaleString('en-US')} sensors …`);
    await generateDemoCity(db, { sensorCount: SENSORS, seed: 'bench' });
    const repo = ingestRepository(db);
    const order = shuffle(await loadSensors(db, 'bench-write-paths'), createRandom('write-paths').next);
    let next = 0;

    /** A batch of sensors nobody wrote in this run, sorted by id as the pipeline sends them. */
    const batchRows = async (tx: Orm): Promise<ReadingWrite[]> => {
      const sensors = order.slice(next, next + BATCH).sort((a, b) => a.id - b.id);
      next += BATCH;
      if (sensors.length < BATCH) throw new Error('not enough sensors: lower BENCH_REPEATS');
      const states = await repo.currentStates(
        sensors.map((s) => s.id),
        tx,
      );
      const version = new Map(states.map((s) => [s.sensorId, s.version]));
      const ts = new Date();
      return sensors.map((s) => ({
        sensorId: s.id,
        ts,
        reading: s.values,
        state: 0,
        latest: { ruleState: null, version: version.get(s.id)! },
      }));
    };
    const stateStatement = (rows: readonly ReadingWrite[], tx: Orm) =>
      db.rows(
        sql`with h as (
              select * from rows from (
                unnest(${plain(rows.map((r) => r.sensorId))}::int[]),
                unnest(${plain(rows.map((r) => r.ts.getTime()))}::bigint[]),
                jsonb_array_elements(${jsonArray(rows.map((r) => r.reading))}::text::jsonb),
                unnest(${plain(rows.map((r) => r.state))}::smallint[]),
                unnest(${plain(rows.map((r) => r.latest!.version))}::xid[])
              ) as h(sensor_id, ts_ms, reading, state, version)
            ),
            feed as (select pg_advisory_xact_lock_shared(727001) as locked),
            st as (
              update sensor_state s
              set state = h.state, reading = h.reading, reported_at = to_timestamp(h.ts_ms / 1000.0),
                  rule_state = null
              from h where s.sensor_id = h.sensor_id and s.xmin = h.version
                and (select locked is not null from feed)
              returning s.sensor_id
            )
            select array(select sensor_id from h where sensor_id not in (select sensor_id from st)) as stale`,
        tx,
      );
    const historyInsert = (rows: readonly ReadingWrite[], tx: Orm) =>
      db.rows(
        sql`insert into sensor_readings (sensor_id, ts, reading, state)
            select sensor_id, to_timestamp(ts_ms / 1000.0), reading, state from rows from (
              unnest(${plain(rows.map((r) => r.sensorId))}::int[]),
              unnest(${plain(rows.map((r) => r.ts.getTime()))}::bigint[]),
              jsonb_array_elements(${jsonArray(rows.map((r) => r.reading))}::text::jsonb),
              unnest(${plain(rows.map((r) => r.state))}::smallint[])
            ) as h(sensor_id, ts_ms, reading, state)`,
        tx,
      );
    const historyCopy = async (rows: readonly ReadingWrite[], tx: Orm) => {
      // drizzle's postgres.js transaction runs on the connection sql.begin reserved (its session's client).
      const conn = (tx as unknown as { session: { client: import('postgres').Sql } }).session.client;
      const writable = await conn
        .unsafe('copy sensor_readings (sensor_id, ts, reading, state) from stdin with (format binary)')
        .writable();
      await new Promise<void>((resolve, reject) => {
        writable.once('error', reject);
        writable.end(binaryHistory(rows), () => resolve());
      });
    };

    const variants: [string, (rows: ReadingWrite[], tx: Orm) => Promise<unknown>][] = [
      [
        'writeReadings as shipped: one statement, state compare-and-set + history (text arrays)',
        (rows, tx) => repo.writeReadings(rows, tx),
      ],
      ['… its state compare-and-set alone (same arrays, no history)', stateStatement],
      ['… its history alone: insert … select from text arrays', historyInsert],
      ['… history alone by binary COPY instead', historyCopy],
      [
        'state statement, then history by binary COPY, one transaction (the COPY candidate)',
        async (rows, tx) => {
          await stateStatement(rows, tx);
          await historyCopy(rows, tx);
        },
      ],
    ];
    const cpu: number[][] = variants.map(() => []);
    const wall: number[][] = variants.map(() => []);
    for (let rep = 0; rep < REPEATS; rep++) {
      for (const [i, [, write]] of variants.entries()) {
        await db.orm.transaction(async (txRaw) => {
          const tx = txRaw as unknown as Orm;
          const rows = await batchRows(tx);
          const [{ pid }] = await db.rows<{ pid: number }>(sql`select pg_backend_pid() as pid`, tx);
          const onCpu = () => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
          const c0 = onCpu();
          const t0 = performance.now();
          await write(rows, tx);
          wall[i].push(performance.now() - t0);
          cpu[i].push(onCpu() - c0);
        });
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
    const rows: [string, string][] = variants.map(([name], i) => [
      name,
      `${median(cpu[i]).toFixed(0)} ms backend CPU (${((median(cpu[i]) * 1000) / BATCH).toFixed(1)} µs per reading), ${median(wall[i]).toFixed(0)} ms wall`,
    ]);
    console.log(`\n${machine()}; ${REPEATS} batches of ${BATCH} per variant, medians\n`);
    console.log(mdTable(rows));
  } finally {
    await db.close();
    await tmp.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
