// Keeps reading history's daily partitions (migration 0015): creates the coming days' partitions and drops
// the days past retention. The only code that creates or drops sensor_readings partitions. Each run is
// one transaction under an advisory lock, so nodes that run it at the same time take turns.
import { sql } from 'drizzle-orm';
import type { Database, Orm } from '../client';
import {
  partitionsAhead,
  partitionsPast,
  retentionCutoff,
  type DayPartition,
} from '../../domain/reading-partitions';

const MAINTENANCE_LOCK = 727010;
/**
 * Creating or dropping a partition locks the whole table, and while it waits behind a long read every new
 * ingest write queues behind it: give up after this (the next run tries again; days are made ahead).
 */
const LOCK_TIMEOUT = '10s';

/** A daily partition retention dropped. */
export interface DroppedPartition {
  name: string;
  /** Rows it held, as the statistics estimate them (not counted: that would read the whole day). */
  rowsEstimate: number;
}

/** What dropOlder removed. */
export interface ReadingsDropped {
  /** Rows older than this were removed. */
  cutoff: Date;
  /** Whole days dropped, oldest first. */
  partitions: DroppedPartition[];
  /** Rows deleted from the DEFAULT partition (readings outside the days that have a partition). */
  defaultRows: number;
}

const iso = (d: Date) => d.toISOString();

/** `create table` for a day; names and bounds come from dayPartition, never from input. */
const createStatement = (p: DayPartition) =>
  sql.raw(
    `create table if not exists "${p.name}" partition of sensor_readings
     for values from ('${iso(p.from)}') to ('${iso(p.to)}')`,
  );

export function readingsPartitionsRepository(db: Database) {
  const partitionNames = async (tx?: Orm): Promise<string[]> =>
    (
      await db.rows<{ name: string }>(
        sql`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
            where i.inhparent = 'sensor_readings'::regclass order by 1`,
        tx,
      )
    ).map((r) => r.name);

  /** Serialises maintenance across nodes and bounds how long it may hold up ingest. */
  const begin = async (tx: Orm) => {
    await db.rows(sql`select pg_advisory_xact_lock(${MAINTENANCE_LOCK})`, tx);
    await db.rows(sql.raw(`set local lock_timeout = '${LOCK_TIMEOUT}'`), tx);
  };

  /**
   * Creates a day's partition. Rows of that day already in the DEFAULT partition (stored while the day had
   * no partition) would make the creation fail: they are taken out first and put back through the parent,
   * which then routes them into the new partition, all in the caller's transaction.
   */
  const createDay = async (tx: Orm, p: DayPartition) => {
    const [{ strays }] = await db.rows<{ strays: boolean }>(
      sql`select exists (select 1 from sensor_readings_default
                         where ts >= ${iso(p.from)}::timestamptz and ts < ${iso(p.to)}::timestamptz) as strays`,
      tx,
    );
    if (!strays) {
      await tx.execute(createStatement(p));
      return;
    }
    // The creation locks the table anyway; taking that lock first means no lock upgrade to deadlock on.
    await tx.execute(sql`lock table sensor_readings in access exclusive mode`);
    await tx.execute(sql`create temp table readings_moving (like sensor_readings)`);
    await tx.execute(
      sql`with m as (delete from sensor_readings_default
                     where ts >= ${iso(p.from)}::timestamptz and ts < ${iso(p.to)}::timestamptz
                     returning id, sensor_id, ts, reading, state)
          insert into readings_moving (id, sensor_id, ts, reading, state) select * from m`,
    );
    await tx.execute(createStatement(p));
    await tx.execute(
      sql`insert into sensor_readings (id, sensor_id, ts, reading, state)
          select id, sensor_id, ts, reading, state from readings_moving`,
    );
    await tx.execute(sql`drop table readings_moving`);
  };

  return {
    /** Names of sensor_readings' partitions (daily ones and the DEFAULT one), sorted. */
    partitionNames: () => partitionNames(),

    /**
     * Makes sure the partitions of today (UTC) and the `daysAhead` following days exist; returns the names
     * it created (none when all were there).
     */
    async ensureAhead(now: Date, daysAhead: number): Promise<string[]> {
      const wanted = partitionsAhead(now, daysAhead);
      const have = new Set(await partitionNames());
      if (wanted.every((p) => have.has(p.name))) return [];
      return db.orm.transaction(async (tx) => {
        await begin(tx);
        // Read again under the lock: another node may just have made them.
        const existing = new Set(await partitionNames(tx));
        const missing = wanted.filter((p) => !existing.has(p.name));
        for (const p of missing) await createDay(tx, p);
        return missing.map((p) => p.name);
      });
    },

    /**
     * Removes readings older than `retentionDays` before `now`: drops the daily partitions whose day ends
     * by then and deletes the older rows of the DEFAULT partition (daily partitions of the cutoff's own
     * day and later are not touched).
     */
    async dropOlder(now: Date, retentionDays: number): Promise<ReadingsDropped> {
      const cutoff = retentionCutoff(now, retentionDays);
      return db.orm.transaction(async (tx) => {
        await begin(tx);
        const past = partitionsPast(await partitionNames(tx), cutoff);
        const estimates = new Map<string, number>();
        if (past.length) {
          const rows = await db.rows<{ name: string; n: number }>(
            sql`select c.relname as name,
                       greatest(coalesce(s.n_live_tup, 0), c.reltuples, 0)::float8 as n
                from pg_class c left join pg_stat_user_tables s on s.relid = c.oid
                where c.oid in (select inhrelid from pg_inherits where inhparent = 'sensor_readings'::regclass)`,
            tx,
          );
          for (const r of rows) estimates.set(r.name, Number(r.n));
        }
        for (const p of past) await tx.execute(sql.raw(`drop table "${p.name}"`));
        const [{ n }] = await db.rows<{ n: number }>(
          sql`with gone as (delete from sensor_readings_default where ts < ${iso(cutoff)}::timestamptz
                            returning 1)
              select count(*)::int as n from gone`,
          tx,
        );
        return {
          cutoff,
          partitions: past.map((p) => ({ name: p.name, rowsEstimate: estimates.get(p.name) ?? 0 })),
          defaultRows: n,
        };
      });
    },
  };
}

export type ReadingsPartitionsRepository = ReturnType<typeof readingsPartitionsRepository>;
