// Department performance's reads and writes: case holdings (the 1M-case path: one stored row per case and
// unit-holding instead of every event; see case-holdings.ts), the raw events of the same cases (to prove
// the stored cut equals the domain's), units, case codes, scheme versions and score snapshots.
import { sql, type SQL } from 'drizzle-orm';
import type { PerformanceUnit, Scheme, SchemeRecord } from '../../../src/lib/api/performance';
import type { Rating } from '../../domain/case-workflow';
import type { CaseEvents, Holding, HoldingStart } from '../../domain/kpis';
import type { Database, Orm } from '../client';
import { BinaryCopyReader, type BinaryField, type BinaryValue } from '../copy-binary';
import { ensureCaseHoldings, writeCaseHoldings } from './case-holdings';

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const iso = (v: unknown) => new Date(v as string).toISOString();
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
/** Shared by the nineteen in twenty holdings without extensions: nothing reads these arrays to change them. */
const NONE = Object.freeze([]) as unknown as number[];
/** "1740963600000,1741050000000" (epoch ms, ascending) → numbers; null → none. */
const instants = (v: unknown): number[] =>
  v === null || v === undefined || v === '' ? NONE : String(v).split(',').map(Number);

const OPEN = sql.raw(`('received','dispatched','returned','signed','in_progress')`);

/**
 * Cases that can matter for the period [from, to): created before its end and changed in it or later, or
 * still open. The cases row is only an index here (every action bumps updated_at); the KPIs come from
 * events. A case last changed before the period and not open can have no decisive moment in it.
 */
const candidates = (from: Date, to: Date, alias = 'c') =>
  sql`${sql.raw(alias)}.created_at < ${ts(to)} and (${sql.raw(alias)}.updated_at >= ${ts(from)} or ${sql.raw(alias)}.state in ${OPEN})`;

const HOLDING_COLUMNS = [
  'case_id',
  'department_id',
  'started_by',
  'started_at',
  'sign_due_at',
  'signed_at',
  'due_at',
  'resolved_at',
  'returned_at',
  'ext_req',
  'ext_ok',
  'rating',
  'rated_at',
  'next_by',
  'next_at',
  'next_dep',
  'alarm_opened_at',
  'alarm_ack_at',
] as const;
const HOLDING_FIELDS: BinaryField[] = [
  'int4',
  'int4',
  'int2',
  ...Array<BinaryField>(6).fill('timestamptz'),
  'text',
  'text',
  'int2',
  'timestamptz',
  'int2',
  'timestamptz',
  'int4',
  'timestamptz',
  'timestamptz',
];
const STARTED_BY: readonly HoldingStart[] = ['dispatch', 'reassign', 'reopen'];
const RATING_CODES: readonly Rating[] = ['satisfied', 'partly', 'unsatisfied'];
const code = (col: string, values: readonly string[]) =>
  `(case ${col} ${values.map((v, i) => `when '${v}' then ${i}`).join(' ')} end)::int2`;
const msList = (col: string) =>
  `case when ${col} is null then null else ` +
  `array_to_string(array(select (extract(epoch from x) * 1000)::bigint from unnest(${col}) x order by 1), ',') end`;

/**
 * The holdings select as plain text (binary COPY takes no parameters; every literal here is a number or a
 * Date's ISO string). Every KPI lies at one of a holding's instants, so a holding whose latest instant is
 * before the period, or whose start is after it, adds nothing. `instant` wraps each timestamp column: as is
 * for binary COPY, epoch ms for row reads. Codes stand for the few words (STARTED_BY, RATING_CODES).
 */

