// Reads for the live sensor feed. Every read first takes the change-feed lock exclusively (see migration
// 0002): writers hold it shared until commit, so "seq > cursor" never skips a late-committing change.
import { sql } from 'drizzle-orm';
import type { Database, Orm } from '../client';

const FEED_LOCK = 727001;

export interface SnapshotRows {
  seq: number;
  families: string[];
  rows: { id: number; lon: number; lat: number; family: string; state: number }[];
}

export interface ChangeRows {
  /** Highest sequence number in the table at read time. */
  seq: number;
  rows: { id: number; state: number; seq: number }[];
}

export function sensorFeedRepository(db: Database) {
  const locked = <T>(fn: (tx: Orm) => Promise<T>) =>
    db.orm.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${FEED_LOCK})`);
      return fn(tx as unknown as Orm);
    });

  const maxSeq = async (tx: Orm) =>
    Number(
      (
        await db.rows<{ seq: string | number }>(
          sql`select coalesce(max(seq), 0) as seq from sensor_state`,
          tx,
        )
      )[0].seq,
    );

  return {
    /** The current sequence number only. */
    currentSeq: () => locked(maxSeq),

    /** Every sensor with its position, family and state, and the sequence they are consistent with. */
    snapshot: () =>
      locked(async (tx): Promise<SnapshotRows> => {
        const seq = await maxSeq(tx);
        const families = (
          await db.rows<{ code: string }>(sql`select code from sensor_types order by id`, tx)
        ).map((r) => r.code);
        const rows = await db.rows<{ id: number; lon: number; lat: number; family: string; state: number }>(
          sql`select s.id, ST_X(s.geom) as lon, ST_Y(s.geom) as lat, t.code as family, st.state
              from sensors s
              join sensor_types t on t.id = s.type_id
              join sensor_state st on st.sensor_id = s.id
              order by s.id`,
          tx,
        );
        return { seq, families, rows };
      }),

    /** Sensors whose state changed after `sinceSeq`, with their current state. */
    changesSince: (sinceSeq: number) =>
      locked(async (tx): Promise<ChangeRows> => {
        const seq = await maxSeq(tx);
        const rows = await db.rows<{ id: number; state: number; seq: string | number }>(
          sql`select sensor_id as id, state, seq from sensor_state where seq > ${sinceSeq} order by seq`,
          tx,
        );
        return { seq, rows: rows.map((r) => ({ id: r.id, state: r.state, seq: Number(r.seq) })) };
      }),

    /** How many sensors changed after `sinceSeq` (to choose between resume and snapshot). */
    async countChangedSince(sinceSeq: number): Promise<number> {
      const r = await db.rows<{ n: number }>(
        sql`select count(*)::int as n from sensor_state where seq > ${sinceSeq}`,
      );
      return r[0].n;
    },
  };
}

export type SensorFeedRepository = ReturnType<typeof sensorFeedRepository>;
