// What the demo's simulated desk workers read: the cases still being worked on (not closed) with the facts
// their planner needs, the departments, and the alarms nobody has acknowledged yet. Reads only: every
// change they make goes through the case and alarm services like a person's.
import { sql } from 'drizzle-orm';
import type { CaseState, Rating } from '../../domain/case-workflow';
import type { Database } from '../client';

/** A case as the desk workers' planner sees it. */
export interface DeskCase {
  id: number;
  code: string;
  state: CaseState;
  priority: 1 | 2 | 3;
  category: string | null;
  source: string;
  streetId: number | null;
  gridCellId: number | null;
  departmentId: number | null;
  signDueAt: Date | null;
  signedAt: Date | null;
  allowedHours: number | null;
  dueAt: Date | null;
  pendingExtensionHours: number | null;
  rating: Rating | null;
  version: number;
}

/** A department or street office, for choosing where a case goes. */
export interface DeskDepartment {
  id: number;
  code: string;
  kind: string;
  streetId: number | null;
  districtCode: string | null;
}

const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export function deskRepository(db: Database) {
  return {
    /** Cases not closed yet, the longest untouched first (at most `limit`). */
    async activeCases(limit: number): Promise<DeskCase[]> {
      const rows = await db.rows<Record<string, unknown>>(sql`
        select id, code, state, priority, category, source, street_id, grid_cell_id, department_id,
               sign_due_at, signed_at, allowed_hours, due_at, pending_extension_hours, rating, version
        from cases where state <> 'closed' order by updated_at limit ${limit}`);
      return rows.map((r) => ({
        id: Number(r.id),
        code: String(r.code),
        state: r.state as CaseState,
        priority: Number(r.priority) as 1 | 2 | 3,
        category: (r.category as string | null) ?? null,
        source: String(r.source),
        streetId: num(r.street_id),
        gridCellId: num(r.grid_cell_id),
        departmentId: num(r.department_id),
        signDueAt: date(r.sign_due_at),
        signedAt: date(r.signed_at),
        allowedHours: num(r.allowed_hours),
        dueAt: date(r.due_at),
        pendingExtensionHours: num(r.pending_extension_hours),
        rating: (r.rating as Rating | null) ?? null,
        version: Number(r.version),
      }));
    },

    /** Every department and street office with its district's code. */
    async departments(): Promise<DeskDepartment[]> {
      const rows = await db.rows<Record<string, unknown>>(sql`
        select dep.id, dep.code, dep.kind, dep.street_id, coalesce(d1.code, d2.code) as district_code
        from departments dep
        left join districts d1 on d1.id = dep.district_id
        left join streets s on s.id = dep.street_id
        left join districts d2 on d2.id = s.district_id
        order by dep.id`);
      return rows.map((r) => ({
        id: Number(r.id),
        code: String(r.code),
        kind: String(r.kind),
        streetId: num(r.street_id),
        districtCode: (r.district_code as string | null) ?? null,
      }));
    },

    /** Alarms still open and unacknowledged, the oldest first. */
    async unacknowledgedAlarms(limit: number): Promise<{ id: number; openedAt: Date }[]> {
      const rows = await db.rows<{ id: unknown; opened_at: unknown }>(sql`
        select id, opened_at from alarms where status = 'open' order by opened_at limit ${limit}`);
      return rows.map((r) => ({ id: Number(r.id), openedAt: new Date(r.opened_at as string) }));
    },

    /** The street a case's street belongs to, for districts: street id → district code. */
    async streetDistricts(): Promise<Map<number, string>> {
      const rows = await db.rows<{ id: unknown; code: unknown }>(
        sql`select s.id, d.code from streets s join districts d on d.id = s.district_id`,
      );
      return new Map(rows.map((r) => [Number(r.id), String(r.code)]));
    },
  };
}

export type DeskRepository = ReturnType<typeof deskRepository>;
