// The leaders' wall's aggregate reads: open cases by deadline per unit, and hotline calls per hour. Only
// counts leave here (no case text, no caller), so a wall display may see all of it.
import { sql } from 'drizzle-orm';
import type { Database } from '../client';
import type { HourCount } from '../../domain/hotline-volume';

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** Open cases of one unit (or of none: not yet dispatched) by where their deadline stands. */
export interface UnitDeadlines {
  departmentId: number | null;
  name: string | null;
  nameEn: string | null;
  open: number;
  /** Signing or resolution deadline passed (as the case queue's "overdue" filter). */
  overdue: number;
  /** In the last stretch of the resolution time (as the queue's "due_soon" filter). */
  dueSoon: number;
}

export function wallRepository(db: Database) {
  return {
    /** Open cases per unit; the deadline rules are the case queue's (cases.repository.ts whereOf). */
    async deadlinesByUnit(now: Date): Promise<UnitDeadlines[]> {
      const rows = await db.rows<Record<string, unknown>>(sql`
        select c.department_id as "departmentId", d.name, d.name_en as "nameEn",
               count(*) as open,
               count(*) filter (where (c.state = 'dispatched' and c.sign_due_at < ${ts(now)})
                 or (c.state in ('signed','in_progress') and c.due_at < ${ts(now)})) as overdue,
               count(*) filter (where c.state in ('signed','in_progress')
                 and c.due_soon_at <= ${ts(now)} and c.due_at >= ${ts(now)}) as "dueSoon"
        from cases c
        left join departments d on d.id = c.department_id
        where c.state in ('received','dispatched','returned','signed','in_progress')
        group by c.department_id, d.name, d.name_en`);
      return rows.map((r) => ({
        departmentId: r.departmentId === null ? null : Number(r.departmentId),
        name: (r.name as string | null) ?? null,
        nameEn: (r.nameEn as string | null) ?? null,
        open: Number(r.open),
        overdue: Number(r.overdue),
        dueSoon: Number(r.dueSoon),
      }));
    },

    /** Calls per hour of the Shanghai day, for the days `days` (0 = the day starting at `midnight`). */
    async callsPerHour(midnight: Date, now: Date, days: number[]): Promise<HourCount[]> {
      const from = new Date(midnight.getTime() - Math.max(0, ...days) * 86_400_000);
      // s: seconds after midnight (negative before it); d: whole days after midnight (0 today, -1 yesterday).
      const rows = await db.rows<{ day: unknown; hour: unknown; calls: unknown }>(sql`
        select -x.d as day, floor((x.s - x.d * 86400) / 3600)::int as hour, count(*) as calls
        from (
          select extract(epoch from (received_at - ${ts(midnight)})) as s,
                 floor(extract(epoch from (received_at - ${ts(midnight)})) / 86400)::int as d
          from hotline_tickets
          where received_at >= ${ts(from)} and received_at < ${ts(now)}
        ) x
        group by 1, 2`);
      const wanted = new Set([0, ...days]);
      return rows
        .map((r) => ({ day: Number(r.day), hour: Number(r.hour), calls: Number(r.calls) }))
        .filter((r) => wanted.has(r.day));
    },

    /** When the oldest stored call came in; null without any. */
    async firstCallAt(): Promise<Date | null> {
      const [r] = await db.rows<{ at: unknown }>(sql`select min(received_at) as at from hotline_tickets`);
      return r?.at ? new Date(r.at as string) : null;
    },
  };
}

export type WallRepository = ReturnType<typeof wallRepository>;
