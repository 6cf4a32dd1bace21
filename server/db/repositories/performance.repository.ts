// Department performance's reads and writes: case holdings cut from the event log in SQL (the 1M-case
// path: one row per case and unit-holding instead of every event), the raw events of the same cases (to
// prove the SQL cut equals the domain's), units, case codes, scheme versions and score snapshots.
import { sql, type SQL } from 'drizzle-orm';
import type { PerformanceUnit, Scheme, SchemeRecord } from '../../../src/lib/api/performance';
import type { Rating } from '../../domain/case-workflow';
import type { CaseEvents, Holding, HoldingStart } from '../../domain/kpis';
import type { Database, Orm } from '../client';

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const iso = (v: unknown) => new Date(v as string).toISOString();
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const nums = (v: unknown): number[] => {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.map(Number);
  // An unparsed array literal "{1,2}" (a driver that leaves float8[] as text).
  return String(v).replace(/[{}]/g, '').split(',').filter(Boolean).map(Number);
};

const STARTS = sql.raw(`('dispatch','reassign','reopen')`);
const NEEDED = sql.raw(
  `('dispatch','reassign','reopen','sign','request_extension','decide_extension','resolve','return','rate')`,
);
const OPEN = sql.raw(`('received','dispatched','returned','signed','in_progress')`);
const msOf = (expr: string) => sql.raw(`(extract(epoch from ${expr}) * 1000)::float8`);

/**
 * Cases that can matter for the period [from, to): created before its end and changed in it or later, or
 * still open. The cases row is only an index here (every action bumps updated_at); the KPIs come from
 * events. A case last changed before the period and not open can have no decisive moment in it.
 */
const candidates = (from: Date, to: Date, alias = 'c') =>
  sql`${sql.raw(alias)}.created_at < ${ts(to)} and (${sql.raw(alias)}.updated_at >= ${ts(from)} or ${sql.raw(alias)}.state in ${OPEN})`;

/** A scheme version row → the record the API shows. */
function recordOf(r: Record<string, unknown>): SchemeRecord {
  const stored = json<Omit<Scheme, 'id' | 'name' | 'version'>>(r.scheme);
  return {
    scheme: {
      id: Number(r.id),
      name: String(r.name),
      version: Number(r.version),
      totalPoints: stored.totalPoints,
      items: stored.items,
    },
    createdAt: iso(r.created_at),
    createdBy: num(r.created_by),
    active: Boolean(r.active),
  };
}

/** One unit's month as stored. */
export interface SnapshotRow {
  departmentId: number;
  kpis: unknown;
  score: unknown;
  computedAt: string;
}

