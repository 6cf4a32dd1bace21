// Resource allocation's reads and writes: daily demand counts, each unit's recent performance, staff
// capacity and accepted decisions. Days and hours are Shanghai time (UTC+8, no daylight saving), computed
// from epoch seconds so PGlite and PostgreSQL agree without time-zone data.
import { sql } from 'drizzle-orm';
import type { AllocationDecision, Recommendation, UnitCapacity } from '../../../src/lib/api/allocation';
import type { AllocationData, CellHours } from '../../domain/allocation';
import type { Database } from '../client';

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const iso = (v: unknown) => new Date(v as string).toISOString();
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

const SHANGHAI_OFFSET_S = 8 * 3600;
const DAY_S = 86_400;
/** The Shanghai day number (days since 1970-01-01) of an instant. */
export const shanghaiDay = (d: Date) => Math.floor((d.getTime() / 1000 + SHANGHAI_OFFSET_S) / DAY_S);
/** The instant a Shanghai day starts. */
const dayStart = (day: number) => new Date((day * DAY_S - SHANGHAI_OFFSET_S) * 1000);
const daySql = (column: string) =>
  sql.raw(`floor((extract(epoch from ${column}) + ${SHANGHAI_OFFSET_S}) / ${DAY_S})::int`);
const hourSql = (column: string) =>
  sql.raw(
    `floor(mod((extract(epoch from ${column}) + ${SHANGHAI_OFFSET_S})::numeric, ${DAY_S}) / 3600)::int`,
  );

const OPEN = sql`('received','dispatched','returned','signed','in_progress')`;
/** On-time rate and handling time look back this far. */
const PERFORMANCE_DAYS = 56;

