// Reading history's daily partitions (migration 0015) on every engine: rows land in their UTC day's
// partition, partitions are made ahead idempotently (taking over rows the DEFAULT partition held for that
// day), retention drops exactly the days past it and only old rows of DEFAULT, a removed sensor's history
// still goes, the ingest runtime keeps the partitions unless told not to — and the migration itself moves
// a 0014 database's history over row for row.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { MIGRATIONS_DIR, migrate, openPglite, openPostgres, type Database } from '../../server/db/client';
import { deadLettersRepository } from '../../server/db/repositories/dead-letters.repository';
import { ingestRepository } from '../../server/db/repositories/ingest.repository';
import {
  readingsPartitionsRepository,
  type ReadingsPartitionsRepository,
} from '../../server/db/repositories/readings-partitions.repository';
import { dayPartition } from '../../server/domain/reading-partitions';
import { createIngest } from '../../server/ingest/runtime';
import { createLogger } from '../../server/log';
import { generateDemoCity } from '../../server/sim/generate-city';
import { database, engines, resetDatabase, type EngineName } from './support/databases';

const log = createLogger('silent');
const DAY = 86_400_000;
/** Noon UTC of the day `days` from today: far from both midnights, so a day's partition is unambiguous. */
const noon = (days: number) => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY + DAY / 2);
const nameOf = (days: number) => dayPartition(noon(days)).name;

async function insertReading(db: Database, sensorId: number, ts: Date): Promise<number> {
  const [r] = await db.rows<{ id: string | number }>(
    sql`insert into sensor_readings (sensor_id, ts, reading, state)
        values (${sensorId}, ${ts.toISOString()}::timestamptz, '{"level": 1}'::jsonb, 0) returning id`,
  );
  return Number(r.id);
}

/** The partition each of the given rows is stored in, by id. */
async function whereStored(db: Database, ids: number[]): Promise<Record<number, string>> {
  const rows = await db.rows<{ id: string | number; part: string }>(
    sql`select id, tableoid::regclass::text as part from sensor_readings
        where id = any(${`{${ids.join(',')}}`}::bigint[])`,
  );
  return Object.fromEntries(rows.map((r) => [Number(r.id), r.part]));
}

