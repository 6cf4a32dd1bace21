// The public transparency view's reads: aggregates only. Every query groups in SQL and returns counts
// with street, department, category-group and month keys; no caller detail, complaint text, address or
// point ever leaves the database through this file. Months are Shanghai calendar months (UTC+8).
import { sql } from 'drizzle-orm';
import { GRID, GRID_METRES_PER_DEGREE_LON } from '../../domain/disclosure';
import type { Database } from '../client';

/** Tickets and cases of one street, category group and month. */
export interface StreetGroupMonthRow {
  /** "YYYY-MM" in Shanghai time. */
  month: string;
  /** Null for reports outside every street or not placed. */
  streetCode: string | null;
  streetName: string | null;
  streetNameEn: string | null;
  districtName: string | null;
  districtNameEn: string | null;
  /** Category group code (大类), "other" when unclassified. */
  group: string;
  tickets: number;
  cases: number;
}

/** One department's case volumes in the window. */
export interface DepartmentVolumeRow {
  departmentCode: string;
  name: string;
  nameEn: string;
  /** "functional", "street_office" or "service_center". */
  kind: string;
  /** Cases assigned to it, created in the window. */
  cases: number;
  /** Of those, resolved. */
  resolved: number;
  /** Resolved with a deadline set: the base of the on-time rate. */
  resolvedWithDeadline: number;
  /** Resolved no later than the deadline. */
  onTime: number;
  /** Rated by the citizen at the call-back. */
  rated: number;
  /** Rated satisfied or partly satisfied. */
  satisfied: number;
}

/** Reports, cases and resolutions per month. */
export interface TrendRow {
  month: string;
  tickets: number;
  cases: number;
  resolved: number;
}

/** Tickets per grid cell (see GRID in server/domain/disclosure.ts). */
export interface CellCountRow {
  ix: number;
  iy: number;
  /** Tickets received in the window. */
  tickets: number;
}

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
/** "YYYY-MM" of a timestamptz column in Shanghai time, independent of the session's time zone. */
const monthOf = (col: string) =>
  sql.raw(`to_char((${col} at time zone 'UTC') + interval '8 hours', 'YYYY-MM')`);
const groupOf = (col: string) => sql.raw(`coalesce(nullif(split_part(${col}, '.', 1), ''), 'other')`);
const n = (v: unknown) => Number(v ?? 0);

