// Replay's reads and upkeep (issue 19): checkpoints of every sensor's state, the state of the city at a
// past instant rebuilt from the checkpoint before it and the transitions after it, the alarms and cases
// open then, and retention. Transitions are written by the sensor_state_stamp trigger (migration 0020).
import { sql } from 'drizzle-orm';
import type { Database, Orm } from '../client';
import { parseIntArray, pgArray } from '../pg-array';
import type { RecordedEvent } from '../../domain/case-history';
import { OPEN_STATES } from '../../domain/case-workflow';
import type { AlarmFeedItem } from '../../../src/lib/streams/contract';

/** The change-feed lock (migration 0002): writers of sensor state hold it shared until they commit. */
const FEED_LOCK = 727001;

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const ms = (v: Date | string) => (v instanceof Date ? v : new Date(v));

/** Sensors not normal at an instant, ascending by id, with their states. */
export interface AbnormalSensors {
  ids: number[];
  states: number[];
}

export interface Checkpoint extends AbnormalSensors {
  at: Date;
  seq: number;
}

/** An alarm as it stood at an instant, in the live alarm feed's shape. */
export type AlarmAt = AlarmFeedItem;

/** A case open at an instant, with its events up to then (oldest first) for the fold. */
export interface CaseEventsAt {
  id: number;
  code: string;
  category: string;
  streetName: string | null;
  streetNameEn: string | null;
  events: RecordedEvent[];
}