export function performanceRepository(db: Database) {
  return {
    /**
     * The holdings of every case that can matter for [from, to), cut in SQL exactly as holdingsOf cuts
     * events (a holding starts at dispatch, reassign or reopen), with the sensor alarm on the first one.
     * `caseIdRange` splits the work so several connections can run it side by side.
     */
    async holdings(from: Date, to: Date, caseIdRange?: [number, number]): Promise<Holding[]> {
      const range = caseIdRange ? sql`and c.id >= ${caseIdRange[0]} and c.id < ${caseIdRange[1]}` : sql``;
      // One pass over millions of events: JIT compilation costs more than it saves here, and the sorts
      // behind the window functions should stay in memory.
      const rows = await db.orm.transaction(async (t) => {
        const tx = t as unknown as Orm;
        await db.rows(sql`set local jit = off`, tx).catch(() => {});
        await db.rows(sql`set local work_mem = '64MB'`, tx);
        return db.rows<Record<string, unknown>>(
          sql`
        with ev as (
          select e.case_id, e.at, e.action,
                 case when e.action in ${STARTS} then (e.data->>'departmentId')::int end as department_id,
                 case when e.action in ${STARTS} then e.data->>'signDueAt'
                      when e.action = 'sign' or (e.action = 'decide_extension' and e.data->>'approved' = 'true')
                      then e.data->>'dueAt' end as due,
                 e.action = 'decide_extension' and e.data->>'approved' = 'true' as approved,
                 case when e.action = 'rate' and e.data->>'rating' in ('satisfied','partly','unsatisfied')
                      then e.data->>'rating' end as rating,
                 count(*) filter (where e.action in ${STARTS})
                   over (partition by e.case_id order by e.at, e.id) as h
          from case_events e
          where e.action in ${NEEDED}
            and e.case_id in (select c.id from cases c where ${candidates(from, to)} ${range})
        ),
        hold as (
          select case_id, h,
                 min(at) filter (where action in ${STARTS}) as started_at,
                 min(action) filter (where action in ${STARTS}) as started_by,
                 min(department_id) as department_id,
                 min(due::timestamptz) filter (where action in ${STARTS}) as sign_due_at,
                 min(at) filter (where action = 'sign') as signed_at,
                 max(due::timestamptz) filter (where action not in ${STARTS}) as due_at,
                 min(at) filter (where action = 'resolve') as resolved_at,
                 min(at) filter (where action = 'return') as returned_at,
                 array_agg(${msOf('at')}) filter (where action = 'request_extension') as ext_req,
                 array_agg(${msOf('at')}) filter (where approved) as ext_ok,
                 min(rating) as rating,
                 min(at) filter (where rating is not null) as rated_at
          from ev where h > 0
          group by case_id, h
        ),
        owned as (
          select hold.*, coalesce(department_id, lag(department_id) over w) as dep
          from hold window w as (partition by case_id order by h)
        ),
        linked as (
          select owned.*,
                 lead(started_by) over w as next_by,
                 lead(started_at) over w as next_at,
                 lead(dep) over w as next_dep
          from owned where dep is not null
          window w as (partition by case_id order by h)
        ),
        alarm as (
          select distinct on (a.case_id) a.case_id, a.opened_at, a.acknowledged_at
          from alarms a where a.case_id is not null
          order by a.case_id, a.opened_at, a.id
        )
        select l.case_id, l.dep, l.started_by, ${msOf('l.started_at')} as started_at,
               ${msOf('l.sign_due_at')} as sign_due_at, ${msOf('l.signed_at')} as signed_at,
               ${msOf('l.due_at')} as due_at, ${msOf('l.resolved_at')} as resolved_at,
               ${msOf('l.returned_at')} as returned_at, l.ext_req, l.ext_ok, l.rating,
               ${msOf('l.rated_at')} as rated_at, l.next_by, ${msOf('l.next_at')} as next_at, l.next_dep,
               ${msOf('al.opened_at')} as alarm_opened_at, ${msOf('al.acknowledged_at')} as alarm_ack_at
        from linked l left join alarm al on al.case_id = l.case_id and l.h = 1`,
          tx,
        );
      });
      return rows.map((r) => ({
        caseId: Number(r.case_id),
        departmentId: Number(r.dep),
        startedBy: r.started_by as HoldingStart,
        startedAt: Number(r.started_at),
        signDueAt: num(r.sign_due_at),
        signedAt: num(r.signed_at),
        dueAt: num(r.due_at),
        resolvedAt: num(r.resolved_at),
        returnedAt: num(r.returned_at),
        extensionRequestedAt: nums(r.ext_req).sort((a, b) => a - b),
        extensionApprovedAt: nums(r.ext_ok).sort((a, b) => a - b),
        rating: (r.rating ?? null) as Rating | null,
        ratedAt: num(r.rated_at),
        next:
          r.next_by === null || r.next_by === undefined
            ? null
            : {
                startedBy: r.next_by as HoldingStart,
                startedAt: Number(r.next_at),
                departmentId: Number(r.next_dep),
              },
        alarm:
          r.alarm_opened_at === null || r.alarm_opened_at === undefined
            ? null
            : { openedAt: Number(r.alarm_opened_at), acknowledgedAt: num(r.alarm_ack_at) },
      }));
    },

    /** The same cases' raw events grouped by case (small periods and tests: every event row is shipped). */
    async caseEvents(from: Date, to: Date): Promise<CaseEvents[]> {
      const rows = await db.rows<Record<string, unknown>>(sql`
        select e.case_id, e.at, e.action, e.data
        from case_events e join cases c on c.id = e.case_id
        where ${candidates(from, to)}
        order by e.case_id, e.at, e.id`);
      const alarms = await db.rows<Record<string, unknown>>(sql`
        select distinct on (a.case_id) a.case_id, a.opened_at, a.acknowledged_at
        from alarms a join cases c on c.id = a.case_id
        where ${candidates(from, to)}
        order by a.case_id, a.opened_at, a.id`);
      const alarmOf = new Map(
        alarms.map((a) => [
          Number(a.case_id),
          {
            openedAt: iso(a.opened_at),
            acknowledgedAt: a.acknowledged_at === null ? null : iso(a.acknowledged_at),
          },
        ]),
      );
      const out: CaseEvents[] = [];
      for (const r of rows) {
        const caseId = Number(r.case_id);
        let c = out[out.length - 1];
        if (!c || c.caseId !== caseId) {
          c = { caseId, events: [], alarm: alarmOf.get(caseId) ?? null };
          out.push(c);
        }
        (c.events as CaseEvents['events'][number][]).push({
          at: iso(r.at),
          action: String(r.action),
          data: r.data === null ? null : json<Record<string, unknown>>(r.data),
        });
      }
      return out;
    },

    /** Smallest and largest case id, for splitting the holdings query. */
    async caseIdBounds(): Promise<{ min: number; max: number } | null> {
      const [r] = await db.rows<{ min: unknown; max: unknown }>(
        sql`select min(id) as min, max(id) as max from cases`,
      );
      return r && r.min !== null ? { min: Number(r.min), max: Number(r.max) } : null;
    },

    /** Every unit that receives work orders. */
    async units(): Promise<PerformanceUnit[]> {
      const rows = await db.rows<Record<string, unknown>>(
        sql`select id, code, name, name_en, kind from departments order by id`,
      );
      return rows.map((r) => ({
        departmentId: Number(r.id),
        code: String(r.code),
        name: String(r.name),
        nameEn: String(r.name_en),
        kind: String(r.kind),
      }));
    },

    /** Codes of cases by id. */
    async caseCodes(ids: readonly number[]): Promise<Map<number, string>> {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return new Map();
      const rows = await db.rows<{ id: unknown; code: string }>(
        sql`select id, code from cases where id = any(${`{${unique.join(',')}}`}::int[])`,
      );
      return new Map(rows.map((r) => [Number(r.id), r.code]));
    },

    /** All scheme versions, newest first. */
    async schemes(): Promise<SchemeRecord[]> {
      const rows = await db.rows<Record<string, unknown>>(
        sql`select * from scoring_schemes order by created_at desc, id desc`,
      );
      return rows.map(recordOf);
    },

    /** One version, or the active one when `id` is absent; null when there is none. */
    async scheme(id?: number): Promise<SchemeRecord | null> {
      const where: SQL = id === undefined ? sql`active order by id desc limit 1` : sql`id = ${id}`;
      const [r] = await db.rows<Record<string, unknown>>(sql`select * from scoring_schemes where ${where}`);
      return r ? recordOf(r) : null;
    },

    /**
     * Stores a scheme as the next version of its name (older versions stay as they are); `activate` makes
     * it the one rankings use.
     */
    async insertScheme(
      s: Pick<Scheme, 'name' | 'totalPoints' | 'items'>,
      createdBy: number | null,
      activate: boolean,
      now: Date,
    ): Promise<SchemeRecord> {
      const body = JSON.stringify({ totalPoints: s.totalPoints, items: s.items });
      return db.orm.transaction(async (t) => {
        const tx = t as unknown as Orm;
        if (activate) await db.rows(sql`update scoring_schemes set active = false where active`, tx);
        const [r] = await db.rows<Record<string, unknown>>(
          sql`
          insert into scoring_schemes (name, version, scheme, created_at, created_by, active)
          select ${s.name}, coalesce(max(version), 0) + 1, ${body}::jsonb, ${ts(now)}, ${createdBy}, ${activate}
          from scoring_schemes where name = ${s.name}
          returning *`,
          tx,
        );
        return recordOf(r);
      });
    },

    /** Stores (or replaces) a month's snapshots of one scheme version. */
    async saveSnapshots(
      schemeId: number,
      month: string,
      rows: readonly { departmentId: number; kpis: unknown; score: unknown }[],
      computedAt: Date,
    ): Promise<void> {
      for (let i = 0; i < rows.length; i += 50) {
        const values = rows
          .slice(i, i + 50)
          .map(
            (r) =>
              sql`(${schemeId}, ${month}, ${r.departmentId}, ${JSON.stringify(r.kpis)}::jsonb, ${JSON.stringify(r.score)}::jsonb, ${ts(computedAt)})`,
          );
        await db.rows(sql`
          insert into score_snapshots (scheme_id, month, department_id, kpis, score, computed_at)
          values ${sql.join(values, sql`, `)}
          on conflict (scheme_id, month, department_id)
          do update set kpis = excluded.kpis, score = excluded.score, computed_at = excluded.computed_at`);
      }
    },

    /** A month's stored snapshots of one scheme version, by department. */
    async snapshots(schemeId: number, month: string): Promise<SnapshotRow[]> {
      const rows = await db.rows<Record<string, unknown>>(sql`
        select department_id, kpis, score, computed_at from score_snapshots
        where scheme_id = ${schemeId} and month = ${month} order by department_id`);
      return rows.map((r) => ({
        departmentId: Number(r.department_id),
        kpis: json(r.kpis),
        score: json(r.score),
        computedAt: iso(r.computed_at),
      }));
    },
  };
}

export type PerformanceRepository = ReturnType<typeof performanceRepository>;
