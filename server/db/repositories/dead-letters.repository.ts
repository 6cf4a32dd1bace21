// Dead letters: device messages ingest refused, with the reason. The only code that reads or writes
// dead_letters. Inserts are batched (one statement per batch, arrays as single parameters).
import { sql } from 'drizzle-orm';
import type { Database, Orm } from '../client';
import { pgArray } from '../pg-array';

/** Payloads are kept only this long (characters): enough to see what went wrong, not a copy of a flood. */
export const DEAD_LETTER_PAYLOAD_CHARS = 4096;

/** Appended to a payload that was cut, with the size received, so the view shows it is not the whole. */
export function truncationMarker(received: number, unit: 'bytes' | 'chars'): string {
  return `…[truncated: ${received} ${unit} received]`;
}

/** A payload as stored: at most DEAD_LETTER_PAYLOAD_CHARS, and marked when it was longer. */
export function cutPayload(text: string, received = text.length, unit: 'bytes' | 'chars' = 'chars'): string {
  if (text.length <= DEAD_LETTER_PAYLOAD_CHARS && received <= DEAD_LETTER_PAYLOAD_CHARS) return text;
  return text.slice(0, DEAD_LETTER_PAYLOAD_CHARS) + truncationMarker(received, unit);
}

/**
 * Text PostgreSQL can store: a NUL character (binary garbage, or "\u0000" in a gateway's JSON) makes the
 * insert fail, and with it the whole batch on every retry. It is kept as the visible symbol ␀ instead.
 */
function text<T extends string | null>(s: T): T {
  return (s !== null && s.includes('\u0000') ? s.replaceAll('\u0000', '\u2400') : s) as T;
}

/** How many dead letters to keep (config DEAD_LETTER_RETENTION_DAYS and DEAD_LETTER_MAX_ROWS). */
export interface DeadLetterRetention {
  /** Rows older than this many days are deleted. */
  days: number;
  /** Beyond this many rows the oldest are deleted. */
  maxRows: number;
}

/** Every dead letter counted for one reason, including those retention has trimmed. */
export interface DeadLetterTally {
  /** Machine-readable reason. */
  reason: string;
  /** Dead letters counted (kept and trimmed). */
  count: number;
  /** Of them, still kept in dead_letters. */
  kept: number;
  /** When the last one arrived (ISO 8601). */
  lastAt: string;
}

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
      // A payload already cut upstream carries its marker, which may run past the limit: keep it whole.
      const max = DEAD_LETTER_PAYLOAD_CHARS + 64;
      const cut = (s: string | null) => text(s === null ? null : s.length > max ? cutPayload(s) : s);
      // The tally is counted in the same statement (and transaction) as the rows, in reason order so two
      // writers lock the tally rows in one order.
      await db.rows(
        sql`with letters as (
              insert into dead_letters (channel, source, reason, detail, sensor_code, payload)
              select * from unnest(${pgArray(letters.map((l) => l.channel))}::text[],
                                 ${pgArray(letters.map((l) => text(l.source)))}::text[],
                                 ${pgArray(letters.map((l) => l.reason))}::text[],
                                 ${pgArray(letters.map((l) => text(l.detail)))}::text[],
                                 ${pgArray(letters.map((l) => text(l.sensorCode)))}::text[],
                                 ${pgArray(letters.map((l) => cut(l.payload)))}::text[])
              returning reason)
            insert into dead_letter_tallies (reason, count, last_at)
            select reason, count(*), now() from letters group by reason order by reason
            on conflict (reason) do update
              set count = dead_letter_tallies.count + excluded.count, last_at = excluded.last_at`,
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

    /** Every dead letter counted per reason (trimmed ones too) and how many are still kept, most first. */
    async tallies(): Promise<DeadLetterTally[]> {
      const rows = await db.rows<{
        reason: string;
        count: string | number;
        kept: number;
        last_at: Date | string;
      }>(
        sql`select t.reason, t.count, coalesce(k.kept, 0)::int as kept, t.last_at
            from dead_letter_tallies t
            left join (select reason, count(*) as kept from dead_letters group by reason) k using (reason)
            order by t.count desc, t.reason`,
      );
      return rows.map((r) => ({
        reason: r.reason,
        count: Number(r.count),
        kept: r.kept,
        lastAt: new Date(r.last_at).toISOString(),
      }));
    },

    /**
     * Deletes dead letters older than `retention.days` before `now`, then the oldest beyond
     * `retention.maxRows`; their counts stay in the tallies. Returns how many rows went.
     */
    async trim(now: Date, retention: DeadLetterRetention): Promise<{ expired: number; overCap: number }> {
      const cutoff = new Date(now.getTime() - retention.days * 86_400_000).toISOString();
      const expired = await db.rows<{ n: number }>(sql`
        with gone as (delete from dead_letters where received_at < ${cutoff}::timestamptz returning 1)
        select count(*)::int as n from gone`);
      // The newest maxRows by id (ids grow with arrival) stay.
      const overCap = await db.rows<{ n: number }>(sql`
        with edge as (select id from dead_letters order by id desc offset ${retention.maxRows} limit 1),
             gone as (delete from dead_letters where id <= (select id from edge) returning 1)
        select count(*)::int as n from gone`);
      return { expired: expired[0].n, overCap: overCap[0].n };
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