export function publicRepository(db: Database) {
  return {
    /** Tickets (by receipt) and cases (by creation) per street × category group × month since `since`. */
    async streetGroupMonths(since: Date, until: Date): Promise<StreetGroupMonthRow[]> {
      const rows = await db.rows<Record<string, unknown>>(sql`
        with t as (
          select ${monthOf('received_at')} as month, street_id, ${groupOf('category')} as grp, count(*) as n
          from hotline_tickets where received_at >= ${ts(since)} and received_at < ${ts(until)}
          group by 1, 2, 3
        ), c as (
          select ${monthOf('created_at')} as month, street_id, ${groupOf('category')} as grp, count(*) as n
          from cases where created_at >= ${ts(since)} and created_at < ${ts(until)}
          group by 1, 2, 3
        ), k as (
          select coalesce(t.month, c.month) as month, coalesce(t.street_id, c.street_id) as street_id,
                 coalesce(t.grp, c.grp) as grp, coalesce(t.n, 0) as tickets, coalesce(c.n, 0) as cases
          from t full join c on c.month = t.month and c.grp = t.grp
                             and c.street_id is not distinct from t.street_id
        )
        select k.month, s.code as "streetCode", s.name as "streetName", s.name_en as "streetNameEn",
               d.name as "districtName", d.name_en as "districtNameEn", k.grp as "group", k.tickets, k.cases
        from k left join streets s on s.id = k.street_id left join districts d on d.id = s.district_id
        order by k.month, s.id nulls last, k.grp`);
      return rows.map((r) => ({
        month: String(r.month),
        streetCode: (r.streetCode as string | null) ?? null,
        streetName: (r.streetName as string | null) ?? null,
        streetNameEn: (r.streetNameEn as string | null) ?? null,
        districtName: (r.districtName as string | null) ?? null,
        districtNameEn: (r.districtNameEn as string | null) ?? null,
        group: String(r.group),
        tickets: n(r.tickets),
        cases: n(r.cases),
      }));
    },

    /** Per department: cases created in the window, resolved, on time, rated and satisfied (+ partly). */
    async departmentVolumes(since: Date, until: Date): Promise<DepartmentVolumeRow[]> {
      const rows = await db.rows<Record<string, unknown>>(sql`
        select d.code as "departmentCode", d.name, d.name_en as "nameEn", d.kind,
               count(c.id) as cases,
               count(c.resolved_at) as resolved,
               count(*) filter (where c.resolved_at is not null and c.due_at is not null) as "resolvedWithDeadline",
               count(*) filter (where c.resolved_at is not null and c.resolved_at <= c.due_at) as "onTime",
               count(c.rating) as rated,
               count(*) filter (where c.rating in ('satisfied', 'partly')) as satisfied
        from departments d
        left join cases c on c.department_id = d.id and c.created_at >= ${ts(since)} and c.created_at < ${ts(until)}
        group by d.id
        order by d.id`);
      return rows.map((r) => ({
        departmentCode: String(r.departmentCode),
        name: String(r.name),
        nameEn: String(r.nameEn),
        kind: String(r.kind),
        cases: n(r.cases),
        resolved: n(r.resolved),
        resolvedWithDeadline: n(r.resolvedWithDeadline),
        onTime: n(r.onTime),
        rated: n(r.rated),
        satisfied: n(r.satisfied),
      }));
    },

    /** Tickets received, cases created and cases resolved per month since `since`. */
    async trend(since: Date, until: Date): Promise<TrendRow[]> {
      const rows = await db.rows<Record<string, unknown>>(sql`
        with t as (select ${monthOf('received_at')} as month, count(*) as n from hotline_tickets
                   where received_at >= ${ts(since)} and received_at < ${ts(until)} group by 1),
             c as (select ${monthOf('created_at')} as month, count(*) as n from cases
                   where created_at >= ${ts(since)} and created_at < ${ts(until)} group by 1),
             r as (select ${monthOf('resolved_at')} as month, count(*) as n from cases
                   where resolved_at >= ${ts(since)} and resolved_at < ${ts(until)} group by 1),
             m as (select month from t union select month from c union select month from r)
        select m.month, coalesce(t.n, 0) as tickets, coalesce(c.n, 0) as cases, coalesce(r.n, 0) as resolved
        from m left join t using (month) left join c using (month) left join r using (month)
        order by m.month`);
      return rows.map((r) => ({
        month: String(r.month),
        tickets: n(r.tickets),
        cases: n(r.cases),
        resolved: n(r.resolved),
      }));
    },

    /** Tickets received in a window. */
    async ticketCount(since: Date, until: Date): Promise<number> {
      const [r] = await db.rows<{ n: unknown }>(sql`
        select count(*) as n from hotline_tickets where received_at >= ${ts(since)} and received_at < ${ts(until)}`);
      return n(r?.n);
    },

    /** Tickets per cell of `metres` received since `since`; the cell is computed in SQL from the point. */
    async cellCounts(metres: number, since: Date, until: Date): Promise<CellCountRow[]> {
      const rows = await db.rows<Record<string, unknown>>(sql`
        select ix, iy, count(*) as tickets from (
          select floor((ST_X(geom) - ${GRID.lon0}::float8) * ${GRID_METRES_PER_DEGREE_LON}::float8 / ${metres}::float8)::int as ix,
                 floor((ST_Y(geom) - ${GRID.lat0}::float8) * ${GRID.metresPerDegree}::float8 / ${metres}::float8)::int as iy
          from hotline_tickets
          where geom is not null and received_at >= ${ts(since)} and received_at < ${ts(until)}
        ) x
        group by ix, iy
        order by iy, ix`);
      return rows.map((r) => ({ ix: n(r.ix), iy: n(r.iy), tickets: n(r.tickets) }));
    },
  };
}

export type PublicRepository = ReturnType<typeof publicRepository>;