export function allocationRepository(db: Database) {
  /** Decisions, newest first (or the one with `id`). */
  async function decisions(limit = 100, id?: number): Promise<AllocationDecision[]> {
    const rows = await db.rows<Record<string, unknown>>(sql`
      select a.id, a.decided_at, a.user_id, u.display_name, a.kind, a.payload, a.note
      from allocation_decisions a left join users u on u.id = a.user_id
      where ${id === undefined ? sql`true` : sql`a.id = ${id}`}
      order by a.decided_at desc, a.id desc limit ${limit}`);
    return rows.map((r) => ({
      id: Number(r.id),
      decidedAt: iso(r.decided_at),
      userId: num(r.user_id),
      userName: r.display_name === null || r.display_name === undefined ? null : String(r.display_name),
      kind: String(r.kind),
      payload: json<Recommendation>(r.payload),
      note: r.note === null || r.note === undefined ? null : String(r.note),
    }));
  }

  return {
    /**
     * Everything the plan needs: daily series of the `days` full days before `now`, performance over the
     * last 8 weeks, open backlog and reports per grid cell and hour over the same `days`.
     */
    async planData(now: Date, days: number): Promise<AllocationData> {
      const firstDay = shanghaiDay(now) - days;
      const from = dayStart(firstDay);
      const to = dayStart(firstDay + days);
      const since = new Date(now.getTime() - PERFORMANCE_DAYS * DAY_S * 1000);
      const [units, byUnit, performance, streets, byStreetGroup, tickets, cells] = await Promise.all([
        db.rows<Record<string, unknown>>(sql`
          select d.id, d.code, d.name, d.name_en, d.kind, d.street_id, d.district_id, uc.staff
          from departments d left join unit_capacity uc on uc.department_id = d.id
          order by d.id`),
        db.rows<Record<string, unknown>>(sql`
          select department_id, ${daySql('created_at')} as day, count(*)::int as n
          from cases where department_id is not null and created_at >= ${ts(from)} and created_at < ${ts(to)}
          group by 1, 2`),
        db.rows<Record<string, unknown>>(sql`
          select department_id,
                 count(*) filter (where resolved_at >= ${ts(since)} and due_at is not null)::int as resolved,
                 count(*) filter (where resolved_at >= ${ts(since)} and resolved_at <= due_at)::int as on_time,
                 avg(extract(epoch from resolved_at - signed_at) / 3600)
                   filter (where resolved_at >= ${ts(since)} and signed_at is not null) as handling_hours,
                 count(*) filter (where state in ${OPEN})::int as backlog
          from cases where department_id is not null
          group by 1`),
        db.rows<Record<string, unknown>>(sql`select id, name, name_en from streets order by id`),
        db.rows<Record<string, unknown>>(sql`
          select street_id, coalesce(split_part(category, '.', 1), 'other') as grp,
                 ${daySql('created_at')} as day, count(*)::int as n
          from cases where street_id is not null and created_at >= ${ts(from)} and created_at < ${ts(to)}
          group by 1, 2, 3`),
        db.rows<Record<string, unknown>>(sql`
          select street_id, ${daySql('received_at')} as day, count(*)::int as n
          from hotline_tickets
          where street_id is not null and received_at >= ${ts(from)} and received_at < ${ts(to)}
          group by 1, 2`),
        db.rows<Record<string, unknown>>(sql`
          select t.grid_cell_id, g.code, g.street_id, ${hourSql('t.received_at')} as hour, count(*)::int as n,
                 min(s.name) as street, min(s.name_en) as street_en,
                 min((select count(*)::int from grid_cells g2 where g2.street_id = g.street_id and g2.id <= g.id))
                   as cell_number
          from hotline_tickets t join grid_cells g on g.id = t.grid_cell_id
          left join streets s on s.id = g.street_id
          where t.received_at >= ${ts(from)} and t.received_at < ${ts(to)}
          group by 1, 2, 3, 4`),
      ]);
      const cellHours = new Map<number, CellHours & { hours: number[] }>();
      for (const r of cells) {
        const id = Number(r.grid_cell_id);
        let c = cellHours.get(id);
        if (!c) {
          c = {
            gridCellId: id,
            cell: String(r.code),
            streetId: num(r.street_id),
            cellNumber: num(r.cell_number),
            street: (r.street as string | null) ?? null,
            streetEn: (r.street_en as string | null) ?? null,
            hours: new Array(24).fill(0),
          };
          cellHours.set(id, c);
        }
        c.hours[Number(r.hour)] += Number(r.n);
      }
      return {
        firstDay,
        days,
        units: units.map((r) => ({
          departmentId: Number(r.id),
          code: String(r.code),
          name: String(r.name),
          nameEn: String(r.name_en),
          kind: String(r.kind),
          streetId: num(r.street_id),
          districtId: num(r.district_id),
          storedStaff: num(r.staff),
        })),
        casesByUnitDay: byUnit.map((r) => ({
          departmentId: Number(r.department_id),
          day: Number(r.day),
          n: Number(r.n),
        })),
        performance: performance.map((r) => ({
          departmentId: Number(r.department_id),
          resolved: Number(r.resolved),
          onTime: Number(r.on_time),
          handlingHours: num(r.handling_hours),
          backlog: Number(r.backlog),
        })),
        streets: streets.map((r) => ({
          streetId: Number(r.id),
          name: String(r.name),
          nameEn: String(r.name_en),
        })),
        casesByStreetGroupDay: byStreetGroup.map((r) => ({
          streetId: Number(r.street_id),
          group: String(r.grp),
          day: Number(r.day),
          n: Number(r.n),
        })),
        ticketsByStreetDay: tickets.map((r) => ({
          streetId: Number(r.street_id),
          day: Number(r.day),
          n: Number(r.n),
        })),
        cellHours: [...cellHours.values()],
      };
    },

    /** The ids among `ids` that name no department. */
    async missingDepartments(ids: readonly number[]): Promise<number[]> {
      if (!ids.length) return [];
      const found = await db.rows<{ id: number }>(sql`
        select id from departments where id in (${sql.join(
          ids.map((id) => sql`${id}`),
          sql`, `,
        )})`);
      const have = new Set(found.map((r) => Number(r.id)));
      return ids.filter((id) => !have.has(id));
    },

    /** Stores a unit's staff (replacing any earlier value). */
    async setCapacity(
      departmentId: number,
      staff: number,
      userId: number | null,
      now: Date,
    ): Promise<UnitCapacity> {
      const [r] = await db.rows<Record<string, unknown>>(sql`
        insert into unit_capacity (department_id, staff, updated_at, updated_by)
        values (${departmentId}, ${staff}, ${ts(now)}, ${userId})
        on conflict (department_id) do update
          set staff = excluded.staff, updated_at = excluded.updated_at, updated_by = excluded.updated_by
        returning department_id, staff, updated_at, updated_by`);
      return {
        departmentId: Number(r.department_id),
        staff: Number(r.staff),
        updatedAt: iso(r.updated_at),
        updatedBy: num(r.updated_by),
      };
    },

    /** Records an accepted recommendation. */
    async recordDecision(
      userId: number,
      recommendation: Recommendation,
      note: string | null,
      now: Date,
    ): Promise<AllocationDecision> {
      const [r] = await db.rows<Record<string, unknown>>(sql`
        insert into allocation_decisions (decided_at, user_id, kind, payload, note)
        values (${ts(now)}, ${userId}, ${recommendation.kind}, ${JSON.stringify(recommendation)}::jsonb, ${note})
        returning id`);
      const [d] = await decisions(1, Number(r.id));
      return d;
    },

    decisions,
  };
}

export type AllocationRepository = ReturnType<typeof allocationRepository>;
