// Cases (工单), their event history and the tickets behind them: the only code that reads or writes them.
// Every change goes through `applyChange`, which checks the version the caller read, so two concurrent
// actions on one case cannot both apply.
import { sql, type SQL } from 'drizzle-orm';
import type {
  CaseDetail,
  CaseEventView,
  CaseSummary,
  Placement,
  TicketView,
} from '../../../src/lib/api/cases';
import { systemTextOf, type SystemText } from '../../../src/lib/api/system-text';
import type { CaseEventDraft, CaseState, Rating } from '../../domain/case-workflow';
import type { Database, Orm } from '../client';
import { HOLDING_ACTIONS, writeCaseHoldings } from './case-holdings';

// Dates go to SQL as ISO text with a cast: postgres.js (as drizzle configures it) cannot bind a Date.
const ts = (d: Date | null | undefined) => (d ? sql`${d.toISOString()}::timestamptz` : sql`null`);
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const json = <T>(v: unknown): T | null =>
  v === null || v === undefined ? null : ((typeof v === 'string' ? JSON.parse(v) : v) as T);

/** A case as the workflow service reads it before an action. */
export interface CaseRecord {
  id: number;
  code: string;
  state: CaseState;
  category: string | null;
  priority: 1 | 2 | 3;
  departmentId: number | null;
  streetId: number | null;
  rating: Rating | null;
  pendingExtensionHours: number | null;
  allowedHours: number | null;
  signedAt: Date | null;
  dueAt: Date | null;
  version: number;
}

/** Columns an action writes (undefined: unchanged). */
export interface CasePatch {
  state: CaseState;
  /** A new location (placed by hand) with the street and grid cell it lies in. */
  place?: { lon: number; lat: number; streetId: number | null; gridCellId: number | null };
  departmentId?: number | null;
  gridCellId?: number | null;
  category?: string | null;
  priority?: 1 | 2 | 3;
  triage?: boolean;
  dispatchedAt?: Date | null;
  signDueAt?: Date | null;
  signedAt?: Date | null;
  allowedHours?: number | null;
  dueSoonAt?: Date | null;
  dueAt?: Date | null;
  pendingExtensionHours?: number | null;
  resolvedAt?: Date | null;
  rating?: Rating | null;
  closedAt?: Date | null;
}

/** A new case. */
export interface NewCase {
  /** A code of its own (alarm cases: "AL-…"); "GD-<date>-<id>" when absent. */
  code?: string;
  title: string;
  description: string | null;
  /** Neutral form of a title and description the system wrote (alarm cases); absent for citizens' words. */
  systemText?: SystemText | null;
  category: string;
  priority: 1 | 2 | 3;
  source: string;
  triage: boolean;
  address: string | null;
  streetId: number | null;
  gridCellId: number | null;
  sensorId: number | null;
  lon: number | null;
  lat: number | null;
  createdAt: Date;
}

/** A new citizen report. */
export interface NewTicket {
  receivedAt: Date;
  channel: string;
  callerName: string | null;
  callerPhone: string | null;
  callerEmail: string | null;
  text: string;
  address: string | null;
  lon: number | null;
  lat: number | null;
  placement: Placement;
  streetId: number | null;
  gridCellId: number | null;
  source: string;
  category: string;
  confidence: number | null;
  suggestions: { category: string; score: number }[] | null;
  token: string;
  takenBy: number | null;
}

/** Queue filters; every one optional. */
export interface CaseFilter {
  states?: CaseState[];
  deadline?: 'overdue' | 'due_soon';
  category?: string;
  /** A category group: all categories "<group>.*". */
  group?: string;
  streetId?: number;
  departmentId?: number;
  source?: string;
  triage?: boolean;
  /** Case code or title fragment. */
  q?: string;
  limit: number;
  offset: number;
}

/** A case near a new report, for duplicate detection. */
export interface DuplicateCandidate {
  id: number;
  code: string;
  category: string | null;
  text: string;
  lon: number;
  lat: number;
  createdAt: Date;
}

export const TOTAL_CAP = 10_000;
/** What a case code looks like: GD-20261127-15, AL-20260302-4. */
const CASE_CODE = /^[A-Z]{2}-[A-Z0-9]+-\d+$/;
const OPEN = sql`('received','dispatched','returned','signed','in_progress')`;