export function replayRepository(db: Database) {
  return {
    /**
     * Takes a checkpoint: with every writer of sensor state held off (the feed lock taken exclusively for
     * the moment it takes), the sensors not normal, the highest change number and the clock.
     */
    writeCheckpoint: (): Promise<Checkpoint> =>
      db.orm.transaction(async (txRaw) => {
        const tx = txRaw as unknown as Orm;
        await db.rows(sql`select pg_advisory_xact_lock(${FEED_LOCK})`, tx);
        const [row] = await db.rows<{
          at: Date | string;
          seq: string | number;
          ids: number[] | string;
          states: number[] | string;
        }>(
          sql`insert into replay_checkpoints (at, seq, sensor_ids, states)
              select clock_timestamp(),
                     (select coalesce(max(seq), 0) from sensor_state),
                     coalesce(array_agg(sensor_id order by sensor_id), '{}'),
                     coalesce(array_agg(state order by sensor_id), '{}')
              from sensor_state where state <> 0
              returning at, seq, sensor_ids as ids, states`,
          tx,
        );
        return {
          at: ms(row.at),
          seq: Number(row.seq),
          ids: parseIntArray(row.ids),
          states: parseIntArray(row.states),
        };
      }),

    /** The earliest and latest checkpoint instants (null when none was taken yet). */
    async window(): Promise<{ from: Date; to: Date } | null> {
      const [r] = await db.rows<{ first: Date | string | null; last: Date | string | null }>(
        // Rounded up to the millisecond (instants travel as ISO strings): the first instant with a checkpoint.
        sql`select date_trunc('milliseconds', min(at))
                     + case when min(at) > date_trunc('milliseconds', min(at)) then interval '1 millisecond'
                            else interval '0' end as first,
                   max(at) as last
            from replay_checkpoints`,
      );
      return r?.first && r.last ? { from: ms(r.first), to: ms(r.last) } : null;
    },

    /**
     * The sensors not normal at `at`: the latest checkpoint at or before it, and each sensor's latest
     * transition after that checkpoint and at or before `at`. Null when no checkpoint is that old.
     */
    async sensorsAt(at: Date): Promise<(AbnormalSensors & { checkpointAt: Date }) | null> {
      const [cp] = await db.rows<{
        at: Date | string;
        seq: string | number;
        ids: number[] | string;
        states: number[] | string;
      }>(
        sql`select at, seq, sensor_ids as ids, states from replay_checkpoints
            where at <= ${ts(at)} order by at desc limit 1`,
      );
      if (!cp) return null;
      const changes = await db.rows<{ sensor_id: number; state: number }>(
        sql`select distinct on (sensor_id) sensor_id, state from sensor_transitions
            where at > ${ts(ms(cp.at))} and at <= ${ts(at)} and seq > ${Number(cp.seq)}
            order by sensor_id, seq desc`,
      );
      const state = new Map<number, number>();
      const ids = parseIntArray(cp.ids);
      const states = parseIntArray(cp.states);
      ids.forEach((id, i) => state.set(id, states[i]));
      for (const c of changes) state.set(c.sensor_id, c.state);
      const out: AbnormalSensors = { ids: [], states: [] };
      for (const id of [...state.keys()].sort((a, b) => a - b)) {
        const s = state.get(id)!;
        if (s === 0) continue;
        out.ids.push(id);
        out.states.push(s);
      }
      return { ...out, checkpointAt: ms(cp.at) };
    },

    /** How many sensors each family has now. */
    familyTotals: () =>
      db.rows<{ family: string; sensors: number }>(
        sql`select t.code as family, count(s.id)::int as sensors
            from sensor_types t left join sensors s on s.type_id = t.id group by t.code order by t.code`,
      ),

    /** The family of each of these sensors (those still registered). */
    async familiesOf(ids: readonly number[]): Promise<Map<number, string>> {
      if (ids.length === 0) return new Map();
      const rows = await db.rows<{ id: number; family: string }>(
        sql`select s.id, t.code as family from sensors s join sensor_types t on t.id = s.type_id
            where s.id = any(${pgArray(ids)}::int[])`,
      );
      return new Map(rows.map((r) => [r.id, r.family]));
    },

    /**
     * Alarms open at `at`: opened by then and not yet cleared. Acknowledgement and escalation count only
     * if they came by then (an alarm escalated twice shows its level from its last escalation on).
     */
    async alarmsAt(at: Date): Promise<AlarmAt[]> {
      const rows = await db.rows<{
        id: string | number;
        sensor_id: number;
        sensor_code: string;
        rule_id: string;
        severity: number;
        opened_at: Date | string;
        acknowledged_at: Date | string | null;
        acknowledged_by: string | null;
        escalation_level: number;
        case_code: string | null;
      }>(
        sql`select a.id, a.sensor_id, s.code as sensor_code, a.rule_id, a.severity, a.opened_at,
                   case when a.acknowledged_at <= ${ts(at)} then a.acknowledged_at end as acknowledged_at,
                   case when a.acknowledged_at <= ${ts(at)} then u.display_name end as acknowledged_by,
                   case when a.escalated_at <= ${ts(at)} then a.escalation_level else 0 end as escalation_level,
                   case when c.created_at <= ${ts(at)} then c.code end as case_code
            from alarms a
            join sensors s on s.id = a.sensor_id
            left join users u on u.id = a.acknowledged_by
            left join cases c on c.id = a.case_id
            where a.opened_at <= ${ts(at)} and (a.cleared_at is null or a.cleared_at > ${ts(at)})
            order by a.opened_at desc, a.id desc`,
      );
      return rows.map((r) => {
        const acknowledgedAt = r.acknowledged_at === null ? null : ms(r.acknowledged_at).toISOString();
        return {
          id: Number(r.id),
          sensorId: r.sensor_id,
          sensorCode: r.sensor_code,
          ruleId: r.rule_id,
          severity: r.severity === 2 ? 2 : 1,
          status: acknowledgedAt ? 'acknowledged' : 'open',
          openedAt: ms(r.opened_at).toISOString(),
          acknowledgedBy: r.acknowledged_by,
          acknowledgedAt,
          clearedAt: null,
          escalationLevel: Number(r.escalation_level),
          caseCode: r.case_code,
          seq: 0,
        };
      });
    },

    /** The first instant after `at` (and at most `until`) when a sensor, an alarm or a case changed. */
    async nextChange(at: Date, until: Date): Promise<Date | null> {
      const [r] = await db.rows<{ next: Date | string | null }>(
        sql`select least(
              (select min(at) from sensor_transitions where at > ${ts(at)} and at <= ${ts(until)}),
              (select min(opened_at) from alarms where opened_at > ${ts(at)} and opened_at <= ${ts(until)}),
              (select min(acknowledged_at) from alarms
                where acknowledged_at > ${ts(at)} and acknowledged_at <= ${ts(until)}),
              (select min(cleared_at) from alarms where cleared_at > ${ts(at)} and cleared_at <= ${ts(until)}),
              (select min(at) from case_events where at > ${ts(at)} and at <= ${ts(until)})
            ) as next`,
      );
      return r?.next ? ms(r.next) : null;
    },

    /** Cases whose state at `at` was still open, each with its events up to then. */
    async openCasesAt(at: Date): Promise<CaseEventsAt[]> {
      const rows = await db.rows<{
        id: number;
        code: string;
        category: string;
        street_name: string | null;
        street_name_en: string | null;
        at: Date | string;
        action: string;
        from_state: string | null;
        to_state: string | null;
        data: Record<string, unknown> | null;
      }>(
        sql`with last as (
              select distinct on (case_id) case_id, to_state from case_events
              where at <= ${ts(at)} and to_state is not null
              order by case_id, at desc, id desc
            )
            select c.id, c.code, c.category, s.name as street_name, s.name_en as street_name_en, e.at, e.action, e.from_state, e.to_state, e.data
            from last l
            join cases c on c.id = l.case_id
            left join streets s on s.id = c.street_id
            join case_events e on e.case_id = l.case_id and e.at <= ${ts(at)}
            where l.to_state = any(${pgArray(OPEN_STATES)}::text[])
            order by c.id, e.at, e.id`,
      );
      const out: CaseEventsAt[] = [];
      for (const r of rows) {
        let c = out.at(-1);
        if (!c || c.id !== r.id) {
          c = {
            id: r.id,
            code: r.code,
            category: r.category,
            streetName: r.street_name,
            streetNameEn: r.street_name_en,
            events: [],
          };
          out.push(c);
        }
        c.events.push({
          at: ms(r.at).toISOString(),
          action: r.action,
          fromState: r.from_state as RecordedEvent['fromState'],
          toState: r.to_state as RecordedEvent['toState'],
          data: r.data,
        });
      }
      return out;
    },

    /** Bookmarks whose instant lies in [from, to), earliest first (at most `limit`). */
    bookmarks: (from: Date, to: Date, limit = 200) =>
      db
        .rows<{
          id: number;
          from_at: Date | string;
          to_at: Date | string | null;
          note: string;
          created_by: number | null;
          author: string | null;
        }>(
          sql`select b.id, b.from_at, b.to_at, b.note, b.created_by, u.display_name as author
              from replay_bookmarks b left join users u on u.id = b.created_by
              where b.from_at >= ${ts(from)} and b.from_at < ${ts(to)}
              order by b.from_at, b.id limit ${limit}`,
        )
        .then((rows) =>
          rows.map((r) => ({
            id: r.id,
            fromAt: ms(r.from_at),
            toAt: r.to_at === null ? null : ms(r.to_at),
            note: r.note,
            createdBy: r.created_by,
            author: r.author,
          })),
        ),

    async addBookmark(b: { fromAt: Date; toAt: Date | null; note: string; createdBy: number }) {
      const [r] = await db.rows<{ id: number }>(
        sql`insert into replay_bookmarks (from_at, to_at, note, created_by)
            values (${ts(b.fromAt)}, ${b.toAt ? ts(b.toAt) : null}, ${b.note}, ${b.createdBy}) returning id`,
      );
      return r.id;
    },

    /** Deletes a bookmark; with `onlyBy`, only if that user made it. Whether one was deleted. */
    async deleteBookmark(id: number, onlyBy: number | null): Promise<'deleted' | 'not_found' | 'not_yours'> {
      const [row] = await db.rows<{ created_by: number | null }>(
        sql`select created_by from replay_bookmarks where id = ${id}`,
      );
      if (!row) return 'not_found';
      if (onlyBy !== null && row.created_by !== onlyBy) return 'not_yours';
      await db.rows(sql`delete from replay_bookmarks where id = ${id}`);
      return 'deleted';
    },

    /**
     * Retention: checkpoints taken before `before` go, except the newest of them (the base of the first
     * retained instants), and so do the transitions that checkpoint already holds.
     */
    async prune(before: Date): Promise<{ checkpoints: number; transitions: number }> {
      return db.orm.transaction(async (txRaw) => {
        const tx = txRaw as unknown as Orm;
        const [base] = await db.rows<{ id: string | number; at: Date | string; seq: string | number }>(
          sql`select id, at, seq from replay_checkpoints where at < ${ts(before)} order by at desc limit 1`,
          tx,
        );
        if (!base) return { checkpoints: 0, transitions: 0 };
        const gone = await db.rows<{ n: number }>(
          sql`with d as (delete from replay_checkpoints where at < ${ts(before)} and id <> ${Number(base.id)}
                         returning 1)
              select count(*)::int as n from d`,
          tx,
        );
        const old = await db.rows<{ n: number }>(
          sql`with d as (delete from sensor_transitions
                         where at <= ${ts(ms(base.at))} and seq <= ${Number(base.seq)} returning 1)
              select count(*)::int as n from d`,
          tx,
        );
        return { checkpoints: gone[0].n, transitions: old[0].n };
      });
    },
  };
}

export type ReplayRepository = ReturnType<typeof replayRepository>;
