// Department performance's reads and writes: case holdings (the 1M-case path: one stored row per case and
// unit-holding instead of every event; see case-holdings.ts), the raw events of the same cases (to prove
// the stored cut equals the domain's), units, case codes, scheme versions and score snapshots.
import { sql, type SQL } from 'drizzle-orm';
import type { PerformanceUnit, Scheme, SchemeRecord } from '../../../src/lib/api/performance';
import type { Rating } from '../../domain/case-workflow';
import type { CaseEvents, Holding, HoldingStart } from '../../domain/kpis';
import type { Database, Orm } from '../client';
import { ensureCaseHoldings, writeCaseHoldings } from './case-holdings';

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const iso = (v: unknown) => new Date(v as string).toISOString();
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
/** A timestamptz[] as epoch ms, sorted: Dates or strings from postgres.js, a "{…}" literal from PGlite. */
const instants = (v: unknown): number[] => {
  if (v === null || v === undefined) return [];
  const items: unknown[] = Array.isArray(v)
    ? v
    : String(v)
        .replace(/^\{|\}$/g, '')
        .split(',')
        .filter(Boolean)
        .map((x) => x.replace(/^"|"$/g, ''));
  return items
    .map((x) =>
      x instanceof Date
        ? x.getTime()
        : Date.parse(
            String(x)
              .replace(' ', 'T')
              .replace(/([+-]\d\d)$/, '$1:00'),
          ),
    )
    .sort((a, b) => a - b);
};

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
    /** Re-cuts case_holdings of the given cases, or of all (see case-holdings.ts). */
    writeHoldings: (caseIds?: readonly number[], tx?: Orm) => writeCaseHoldings(db, caseIds, tx),
    /** Rebuilds case_holdings when it was cut by another version of the cut. */
    ensureHoldings: () => ensureCaseHoldings(db),

    /**
     * The holdings of every case that can matter for [from, to), read from case_holdings (the projection
     * of the event log kept by writeHoldings), with the sensor alarm on the first one. `caseIdRange`
     * splits the work so several connections can run it side by side.
     */
    async holdings(from: Date, to: Date, caseIdRange?: [number, number]): Promise<Holding[]> {
      const range = caseIdRange
        ? sql`and h.case_id >= ${caseIdRange[0]} and h.case_id < ${caseIdRange[1]}`
        : sql``;
      // Every KPI lies at one of a holding's instants, so one whose latest instant is before the period
      // or whose start is after it adds nothing. Instants travel as epoch-ms float8 (cheaper to parse than
      // timestamps); the extension arrays are nearly always null.
      const rows = await db.rows<Record<string, unknown>>(sql`
        select h.case_id, h.department_id, h.started_by, ${msOf('h.started_at')} as started_at,
               ${msOf('h.sign_due_at')} as sign_due_at, ${msOf('h.signed_at')} as signed_at,
               ${msOf('h.due_at')} as due_at, ${msOf('h.resolved_at')} as resolved_at,
               ${msOf('h.returned_at')} as returned_at, h.extension_requested_at as ext_req,
               h.extension_approved_at as ext_ok, h.rating, ${msOf('h.rated_at')} as rated_at,
               h.next_started_by, ${msOf('h.next_started_at')} as next_at, h.next_department_id,
               ${msOf('al.opened_at')} as alarm_opened_at, ${msOf('al.acknowledged_at')} as alarm_ack_at
        from case_holdings h
        left join (
          select distinct on (a.case_id) a.case_id, a.opened_at, a.acknowledged_at
          from alarms a where a.case_id is not null
          order by a.case_id, a.opened_at, a.id
        ) al on al.case_id = h.case_id and h.seq = 1
        where h.last_at >= ${ts(from)} and h.started_at < ${ts(to)} ${range}`);
      return rows.map((r) => ({
        caseId: Number(r.case_id),
        departmentId: Number(r.department_id),
        startedBy: r.started_by as HoldingStart,
        startedAt: Number(r.started_at),
        signDueAt: num(r.sign_due_at),
        signedAt: num(r.signed_at),
        dueAt: num(r.due_at),
        resolvedAt: num(r.resolved_at),
        returnedAt: num(r.returned_at),
        extensionRequestedAt: instants(r.ext_req),
        extensionApprovedAt: instants(r.ext_ok),
        rating: (r.rating ?? null) as Rating | null,
        ratedAt: num(r.rated_at),
        next:
          r.next_started_by === null || r.next_started_by === undefined
            ? null
            : {
                startedBy: r.next_started_by as HoldingStart,
                startedAt: Number(r.next_at),
                departmentId: Number(r.next_department_id),
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
