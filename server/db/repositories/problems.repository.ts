// What common-problem grouping reads: placed, classified tickets of a time window with their case and
// street, the alarms of sensors in an area, department names. Read-only.
import { sql, type SQL } from 'drizzle-orm';
import type { EvidenceAlarm, ProblemTicket } from '../../domain/problems';
import type { Database } from '../client';

// Dates go to SQL as ISO text with a cast: postgres.js (as drizzle configures it) cannot bind a Date.
const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const date = (v: unknown) => new Date(v as string);

/** Most tickets grouped at once: the newest are kept. */
export const PROBLEM_TICKET_CAP = 50_000;
/** Most alarms read as evidence at once. */
const ALARM_CAP = 20_000;

/** Which tickets to group; every filter optional. */
export interface ProblemTicketFilter {
  /** Received at or after. */
  since: Date;
  /** Received at or before. */
  until: Date;
  /** One category code. */
  category?: string;
  /** A category group: all categories "<group>.*". */
  group?: string;
  /** One street. */
  streetId?: number;
}

/** A ticket as the drill-down lists it: no address, no caller. */
export interface ProblemTicketRow {
  id: number;
  receivedAt: Date;
  /** The complaint, cut to 120 characters. */
  text: string;
  streetName: string | null;
  caseCode: string | null;
  caseState: string | null;
}

/** An area in WGS84 degrees. */
export interface BoundingBox {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

function ticketWhere(f: ProblemTicketFilter): SQL {
  const parts: SQL[] = [
    sql`t.received_at >= ${ts(f.since)}`,
    sql`t.received_at <= ${ts(f.until)}`,
    sql`t.geom is not null`,
    sql`t.category is not null`,
  ];
  if (f.category) parts.push(sql`t.category = ${f.category}`);
  if (f.group) parts.push(sql`t.category like ${`${f.group}.%`}`);
  if (f.streetId !== undefined) parts.push(sql`t.street_id = ${f.streetId}`);
  return sql.join(parts, sql` and `);
}

export function problemsRepository(db: Database) {
  return {
    /**
     * Placed, classified tickets of the window joined to their case and street, newest first, at most
     * PROBLEM_TICKET_CAP; `truncated` when the window held more.
     */
    async tickets(f: ProblemTicketFilter): Promise<{ tickets: ProblemTicket[]; truncated: boolean }> {
      const rows = await db.rows<Record<string, unknown>>(sql`
        select t.id, t.text, t.category, ST_X(t.geom) as lon, ST_Y(t.geom) as lat, t.received_at as at,
               t.street_id as "streetId", s.name as "streetName", t.case_id as "caseId",
               c.code as "caseCode", c.state as "caseState", c.department_id as "departmentId"
        from hotline_tickets t
        left join cases c on c.id = t.case_id
        left join streets s on s.id = t.street_id
        where ${ticketWhere(f)}
        order by t.received_at desc, t.id desc
        limit ${PROBLEM_TICKET_CAP + 1}`);
      const truncated = rows.length > PROBLEM_TICKET_CAP;
      return {
        truncated,
        tickets: rows.slice(0, PROBLEM_TICKET_CAP).map((r) => ({
          id: Number(r.id),
          text: r.text as string,
          category: r.category as string,
          lon: Number(r.lon),
          lat: Number(r.lat),
          at: date(r.at),
          streetId: num(r.streetId),
          streetName: (r.streetName as string | null) ?? null,
          caseId: num(r.caseId),
          caseCode: (r.caseCode as string | null) ?? null,
          caseState: (r.caseState as string | null) ?? null,
          departmentId: num(r.departmentId),
        })),
      };
    },

    /** A ticket's category and time, for finding the problem it belongs to; null when unknown. */
    async ticketKey(id: number): Promise<{ category: string | null; receivedAt: Date } | null> {
      const [r] = await db.rows<{ category: string | null; receivedAt: unknown }>(sql`
        select category, received_at as "receivedAt" from hotline_tickets where id = ${id}`);
      return r ? { category: r.category, receivedAt: date(r.receivedAt) } : null;
    },

    /** Tickets for the drill-down, oldest first: text cut to 120 characters, no address or caller. */
    async ticketRows(ids: readonly number[]): Promise<ProblemTicketRow[]> {
      if (ids.length === 0) return [];
      const rows = await db.rows<Record<string, unknown>>(sql`
        select t.id, t.received_at as "receivedAt", left(t.text, 120) as text, s.name as "streetName",
               c.code as "caseCode", c.state as "caseState"
        from hotline_tickets t
        left join cases c on c.id = t.case_id
        left join streets s on s.id = t.street_id
        where t.id in (${sql.join(
          ids.map((id) => sql`${id}`),
          sql`, `,
        )})
        order by t.received_at, t.id`);
      return rows.map((r) => ({
        id: Number(r.id),
        receivedAt: date(r.receivedAt),
        text: r.text as string,
        streetName: (r.streetName as string | null) ?? null,
        caseCode: (r.caseCode as string | null) ?? null,
        caseState: (r.caseState as string | null) ?? null,
      }));
    },

    /** Alarms of the given sensor families in an area, opened within [from, to], at most 20,000. */
    async alarmsIn(
      box: BoundingBox,
      from: Date,
      to: Date,
      families: readonly string[],
    ): Promise<EvidenceAlarm[]> {
      if (families.length === 0) return [];
      const rows = await db.rows<Record<string, unknown>>(sql`
        select a.id, a.sensor_id as "sensorId", s.code, st.code as family, ST_X(s.geom) as lon,
               ST_Y(s.geom) as lat, a.opened_at as "openedAt", a.rule_id as "ruleId"
        from alarms a
        join sensors s on s.id = a.sensor_id
        join sensor_types st on st.id = s.type_id
        where a.opened_at >= ${ts(from)} and a.opened_at <= ${ts(to)}
          and st.code in (${sql.join(
            families.map((f) => sql`${f}`),
            sql`, `,
          )})
          and s.geom && ST_MakeEnvelope(${box.minLon}, ${box.minLat}, ${box.maxLon}, ${box.maxLat}, 4326)
        order by a.opened_at
        limit ${ALARM_CAP}`);
      return rows.map((r) => ({
        id: Number(r.id),
        sensorId: Number(r.sensorId),
        code: r.code as string,
        family: r.family as string,
        lon: Number(r.lon),
        lat: Number(r.lat),
        openedAt: date(r.openedAt),
        ruleId: r.ruleId as string,
      }));
    },

    /** Chinese names of departments by id. */
    async departmentNames(ids: readonly number[]): Promise<Map<number, string>> {
      if (ids.length === 0) return new Map();
      const rows = await db.rows<{ id: unknown; name: string }>(sql`
        select id, name from departments where id in (${sql.join(
          ids.map((id) => sql`${id}`),
          sql`, `,
        )})`);
      return new Map(rows.map((r) => [Number(r.id), r.name]));
    },
  };
}

export type ProblemsRepository = ReturnType<typeof problemsRepository>;
