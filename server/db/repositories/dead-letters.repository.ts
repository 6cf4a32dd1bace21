// Dead letters: device messages ingest refused, with the reason. The only code that reads or writes
// dead_letters. Inserts are batched (one statement per batch, arrays as single parameters).
import { sql } from 'drizzle-orm';
import type { Database, Orm } from '../client';
import { pgArray } from '../pg-array';

/** Payloads are kept only this long (characters): enough to see what went wrong, not a copy of a flood. */
export const DEAD_LETTER_PAYLOAD_CHARS = 4096;

/** A refused message, ready to store. */
export interface DeadLetterInput {
  /** "mqtt" or "http". */
  channel: 'mqtt' | 'http';
  /** MQTT topic, or the HTTP gateway's code. */
  source: string | null;
  /** Machine-readable reason (see DEAD_LETTER_REASONS). */
  reason: string;
  /** Human-readable detail naming the field or value. */
  detail: string;
  /** The sensor code the message claimed, when it could be read. */
  sensorCode: string | null;
  /** The payload as received (cut to DEAD_LETTER_PAYLOAD_CHARS). */
  payload: string | null;
}

/** A stored dead letter. */
export interface DeadLetterRow extends DeadLetterInput {
  /** Row id. */
  id: number;
  /** When ingest refused it (ISO 8601). */
  receivedAt: string;
}

/** Filters of `list`. */
export interface DeadLetterFilter {
  /** Only this reason. */
  reason?: string;
  /** Only letters received at or after this time. */
  since?: Date;
  /** At most this many rows, newest first (default 100, at most 1000). */
  limit?: number;
}

export function deadLettersRepository(db: Database) {
  return {
    /** Inserts refused messages in one statement (inside `tx` when given). */
    async insertMany(letters: readonly DeadLetterInput[], tx?: Orm): Promise<void> {
      if (letters.length === 0) return;
      const cut = (s: string | null) => (s === null ? null : s.slice(0, DEAD_LETTER_PAYLOAD_CHARS));
      await db.rows(
        sql`insert into dead_letters (channel, source, reason, detail, sensor_code, payload)
            select * from unnest(${pgArray(letters.map((l) => l.channel))}::text[],
                                 ${pgArray(letters.map((l) => l.source))}::text[],
                                 ${pgArray(letters.map((l) => l.reason))}::text[],
                                 ${pgArray(letters.map((l) => l.detail))}::text[],
                                 ${pgArray(letters.map((l) => l.sensorCode))}::text[],
                                 ${pgArray(letters.map((l) => cut(l.payload)))}::text[])`,
        tx,
      );
    },

    /** Recent dead letters, newest first. */
    async list(filter: DeadLetterFilter = {}): Promise<DeadLetterRow[]> {
      const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 100), 1), 1000);
      const reason = filter.reason ?? null;
      const since = filter.since ? filter.since.toISOString() : null;
      const rows = await db.rows<{
        id: string | number;
        received_at: Date | string;
        channel: 'mqtt' | 'http';
        source: string | null;
        reason: string;
        detail: string;
        sensor_code: string | null;
        payload: string | null;
      }>(sql`
        select id, received_at, channel, source, reason, detail, sensor_code, payload
        from dead_letters
        where (${reason}::text is null or reason = ${reason}::text)
          and (${since}::timestamptz is null or received_at >= ${since}::timestamptz)
        order by received_at desc, id desc
        limit ${limit}`);
      return rows.map((r) => ({
        id: Number(r.id),
        receivedAt: new Date(r.received_at).toISOString(),
        channel: r.channel,
        source: r.source,
        reason: r.reason,
        detail: r.detail,
        sensorCode: r.sensor_code,
        payload: r.payload,
      }));
    },

    /** How many dead letters each reason has (optionally since a time), most frequent first. */
    async countsByReason(since?: Date): Promise<{ reason: string; count: number }[]> {
      const s = since ? since.toISOString() : null;
      return db.rows<{ reason: string; count: number }>(sql`
        select reason, count(*)::int as count from dead_letters
        where (${s}::timestamptz is null or received_at >= ${s}::timestamptz)
        group by reason order by count desc, reason`);
    },
  };
}

export type DeadLettersRepository = ReturnType<typeof deadLettersRepository>;