describe.each(engines())('reading history partitions on %s', (engine) => {
  let db: Database;
  let parts: ReadingsPartitionsRepository;
  let sensorIds: number[];

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 30, seed: 'readings-partitions' });
    parts = readingsPartitionsRepository(db);
    sensorIds = (await db.rows<{ id: number }>(sql`select id from sensors order by id`)).map((r) => r.id);
  });

  afterAll(async () => {
    // The database is shared with later files: leave them the usual days and none of the test's.
    await resetDatabase(db);
    await parts.dropOlder(new Date(), 30);
    await parts.ensureAhead(new Date(), 7);
    const lastDay = nameOf(7);
    for (const name of await parts.partitionNames()) {
      if (/_p\d{8}$/.test(name) && name > lastDay) await db.orm.execute(sql.raw(`drop table "${name}"`));
    }
  });

  it('is a table partitioned by range of ts with a DEFAULT partition and days from today on', async () => {
    const [p] = await db.rows<{ strategy: string; keys: string; def: string }>(sql`
      select partstrat::text as strategy, pg_get_partkeydef(partrelid) as keys,
             partdefid::regclass::text as def
      from pg_partitioned_table where partrelid = 'sensor_readings'::regclass`);
    expect(p).toEqual({ strategy: 'r', keys: 'RANGE (ts)', def: 'sensor_readings_default' });
    const names = await parts.partitionNames();
    expect(names).toContain('sensor_readings_default');
    expect(names).toContain(nameOf(0));
    const [pk] = await db.rows<{ def: string }>(sql`
      select pg_get_constraintdef(oid) as def from pg_constraint
      where conrelid = 'sensor_readings'::regclass and contype = 'p'`);
    expect(pk.def).toBe('PRIMARY KEY (id, ts)');
    // The (sensor_id, ts desc) index is on the parent, hence on every partition.
    const [idx] = await db.rows<{ n: number }>(sql`
      select count(*)::int as n from pg_index i join pg_class c on c.oid = i.indexrelid
      where i.indrelid = 'sensor_readings'::regclass and c.relname = 'sensor_readings_sensor_ts_idx'`);
    expect(idx.n).toBe(1);
  });

  it('stores each reading in its UTC day, boundaries included, and others in DEFAULT', async () => {
    await parts.ensureAhead(new Date(), 1);
    const midnight = new Date(Math.floor(Date.now() / DAY) * DAY);
    const ids = {
      midnight: await insertReading(db, sensorIds[0], midnight),
      lastMs: await insertReading(db, sensorIds[0], new Date(midnight.getTime() - 1)),
      tomorrow: await insertReading(db, sensorIds[0], noon(1)),
      farFuture: await insertReading(db, sensorIds[0], noon(200)),
    };
    const where = await whereStored(db, Object.values(ids));
    expect(where[ids.midnight]).toBe(nameOf(0));
    // The last millisecond of yesterday: yesterday's partition if the database has one, else DEFAULT.
    const names = await parts.partitionNames();
    expect(where[ids.lastMs]).toBe(names.includes(nameOf(-1)) ? nameOf(-1) : 'sensor_readings_default');
    expect(where[ids.tomorrow]).toBe(nameOf(1));
    expect(where[ids.farFuture]).toBe('sensor_readings_default');
    await db.orm.execute(sql`truncate sensor_readings`);
  });

  it('ensureAhead makes today to today + N, once; a day DEFAULT held rows of keeps them', async () => {
    // Days 100..110 ahead have no partition; a reading for day 103 waits in DEFAULT.
    const early = new Date(noon(100).getTime() - DAY / 2);
    const stray = await insertReading(db, sensorIds[1], noon(103));
    expect((await whereStored(db, [stray]))[stray]).toBe('sensor_readings_default');
    const created = await parts.ensureAhead(early, 10);
    expect(created).toEqual(Array.from({ length: 11 }, (_, i) => nameOf(100 + i)));
    expect(await parts.ensureAhead(early, 10)).toEqual([]);
    expect(await parts.ensureAhead(noon(104), 6)).toEqual([]);
    expect(await parts.ensureAhead(noon(104), 7)).toEqual([nameOf(111)]);
    // The stray moved into its day, same id and time; DEFAULT is empty again.
    expect((await whereStored(db, [stray]))[stray]).toBe(nameOf(103));
    const [row] = await db.rows<{ ts: Date | string }>(
      sql`select ts from sensor_readings where id = ${stray}`,
    );
    expect(new Date(row.ts)).toEqual(noon(103));
    const [d] = await db.rows<{ n: number }>(sql`select count(*)::int as n from sensor_readings_default`);
    expect(d.n).toBe(0);
    // New readings keep drawing ids above the moved one.
    expect(await insertReading(db, sensorIds[1], noon(103))).toBeGreaterThan(stray);
  });

  it('dropOlder drops exactly the days past retention and deletes only old rows of DEFAULT', async () => {
    await db.orm.execute(sql`truncate sensor_readings`);
    // Days 300..289 ago, and "now" noon 290 days ago: with 5 days of retention the cutoff is noon of day
    // -295, so days up to -296 go whole, -295 (partly kept) and later stay — today's among them.
    await parts.ensureAhead(noon(-300), 11);
    const now = noon(-290);
    const kept: number[] = [];
    for (let day = -300; day <= -289; day++) {
      for (let i = 0; i < 3; i++) {
        const id = await insertReading(db, sensorIds[i], new Date(noon(day).getTime() + i * 3_600_000));
        if (day >= -295) kept.push(id);
      }
    }
    // In DEFAULT: one row older than the cutoff (day -310), one newer (day -250, no partition).
    await insertReading(db, sensorIds[0], noon(-310));
    const defaultNew = await insertReading(db, sensorIds[0], noon(-250));
    // Day -295's partition holds a row from before the cutoff: it stays with its day.
    const earlyOfCutoffDay = await insertReading(
      db,
      sensorIds[0],
      new Date(noon(-295).getTime() - 3_600_000),
    );
    const today = await insertReading(db, sensorIds[0], noon(0));
    const before = await parts.partitionNames();

    const dropped = await parts.dropOlder(now, 5);
    expect(dropped.cutoff).toEqual(noon(-295));
    expect(dropped.partitions.map((p) => p.name)).toEqual([-300, -299, -298, -297, -296].map(nameOf));
    for (const p of dropped.partitions) expect(p.rowsEstimate).toBeGreaterThanOrEqual(0);
    expect(dropped.defaultRows).toBe(1);
    const after = await parts.partitionNames();
    expect(after).toEqual(before.filter((n) => !dropped.partitions.some((p) => p.name === n)));
    expect(after).toContain(nameOf(0));

    const left = await db.rows<{ id: string | number }>(sql`select id from sensor_readings order by id`);
    expect(left.map((r) => Number(r.id))).toEqual([...kept, defaultNew, earlyOfCutoffDay, today]);

    // Nothing more to do the second time.
    expect(await parts.dropOlder(now, 5)).toEqual({ cutoff: noon(-295), partitions: [], defaultRows: 0 });
  });

  it("deletes a removed sensor's readings from every partition (the sensors trigger)", async () => {
    await db.orm.execute(sql`truncate sensor_readings`);
    const victim = sensorIds[sensorIds.length - 1];
    const other = sensorIds[sensorIds.length - 2];
    for (const day of [0, 105, 140]) {
      await insertReading(db, victim, noon(day));
      await insertReading(db, other, noon(day));
    }
    await db.orm.execute(sql`delete from sensors where id = ${victim}`);
    const rows = await db.rows<{ sensor_id: number; n: number }>(
      sql`select sensor_id, count(*)::int as n from sensor_readings group by 1 order by 1`,
    );
    expect(rows).toEqual([{ sensor_id: other, n: 3 }]);
  });

  it('the ingest runtime keeps partitions ahead at start, unless started with maintainReadings: false', async () => {
    const runtime = (aheadDays: number) =>
      createIngest(
        loadConfig({
          MQTT_EMBEDDED_PORT: '0',
          READINGS_PARTITIONS_AHEAD_DAYS: String(aheadDays),
          LOG_LEVEL: 'silent',
        }),
        {
          ingest: ingestRepository(db),
          deadLetters: deadLettersRepository(db),
          readingsPartitions: parts,
        },
        log,
      );
    const off = runtime(40);
    await off.start({ maintainReadings: false });
    await off.stop();
    expect(await parts.partitionNames()).not.toContain(nameOf(40));

    const on = runtime(40);
    await on.start();
    await on.stop(); // waits for the maintenance run start began
    const names = await parts.partitionNames();
    for (let day = 0; day <= 40; day++) expect(names).toContain(nameOf(day));
  });
});