/** The deadline a summary shows: signing while dispatched, resolution while signed or in progress. */
function deadlineSql(now: Date): SQL {
  return sql`
  case when c.state = 'dispatched' then
         case when c.sign_due_at < ${ts(now)} then 'overdue'
              when c.sign_due_at is not null then 'on_track' end
       when c.state in ('signed','in_progress') then
         case when c.due_at < ${ts(now)} then 'overdue'
              when c.due_soon_at <= ${ts(now)} then 'due_soon' else 'on_track' end
  end`;
}

const SUMMARY_COLUMNS = (now: Date) => sql`
  c.id, c.code, c.title, c.system_text as "systemText", c.category, c.state, c.priority, c.source, c.triage,
  s.name as "streetName", s.name_en as "streetNameEn",
  c.department_id as "departmentId", d.name as "departmentName", d.name_en as "departmentNameEn",
  c.reports, c.created_at as "createdAt", c.updated_at as "updatedAt",
  case when c.state = 'dispatched' then c.sign_due_at when c.state in ('signed','in_progress') then c.due_at end as "dueAt",
  ${deadlineSql(now)} as deadline,
  ST_X(c.geom) as lon, ST_Y(c.geom) as lat`;

type SummaryRow = Omit<CaseSummary, 'createdAt' | 'updatedAt' | 'dueAt'> & {
  createdAt: unknown;
  updatedAt: unknown;
  dueAt: unknown;
};

function summary(r: SummaryRow): CaseSummary {
  return {
    ...r,
    id: Number(r.id),
    priority: Number(r.priority) as 1 | 2 | 3,
    departmentId: num(r.departmentId),
    reports: Number(r.reports),
    createdAt: iso(r.createdAt)!,
    updatedAt: iso(r.updatedAt)!,
    dueAt: iso(r.dueAt),
    lon: num(r.lon),
    lat: num(r.lat),
    systemText: systemTextOf(r.systemText),
  };
}

function whereOf(f: CaseFilter, now: Date): SQL {
  const parts: SQL[] = [sql`true`];
  if (f.states?.length)
    parts.push(
      sql`c.state in (${sql.join(
        f.states.map((s) => sql`${s}`),
        sql`, `,
      )})`,
    );
  if (f.deadline === 'overdue')
    parts.push(sql`((c.state = 'dispatched' and c.sign_due_at < ${ts(now)})
                or (c.state in ('signed','in_progress') and c.due_at < ${ts(now)}))`);
  if (f.deadline === 'due_soon')
    parts.push(
      sql`c.state in ('signed','in_progress') and c.due_soon_at <= ${ts(now)} and c.due_at >= ${ts(now)}`,
    );
  if (f.category) parts.push(sql`c.category = ${f.category}`);
  if (f.group) parts.push(sql`c.category like ${`${f.group}.%`}`);
  if (f.streetId !== undefined) parts.push(sql`c.street_id = ${f.streetId}`);
  if (f.departmentId !== undefined) parts.push(sql`c.department_id = ${f.departmentId}`);
  if (f.source) parts.push(sql`c.source = ${f.source}`);
  if (f.triage !== undefined) parts.push(sql`c.triage = ${f.triage}`);
  if (f.q) {
    // A case code is looked up by its unique index; anything else searches titles.
    if (CASE_CODE.test(f.q)) parts.push(sql`c.code = ${f.q}`);
    else parts.push(sql`c.title like ${`%${f.q.replace(/[%_\\]/g, '\\$&')}%`}`);
  }
  return sql.join(parts, sql` and `);
}