function holdingsSelect(
  from: Date,
  to: Date,
  caseIdRange: [number, number] | undefined,
  instant: (column: string) => string,
): string {
  const range = caseIdRange
    ? `and h.case_id >= ${Math.trunc(caseIdRange[0])} and h.case_id < ${Math.trunc(caseIdRange[1])}`
    : '';
  return `
    select h.case_id, h.department_id, ${code('h.started_by', STARTED_BY)} as started_by,
           ${instant('h.started_at')} as started_at, ${instant('h.sign_due_at')} as sign_due_at,
           ${instant('h.signed_at')} as signed_at, ${instant('h.due_at')} as due_at,
           ${instant('h.resolved_at')} as resolved_at, ${instant('h.returned_at')} as returned_at,
           ${msList('h.extension_requested_at')} as ext_req, ${msList('h.extension_approved_at')} as ext_ok,
           ${code('h.rating', RATING_CODES)} as rating, ${instant('h.rated_at')} as rated_at,
           ${code('h.next_started_by', STARTED_BY)} as next_by, ${instant('h.next_started_at')} as next_at,
           h.next_department_id as next_dep,
           ${instant('al.opened_at')} as alarm_opened_at, ${instant('al.acknowledged_at')} as alarm_ack_at
    from case_holdings h
    left join (
      select distinct on (a.case_id) a.case_id, a.opened_at, a.acknowledged_at
      from alarms a where a.case_id is not null
      order by a.case_id, a.opened_at, a.id
    ) al on al.case_id = h.case_id and h.seq = 1
    where h.last_at >= '${from.toISOString()}'::timestamptz and h.started_at < '${to.toISOString()}'::timestamptz
      ${range}
    order by h.case_id, h.seq`;
}

const n = (x: BinaryValue) => (x === null ? null : Number(x));

/** One row of holdingsSelect (in HOLDING_COLUMNS order) → a Holding. No closure per row: a million rows. */
function holdingOf(v: readonly BinaryValue[]): Holding {
  return {
    caseId: Number(v[0]),
    departmentId: Number(v[1]),
    startedBy: STARTED_BY[Number(v[2])],
    startedAt: Number(v[3]),
    signDueAt: n(v[4]),
    signedAt: n(v[5]),
    dueAt: n(v[6]),
    resolvedAt: n(v[7]),
    returnedAt: n(v[8]),
    extensionRequestedAt: instants(v[9]),
    extensionApprovedAt: instants(v[10]),
    rating: v[11] === null ? null : RATING_CODES[Number(v[11])],
    ratedAt: n(v[12]),
    next:
      v[13] === null
        ? null
        : { startedBy: STARTED_BY[Number(v[13])], startedAt: Number(v[14]), departmentId: Number(v[15]) },
    alarm: v[16] === null ? null : { openedAt: Number(v[16]), acknowledgedAt: n(v[17]) },
  };
}

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
  /**
   * Visits the holdings of every case that can matter for [from, to), read from case_holdings (the
   * projection of the event log kept by writeHoldings), with the sensor alarm on the first one. On
   * PostgreSQL the rows stream in as binary COPY and are decoded while the server still produces them, so
   * a million rows are never held at once; `visit` must not keep the object. `caseIdRange` splits the work
   * so several connections can run it side by side.
   */
  async function eachHolding(
    from: Date,
    to: Date,
    visit: (h: Holding) => void,
    caseIdRange?: [number, number],
  ): Promise<number> {
    if (db.copyOut) {
      const reader = new BinaryCopyReader(HOLDING_FIELDS, (v) => visit(holdingOf(v)));
      await db.copyOut(
        `copy (${holdingsSelect(from, to, caseIdRange, (c) => c)}) to stdout with (format binary)`,
        (buf, start, end) => reader.feed(buf, start, end),
      );
      return reader.end();
    }
    const ms = (c: string) => `(extract(epoch from ${c}) * 1000)::float8`;
    const rows = await db.rows<Record<string, unknown>>(sql.raw(holdingsSelect(from, to, caseIdRange, ms)));
    for (const r of rows)
      visit(
        holdingOf(
          HOLDING_COLUMNS.map((c) => (r[c] === null || r[c] === undefined ? null : (r[c] as BinaryValue))),
        ),
      );
    return rows.length;
  }

  return {
    eachHolding,

    /** Re-cuts case_holdings of the given cases, or of all (see case-holdings.ts). */
    writeHoldings: (caseIds?: readonly number[], tx?: Orm) => writeCaseHoldings(db, caseIds, tx),
    /** Rebuilds case_holdings when it was cut by another version of the cut. */
    ensureHoldings: () => ensureCaseHoldings(db),

    /** The same holdings as a list (see eachHolding). */
    async holdings(from: Date, to: Date, caseIdRange?: [number, number]): Promise<Holding[]> {
      const out: Holding[] = [];
      await eachHolding(from, to, (h) => out.push(h), caseIdRange);
      return out;
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