/** A fresh empty database of the engine; `drop` removes it. */
async function freshDatabase(engine: EngineName): Promise<{ db: Database; drop: () => Promise<void> }> {
  if (engine === 'pglite') {
    const db = await openPglite();
    return { db, drop: () => db.close() };
  }
  const base = inject('pgTestUrl');
  const name = `citynerve_parts_${Date.now().toString(36)}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString(), { max: 2 });
  return {
    db,
    drop: async () => {
      await db.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** A copy of the migrations folder whose journal stops after `lastTag`. */
function migrationsUpTo(lastTag: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'citynerve-mig-'));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  const journalFile = path.join(dir, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  const last = journal.entries.findIndex((e) => e.tag === lastTag);
  expect(last).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, last + 1);
  writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

async function migrateFolder(db: Database, folder: string) {
  const { migrate: run } =
    db.engine === 'postgres'
      ? await import('drizzle-orm/postgres-js/migrator')
      : await import('drizzle-orm/pglite/migrator');
  await run(db.orm as never, { migrationsFolder: folder });
}

describe.each(engines())('migration 0015 on %s', (engine) => {
  it('moves a 0014 history into daily partitions, every row kept, ids continuing', async () => {
    const { db, drop } = await freshDatabase(engine);
    const folder = migrationsUpTo('0014_case_system_text');
    try {
      await migrateFolder(db, folder);
      const [before] = await db.rows<{ n: number }>(sql`select count(*)::int as n from pg_partitioned_table`);
      expect(before.n).toBe(0);
      // History over the last 35 days, plus a reading 2 years old (beyond the 400 days the migration
      // makes partitions for) and one 20 days ahead (beyond its 7): both must survive in DEFAULT.
      const rows = engine === 'postgres' ? 200_000 : 50_000;
      await db.orm.execute(sql`
        insert into sensor_readings (sensor_id, ts, reading, state)
        select 1 + i % 500, now() - (i % 35) * interval '1 day' - (i % 86400) * interval '1 second',
               jsonb_build_object('level', i), (i % 3)::smallint
        from generate_series(1, ${rows}) i`);
      const oldId = await insertReading(db, 7, new Date(Date.now() - 730 * DAY));
      const futureId = await insertReading(db, 7, new Date(Date.now() + 20 * DAY));
      const fingerprint = async () =>
        (
          await db.rows<{ n: number; ids: string; digest: string }>(sql`
            select count(*)::int as n, sum(id)::text as ids,
                   md5(string_agg(id::text || '|' || sensor_id || '|' || extract(epoch from ts)::text
                                  || '|' || reading::text || '|' || state, ',' order by id)) as digest
            from sensor_readings`)
        )[0];
      const was = await fingerprint();
      expect(was.n).toBe(rows + 2);

      const t0 = Date.now();
      await migrate(db);
      const ms = Date.now() - t0;
      console.log(`[readings-partitions] migration 0015 on ${engine}: ${rows + 2} rows in ${ms} ms`);

      expect(await fingerprint()).toEqual(was);
      const [p] = await db.rows<{ n: number }>(sql`
        select count(*)::int as n from pg_partitioned_table where partrelid = 'sensor_readings'::regclass`);
      expect(p.n).toBe(1);
      const names = readingsPartitionsRepository(db).partitionNames();
      // Days from the oldest reading within 400 days (34 or 35 days back, by the clock) to 7 ahead.
      const daily = (await names).filter((n) => n !== 'sensor_readings_default');
      expect(daily).toContain(nameOf(-34));
      expect(daily).toContain(nameOf(7));
      expect(daily).not.toContain(nameOf(8));
      expect(daily.length).toBeGreaterThanOrEqual(42);
      expect(daily.length).toBeLessThanOrEqual(43);
      const where = await whereStored(db, [oldId, futureId, oldId - 1]);
      expect(where[oldId]).toBe('sensor_readings_default');
      expect(where[futureId]).toBe('sensor_readings_default');
      expect(where[oldId - 1]).toMatch(/^sensor_readings_p\d{8}$/);
      const [inDefault] = await db.rows<{ n: number }>(
        sql`select count(*)::int as n from sensor_readings_default`,
      );
      expect(inDefault.n).toBe(2);

      // The sequence carried over: a new reading's id is above every moved one.
      const newId = await insertReading(db, 7, new Date());
      expect(newId).toBeGreaterThan(futureId);
      // The old table is gone.
      const [old] = await db.rows<{ n: number }>(
        sql`select count(*)::int as n from pg_class where relname = 'sensor_readings_0014'`,
      );
      expect(old.n).toBe(0);
    } finally {
      rmSync(folder, { recursive: true, force: true });
      await drop();
    }
  });
});
