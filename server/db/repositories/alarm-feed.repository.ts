// Reads for the live alarm feed (migration 0006). Every read first takes the alarm-feed lock exclusively:
// writers hold it shared until commit, so "feed_seq > cursor" never skips a late-committing change. The
// wait is capped by lock_timeout; a read that cannot get the lock in time reports "busy" and the caller
// tries again, which also breaks any wait cycle with a writer that locked an alarm row before the feed lock.
import { sql } from 'drizzle-orm';
import type { AlarmFeedItem, AlarmStatus, OpenAlarmCounts } from '../../../src/lib/streams/contract';
import type { Database, Orm } from '../client';

/** Same key as the triggers of migration 0006. */
const FEED_LOCK = 727002;
/** SQLSTATE lock_not_available: lock_timeout expired. */
const LOCK_TIMEOUT = '55P03';

/** Changes after a sequence number, read consistently with the counts. */
export interface AlarmChangeRows {
  /** The read covers (sinceSeq, seq]: the last row's number when cut by `limit`, else the highest issued. */
  seq: number;
  /** Alarms changed in that range, in feed order, each in its current state. */
  rows: AlarmFeedItem[];
  /** Alarms not yet cleared, at read time; null when nothing changed (not counted). */
  counts: OpenAlarmCounts | null;
}

/** The alarms not yet cleared, at one sequence number. */
export interface AlarmSnapshotRows {
  /** Highest feed number issued at read time. */
  seq: number;
  /** Critical first, then newest first, at most the limit asked for. */
  rows: AlarmFeedItem[];
  /** Alarms not yet cleared (all of them, not only those in `rows`). */
  counts: OpenAlarmCounts;
}

export interface AlarmFeedOptions {
  /** Longest wait for the feed lock before a read reports busy, ms (default 250). */
  lockTimeoutMs?: number;
}

const ITEM_COLUMNS = sql`
  a.id, a.sensor_id as "sensorId", s.code as "sensorCode", a.rule_id as "ruleId", a.severity, a.status,
  a.opened_at as "openedAt", u.display_name as "acknowledgedBy", a.acknowledged_at as "acknowledgedAt",
  a.cleared_at as "clearedAt", a.escalation_level as "escalationLevel", c.code as "caseCode",
  a.feed_seq as seq`;

const ITEM_FROM = sql`
  from alarms a
  join sensors s on s.id = a.sensor_id
  left join users u on u.id = a.acknowledged_by
  left join cases c on c.id = a.case_id`;

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

function toItem(r: Record<string, unknown>): AlarmFeedItem {
  return {
    id: Number(r.id),
    sensorId: Number(r.sensorId),
    sensorCode: r.sensorCode as string,
    ruleId: r.ruleId as string,
    severity: Number(r.severity) === 2 ? 2 : 1,
    status: r.status as AlarmStatus,
    openedAt: iso(r.openedAt)!,
    acknowledgedBy: (r.acknowledgedBy as string | null) ?? null,
    acknowledgedAt: iso(r.acknowledgedAt),
    clearedAt: iso(r.clearedAt),
    escalationLevel: Number(r.escalationLevel),
    caseCode: (r.caseCode as string | null) ?? null,
    seq: Number(r.seq),
  };
}

/** Whether `err` (possibly wrapped by drizzle) is PostgreSQL's lock_timeout. */
function isLockTimeout(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === LOCK_TIMEOUT) return true;
  }
  return false;
}

export function alarmFeedRepository(db: Database, opts: AlarmFeedOptions = {}) {
  const timeoutMs = Math.max(1, Math.round(opts.lockTimeoutMs ?? 250));

  /** Runs `fn` holding the feed lock; null when the lock was not free within the timeout. */
  const locked = async <T>(fn: (tx: Orm) => Promise<T>): Promise<T | null> => {
    try {
      return await db.orm.transaction(async (t) => {
        const tx = t as unknown as Orm;
        await tx.execute(sql.raw(`set local lock_timeout = ${timeoutMs}`));
        await tx.execute(sql`select pg_advisory_xact_lock(${FEED_LOCK})`);
        return fn(tx);
      });
    } catch (err) {
      if (isLockTimeout(err)) return null;
      throw err;
    }
  };

  // The sequence, not max(feed_seq): it never goes back when the newest alarm is deleted with its sensor.
  // Under the exclusive lock every number it handed out is committed or rolled back (a gap).
  const maxSeq = async (tx: Orm) =>
    Number(
      (
        await db.rows<{ seq: string | number }>(
          sql`select case when is_called then last_value else 0 end as seq from alarm_feed_seq`,
          tx,
        )
      )[0].seq,
    );

  const counts = async (tx: Orm): Promise<OpenAlarmCounts> => {
    const [r] = await db.rows<{ open: number; acknowledged: number; critical: number }>(
      sql`select count(*) filter (where status = 'open')::int as open,
                 count(*) filter (where status = 'acknowledged')::int as acknowledged,
                 count(*) filter (where severity = 2)::int as critical
          from alarms where status <> 'cleared'`,
      tx,
    );
    return { open: r.open, acknowledged: r.acknowledged, critical: r.critical };
  };

  return {
    /** The highest feed number; null when the feed is busy. */
    currentSeq: () => locked(maxSeq),

    /**
     * Alarms changed after `sinceSeq`, at most `limit` (the rest follow in the next read, nothing is
     * skipped); null when the feed is busy.
     */
    changesSince: (sinceSeq: number, limit: number) =>
      locked(async (tx): Promise<AlarmChangeRows> => {
        const top = await maxSeq(tx);
        const rows = (
          await db.rows<Record<string, unknown>>(
            sql`select ${ITEM_COLUMNS} ${ITEM_FROM}
                where a.feed_seq > ${sinceSeq} order by a.feed_seq limit ${limit}`,
            tx,
          )
        ).map(toItem);
        if (rows.length === 0) return { seq: top, rows, counts: null };
        const seq = rows.length === limit ? rows[rows.length - 1].seq : top;
        return { seq, rows, counts: await counts(tx) };
      }),

    /** The alarms not yet cleared (at most `limit`, the most urgent) and their counts; null when busy. */
    snapshot: (limit: number) =>
      locked(async (tx): Promise<AlarmSnapshotRows> => {
        const seq = await maxSeq(tx);
        const rows = (
          await db.rows<Record<string, unknown>>(
            sql`select ${ITEM_COLUMNS} ${ITEM_FROM}
                where a.status <> 'cleared'
                order by a.severity desc, a.opened_at desc, a.id desc limit ${limit}`,
            tx,
          )
        ).map(toItem);
        return { seq, rows, counts: await counts(tx) };
      }),
  };
}

export type AlarmFeedRepository = ReturnType<typeof alarmFeedRepository>;