export function casesRepository(db: Database) {
  return {
    transaction<T>(fn: (tx: Orm) => Promise<T>): Promise<T> {
      return db.orm.transaction((tx) => fn(tx as unknown as Orm));
    },

    /** The street, district and grid cell a point lies in (null street when outside every street). */
    async locate(
      lon: number,
      lat: number,
      tx?: Orm,
    ): Promise<{ streetId: number | null; districtId: number | null; gridCellId: number | null }> {
      const [r] = await db.rows<{ streetId: unknown; districtId: unknown; gridCellId: unknown }>(
        sql`
        with p as (select ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326) as g)
        select (select s.id from streets s, p where ST_Intersects(s.geom, p.g) order by s.id limit 1) as "streetId",
               (select s.district_id from streets s, p where ST_Intersects(s.geom, p.g) order by s.id limit 1) as "districtId",
               (select c.id from grid_cells c, p where ST_Intersects(c.geom, p.g) order by c.id limit 1) as "gridCellId"`,
        tx,
      );
      return { streetId: num(r.streetId), districtId: num(r.districtId), gridCellId: num(r.gridCellId) };
    },

    /** Streets with their codes and names, for placing an address. */
    async streetsForPlacement(): Promise<
      { id: number; code: string; name: string; lon: number | null; lat: number | null }[]
    > {
      const rows = await db.rows<{ id: unknown; code: string; name: string; lon: unknown; lat: unknown }>(sql`
        select id, code, name, ST_X(coalesce(ST_PointOnSurface(geom), centroid)) as lon,
               ST_Y(coalesce(ST_PointOnSurface(geom), centroid)) as lat
        from streets order by id`);
      return rows.map((r) => ({
        id: Number(r.id),
        code: r.code,
        name: r.name,
        lon: num(r.lon),
        lat: num(r.lat),
      }));
    },

    /**
     * The unit that handles a category by default: the street office of the street for "street-office"
     * (the district's city management bureau when the street is unknown), else the district department
     * with that key (e.g. "water" → "xuhui-water"); null when none exists.
     */
    async departmentFor(streetId: number | null, key: string, tx?: Orm): Promise<number | null> {
      if (key === 'street-office' && streetId !== null) {
        const [o] = await db.rows<{ id: unknown }>(
          sql`select id from departments where kind = 'street_office' and street_id = ${streetId} limit 1`,
          tx,
        );
        if (o) return Number(o.id);
      }
      const deptKey = key === 'street-office' ? 'city-management' : key;
      const [r] = await db.rows<{ id: unknown }>(
        sql`
        select dep.id from departments dep
        where dep.code = (select d.code from districts d
                          where d.id = coalesce((select district_id from streets where id = ${streetId}),
                                                (select min(id) from districts))) || '-' || ${deptKey}`,
        tx,
      );
      return r ? Number(r.id) : null;
    },

    /** Every street's name in both languages, for lists the user picks from or reads. */
    async streetNames(): Promise<{ id: number; name: string; nameEn: string }[]> {
      const rows = await db.rows<{ id: unknown; name: string; nameEn: string | null }>(sql`
        select id, name, name_en as "nameEn" from streets order by id`);
      return rows.map((r) => ({ id: Number(r.id), name: r.name, nameEn: r.nameEn ?? r.name }));
    },

    /** Every unit a case can go to, street offices last. */
    async departments(): Promise<
      { id: number; code: string; name: string; nameEn: string; kind: string; streetId: number | null }[]
    > {
      const rows = await db.rows<Record<string, unknown>>(sql`
        select id, code, name, name_en as "nameEn", kind, street_id as "streetId" from departments
        order by kind = 'street_office', id`);
      return rows.map((r) => ({
        id: Number(r.id),
        code: r.code as string,
        name: r.name as string,
        nameEn: r.nameEn as string,
        kind: r.kind as string,
        streetId: num(r.streetId),
      }));
    },

    /** Department ids that exist (for validating a dispatch target). */
    async departmentExists(id: number, tx?: Orm): Promise<boolean> {
      const r = await db.rows<{ id: unknown }>(sql`select id from departments where id = ${id}`, tx);
      return r.length > 0;
    },

    /** Open cases of a category near a point and recent enough to be the same problem. */
    async duplicateCandidates(
      q: { lon: number; lat: number; category: string; since: Date; radiusM: number },
      tx?: Orm,
    ): Promise<DuplicateCandidate[]> {
      const rows = await db.rows<{
        id: unknown;
        code: string;
        category: string | null;
        text: string | null;
        lon: unknown;
        lat: unknown;
        createdAt: unknown;
      }>(
        sql`
        select c.id, c.code, c.category, coalesce(c.description, c.title) as text,
               ST_X(c.geom) as lon, ST_Y(c.geom) as lat, c.created_at as "createdAt"
        from cases c
        where c.category = ${q.category} and c.created_at >= ${ts(q.since)} and c.state <> 'closed'
          and c.geom is not null
          and ST_DWithin(c.geom::geography, ST_SetSRID(ST_MakePoint(${q.lon}, ${q.lat}), 4326)::geography, ${q.radiusM})
        order by c.created_at desc limit 50`,
        tx,
      );
      return rows.map((r) => ({
        id: Number(r.id),
        code: r.code,
        category: r.category,
        text: r.text ?? '',
        lon: Number(r.lon),
        lat: Number(r.lat),
        createdAt: date(r.createdAt)!,
      }));
    },

    async insertTicket(t: NewTicket, tx?: Orm): Promise<number> {
      const geom =
        t.lon !== null && t.lat !== null
          ? sql`ST_SetSRID(ST_MakePoint(${t.lon}, ${t.lat}), 4326)`
          : sql`null`;
      const [r] = await db.rows<{ id: unknown }>(
        sql`
        insert into hotline_tickets (received_at, channel, caller_name, caller_phone, caller_email, text, address,
                                     geom, placement, street_id, grid_cell_id, source, category, confidence,
                                     suggestions, token, taken_by)
        values (${ts(t.receivedAt)}, ${t.channel}, ${t.callerName}, ${t.callerPhone}, ${t.callerEmail}, ${t.text},
                ${t.address}, ${geom}, ${t.placement}, ${t.streetId}, ${t.gridCellId}, ${t.source}, ${t.category},
                ${t.confidence}, ${t.suggestions === null ? null : JSON.stringify(t.suggestions)}::jsonb, ${t.token},
                ${t.takenBy})
        returning id`,
        tx,
      );
      return Number(r.id);
    },

    /** Links a ticket to a case; a repeat report also counts on the case. */
    async linkTicket(ticketId: number, caseId: number, duplicate: boolean, tx?: Orm): Promise<void> {
      await db.rows(
        sql`update hotline_tickets set case_id = ${caseId}, duplicate = ${duplicate} where id = ${ticketId} returning id`,
        tx,
      );
      if (duplicate)
        await db.rows(
          sql`update cases set reports = reports + 1, updated_at = now(), version = version + 1
              where id = ${caseId} returning id`,
          tx,
        );
    },

    /** Inserts a case with a code "GD-<Shanghai date>-<id>" and returns both. */
    async insertCase(c: NewCase, tx?: Orm): Promise<{ id: number; code: string }> {
      const day = new Date(c.createdAt.getTime() + 8 * 3600_000)
        .toISOString()
        .slice(0, 10)
        .replaceAll('-', '');
      const geom =
        c.lon !== null && c.lat !== null
          ? sql`ST_SetSRID(ST_MakePoint(${c.lon}, ${c.lat}), 4326)`
          : sql`null`;
      const [r] = await db.rows<{ id: unknown; code: string }>(
        sql`
        with n as (select nextval(pg_get_serial_sequence('cases', 'id')) as id)
        insert into cases (id, code, title, description, system_text, category, state, priority, source, triage, address,
                           street_id, grid_cell_id, sensor_id, geom, created_at, updated_at)
        select n.id, coalesce(${c.code ?? null}, ${`GD-${day}-`} || n.id), ${c.title}, ${c.description},
               ${c.systemText ? JSON.stringify(c.systemText) : null}::jsonb, ${c.category}, 'received', ${c.priority},
               ${c.source}, ${c.triage}, ${c.address}, ${c.streetId}, ${c.gridCellId}, ${c.sensorId}, ${geom},
               ${ts(c.createdAt)}, ${ts(c.createdAt)}
        from n
        returning id, code`,
        tx,
      );
      return { id: Number(r.id), code: r.code };
    },

    async insertEvent(
      caseId: number,
      e:
        | CaseEventDraft
        | (Omit<CaseEventDraft, 'action' | 'fromState'> & { action: string; fromState: CaseState | null }),
      actor: { userId: number | null; role: string },
      at: Date,
      tx?: Orm,
    ): Promise<void> {
      await db.rows(
        sql`
        insert into case_events (case_id, at, actor_user_id, actor_role, action, from_state, to_state, note, data)
        values (${caseId}, ${ts(at)}, ${actor.userId}, ${actor.role}, ${e.action}, ${e.fromState}, ${e.toState},
                ${e.note}, ${JSON.stringify(e.data)}::jsonb)
        returning id`,
        tx,
      );
      // Keep the case's holdings (performance KPIs read them) in step with its events.
      if (HOLDING_ACTIONS.includes(e.action)) await writeCaseHoldings(db, [caseId], tx);
    },

    async byCode(code: string, tx?: Orm): Promise<CaseRecord | null> {
      const [r] = await db.rows<Record<string, unknown>>(
        sql`
        select id, code, state, category, priority, department_id, street_id, rating, pending_extension_hours,
               allowed_hours, signed_at, due_at, version
        from cases where code = ${code}`,
        tx,
      );
      if (!r) return null;
      return {
        id: Number(r.id),
        code: r.code as string,
        state: r.state as CaseState,
        category: (r.category as string | null) ?? null,
        priority: Number(r.priority) as 1 | 2 | 3,
        departmentId: num(r.department_id),
        streetId: num(r.street_id),
        rating: (r.rating as Rating | null) ?? null,
        pendingExtensionHours: num(r.pending_extension_hours),
        allowedHours: num(r.allowed_hours),
        signedAt: date(r.signed_at),
        dueAt: date(r.due_at),
        version: Number(r.version),
      };
    },

    /** Writes a change if the case is still at `version`; false when someone else changed it first. */
    async applyChange(id: number, version: number, p: CasePatch, now: Date, tx?: Orm): Promise<boolean> {
      const sets: SQL[] = [sql`state = ${p.state}`, sql`updated_at = ${ts(now)}`, sql`version = version + 1`];
      const put = (col: string, v: SQL) => sets.push(sql`${sql.identifier(col)} = ${v}`);
      if (p.departmentId !== undefined) put('department_id', sql`${p.departmentId}`);
      if (p.place) {
        put('geom', sql`ST_SetSRID(ST_MakePoint(${p.place.lon}, ${p.place.lat}), 4326)`);
        put('street_id', sql`${p.place.streetId}`);
        put('grid_cell_id', sql`${p.place.gridCellId}`);
      }
      if (p.gridCellId !== undefined && p.gridCellId !== null) put('grid_cell_id', sql`${p.gridCellId}`);
      if (p.category !== undefined) put('category', sql`${p.category}`);
      if (p.priority !== undefined) put('priority', sql`${p.priority}`);
      if (p.triage !== undefined) put('triage', sql`${p.triage}`);
      if (p.dispatchedAt !== undefined) put('dispatched_at', ts(p.dispatchedAt));
      if (p.signDueAt !== undefined) put('sign_due_at', ts(p.signDueAt));
      if (p.signedAt !== undefined) put('signed_at', ts(p.signedAt));
      if (p.allowedHours !== undefined) put('allowed_hours', sql`${p.allowedHours}`);
      if (p.dueSoonAt !== undefined) put('due_soon_at', ts(p.dueSoonAt));
      if (p.dueAt !== undefined) put('due_at', ts(p.dueAt));
      if (p.pendingExtensionHours !== undefined)
        put('pending_extension_hours', sql`${p.pendingExtensionHours}`);
      if (p.resolvedAt !== undefined) put('resolved_at', ts(p.resolvedAt));
      if (p.rating !== undefined) put('rating', sql`${p.rating}`);
      if (p.closedAt !== undefined) put('closed_at', ts(p.closedAt));
      const r = await db.rows<{ id: unknown }>(
        sql`update cases set ${sql.join(sets, sql`, `)} where id = ${id} and version = ${version} returning id`,
        tx,
      );
      return r.length === 1;
    },

    /** One page of the queue plus the number of matches (counted up to TOTAL_CAP). */
    async list(f: CaseFilter, now: Date): Promise<{ cases: CaseSummary[]; total: number }> {
      const where = whereOf(f, now);
      const rows = await db.rows<SummaryRow>(sql`
        select ${SUMMARY_COLUMNS(now)}
        from cases c
        left join streets s on s.id = c.street_id
        left join departments d on d.id = c.department_id
        where ${where}
        order by c.updated_at desc, c.id desc
        limit ${f.limit} offset ${f.offset}`);
      const [t] = await db.rows<{ n: unknown }>(sql`
        select count(*) as n from (select 1 from cases c where ${where} limit ${TOTAL_CAP}) x`);
      return { cases: rows.map(summary), total: Number(t.n) };
    },

    /** Open cases with a location, for the map (at most `limit`, most urgent first). */
    async openOnMap(now: Date, limit: number, departmentId?: number): Promise<CaseSummary[]> {
      const rows = await db.rows<SummaryRow>(sql`
        select ${SUMMARY_COLUMNS(now)}
        from cases c
        left join streets s on s.id = c.street_id
        left join departments d on d.id = c.department_id
        where c.state in ${OPEN} and c.geom is not null
          ${departmentId === undefined ? sql`` : sql`and c.department_id = ${departmentId}`}
        order by c.priority, c.updated_at desc
        limit ${limit}`);
      return rows.map(summary);
    },

    /** Everything the case page shows except the allowed actions. */
    async detail(code: string, now: Date): Promise<Omit<CaseDetail, 'actions'> | null> {
      const [r] = await db.rows<SummaryRow & Record<string, unknown>>(sql`
        select ${SUMMARY_COLUMNS(now)}, c.description, c.address, g.code as "gridCellCode",
               (select count(*)::int from grid_cells g2 where g2.street_id = g.street_id and g2.id <= g.id)
                 as "gridCellNumber",
               gs.name as "gridCellStreetName", gs.name_en as "gridCellStreetNameEn",
               c.dispatched_at as "dispatchedAt", c.sign_due_at as "signDueAt", c.signed_at as "signedAt",
               c.allowed_hours as "allowedHours", c.resolved_at as "resolvedAt", c.closed_at as "closedAt",
               c.rating, c.pending_extension_hours as "pendingExtensionHours", c.sensor_id as "sensorId",
               sen.code as "sensorCode", c.version
        from cases c
        left join streets s on s.id = c.street_id
        left join departments d on d.id = c.department_id
        left join grid_cells g on g.id = c.grid_cell_id
        left join streets gs on gs.id = g.street_id
        left join sensors sen on sen.id = c.sensor_id
        where c.code = ${code}`);
      if (!r) return null;
      const id = Number(r.id);
      const events = await db.rows<Record<string, unknown>>(sql`
        select e.id, e.at, u.display_name as "actorName", e.actor_role as "actorRole", e.action,
               e.from_state as "fromState", e.to_state as "toState", e.note, e.data
        from case_events e left join users u on u.id = e.actor_user_id
        where e.case_id = ${id} order by e.at, e.id`);
      const tickets = await db.rows<Record<string, unknown>>(sql`
        select id, received_at as "receivedAt", channel, text, address, placement, caller_name as "callerName",
               caller_phone as "callerPhone", duplicate, category, confidence, suggestions
        from hotline_tickets where case_id = ${id} order by received_at, id limit 200`);
      const nearby = await db.rows<Record<string, unknown>>(sql`
        select sen.id, sen.code, t.code as family, st.state,
               ST_Distance(sen.geom::geography, c.geom::geography) as "distanceM",
               (select count(*) from alarms a where a.sensor_id = sen.id and a.status <> 'cleared') as "openAlarms"
        from cases c
        join sensors sen on ST_DWithin(sen.geom::geography, c.geom::geography, 300)
        join sensor_types t on t.id = sen.type_id
        join sensor_state st on st.sensor_id = sen.id
        where c.id = ${id} and c.geom is not null
        order by "openAlarms" desc, "distanceM" limit 20`);
      return {
        ...summary(r),
        description: (r.description as string | null) ?? null,
        address: (r.address as string | null) ?? null,
        gridCellCode: (r.gridCellCode as string | null) ?? null,
        gridCellNumber: num(r.gridCellNumber),
        gridCellStreetName: (r.gridCellStreetName as string | null) ?? null,
        gridCellStreetNameEn: (r.gridCellStreetNameEn as string | null) ?? null,
        dispatchedAt: iso(r.dispatchedAt),
        signDueAt: iso(r.signDueAt),
        signedAt: iso(r.signedAt),
        allowedHours: num(r.allowedHours),
        resolvedAt: iso(r.resolvedAt),
        closedAt: iso(r.closedAt),
        rating: (r.rating as Rating | null) ?? null,
        pendingExtensionHours: num(r.pendingExtensionHours),
        sensorId: num(r.sensorId),
        sensorCode: (r.sensorCode as string | null) ?? null,
        version: Number(r.version),
        events: events.map((e): CaseEventView => ({
          id: Number(e.id),
          at: iso(e.at)!,
          actorName: (e.actorName as string | null) ?? null,
          actorRole: e.actorRole as string,
          action: e.action as string,
          fromState: (e.fromState as CaseState | null) ?? null,
          toState: (e.toState as CaseState | null) ?? null,
          note: (e.note as string | null) ?? null,
          data: json<Record<string, unknown>>(e.data),
        })),
        tickets: tickets.map((t): TicketView => ({
          id: Number(t.id),
          receivedAt: iso(t.receivedAt)!,
          channel: t.channel as string,
          text: t.text as string,
          address: (t.address as string | null) ?? null,
          placement: t.placement as Placement,
          callerName: (t.callerName as string | null) ?? null,
          callerPhone: (t.callerPhone as string | null) ?? null,
          duplicate: Boolean(t.duplicate),
          category: (t.category as string | null) ?? null,
          confidence: num(t.confidence),
          suggestions: json<{ category: string; score: number }[]>(t.suggestions),
        })),
        nearbySensors: nearby.map((s) => ({
          id: Number(s.id),
          code: s.code as string,
          family: s.family as string,
          state: Number(s.state),
          distanceM: Math.round(Number(s.distanceM)),
          openAlarms: Number(s.openAlarms),
        })),
      };
    },

    /** Every event of a case in order (the record a case can be rebuilt from). */
    async events(caseId: number): Promise<CaseEventView[]> {
      const rows = await db.rows<Record<string, unknown>>(sql`
        select id, at, actor_role as "actorRole", action, from_state as "fromState", to_state as "toState", note, data
        from case_events where case_id = ${caseId} order by at, id`);
      return rows.map((e) => ({
        id: Number(e.id),
        at: iso(e.at)!,
        actorName: null,
        actorRole: e.actorRole as string,
        action: e.action as string,
        fromState: (e.fromState as CaseState | null) ?? null,
        toState: (e.toState as CaseState | null) ?? null,
        note: (e.note as string | null) ?? null,
        data: json<Record<string, unknown>>(e.data),
      }));
    },

    /**
     * Cases whose signing or resolution deadline became due soon or passed in (from, to]: what the
     * deadline watch pushes to browsers. Each crossing is reported once per window.
     */
    async deadlinesCrossed(
      from: Date,
      to: Date,
    ): Promise<
      {
        id: number;
        code: string;
        state: CaseState;
        departmentId: number | null;
        deadline: 'due_soon' | 'overdue';
      }[]
    > {
      const rows = await db.rows<Record<string, unknown>>(sql`
        select id, code, state, department_id as "departmentId", 'overdue' as deadline from cases
        where state = 'dispatched' and sign_due_at > ${ts(from)} and sign_due_at <= ${ts(to)}
        union all
        select id, code, state, department_id, 'overdue' from cases
        where state in ('signed','in_progress') and due_at > ${ts(from)} and due_at <= ${ts(to)}
        union all
        select id, code, state, department_id, 'due_soon' from cases
        where state in ('signed','in_progress') and due_soon_at > ${ts(from)} and due_soon_at <= ${ts(to)}
          and due_at > ${ts(to)}
        limit 5000`);
      return rows.map((r) => ({
        id: Number(r.id),
        code: r.code as string,
        state: r.state as CaseState,
        departmentId: num(r.departmentId),
        deadline: r.deadline as 'due_soon' | 'overdue',
      }));
    },

    /** Corrections officers made to the classifier, oldest first (replayed into the model at start). */
    async corrections(): Promise<{ text: string; category: string }[]> {
      return db.rows<{ text: string; category: string }>(
        sql`select text, corrected as category from classification_corrections order by id`,
      );
    },

    async insertCorrection(
      c: {
        ticketId: number | null;
        text: string;
        predicted: string | null;
        corrected: string;
        userId: number | null;
      },
      at: Date,
      tx?: Orm,
    ): Promise<void> {
      await db.rows(
        sql`insert into classification_corrections (ticket_id, text, predicted, corrected, user_id, at)
            values (${c.ticketId}, ${c.text}, ${c.predicted}, ${c.corrected}, ${c.userId}, ${ts(at)}) returning id`,
        tx,
      );
    },

    /** The first ticket of a case (whose text a category correction teaches the classifier). */
    async firstTicket(
      caseId: number,
      tx?: Orm,
    ): Promise<{ id: number; text: string; category: string | null } | null> {
      const [r] = await db.rows<{ id: unknown; text: string; category: string | null }>(
        sql`select id, text, category from hotline_tickets where case_id = ${caseId} and not duplicate
            order by id limit 1`,
        tx,
      );
      return r ? { id: Number(r.id), text: r.text, category: r.category } : null;
    },

    /** Tickets with this Open311 token. */
    async ticketByToken(token: string): Promise<{ id: number; caseCode: string | null } | null> {
      const [r] = await db.rows<{ id: unknown; code: string | null }>(sql`
        select t.id, c.code from hotline_tickets t left join cases c on c.id = t.case_id where t.token = ${token}`);
      return r ? { id: Number(r.id), caseCode: r.code } : null;
    },
  };
}

export type CasesRepository = ReturnType<typeof casesRepository>;
