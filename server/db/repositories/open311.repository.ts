// Open311's reads: cases as service requests (with their street, department and latest note) and the API
// keys allowed to create them. Writes of new requests go through intake and the cases repository.
import { sql, type SQL } from 'drizzle-orm';
import type { CaseState } from '../../domain/case-workflow';
import type { Database } from '../client';

// Dates go to SQL as ISO text with a cast: postgres.js (as drizzle configures it) cannot bind a Date.
const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** A case as Open311 maps it (see server/open311/mapping.ts). */
export interface Open311CaseRow {
  /** Case code: the service_request_id. */
  code: string;
  state: CaseState;
  /** Category code: the service_code. */
  category: string;
  /** The first report's text. */
  description: string | null;
  /** The address as reported. */
  address: string | null;
  streetName: string | null;
  streetNameEn: string | null;
  /** The department or street office it is dispatched to. */
  departmentName: string | null;
  departmentNameEn: string | null;
  createdAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
  closedAt: Date | null;
  /** Resolution deadline. */
  dueAt: Date | null;
  /** Signing deadline. */
  signDueAt: Date | null;
  lon: number | null;
  lat: number | null;
  /** The latest non-empty note of its history; null when not asked for or none. */
  lastNote: string | null;
}

/** Which cases to read; without `codes` the window is required. */
export interface Open311CaseFilter {
  /** Case codes: when given, the other filters are ignored (GeoReport v2 semantics). */
  codes?: string[];
  categories?: string[];
  states?: CaseState[];
  /** created_at ≥ from. */
  from?: Date;
  /** created_at ≤ to. */
  to?: Date;
  /** Newest first, at most this many. */
  limit: number;
  /** Read each case's latest note (only the keyed view shows it). */
  withNotes: boolean;
}

/** An API key as stored. */
export interface Open311Key {
  id: number;
  name: string;
  disabled: boolean;
}

const list = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

function whereOf(f: Open311CaseFilter): SQL {
  // Sensor alarm cases are the city's own work orders, not citizens' requests.
  const parts: SQL[] = [sql`c.source <> 'sensor'`, sql`c.category is not null`];
  if (f.codes) parts.push(sql`c.code in (${list(f.codes)})`);
  else {
    if (f.categories?.length) parts.push(sql`c.category in (${list(f.categories)})`);
    if (f.states?.length) parts.push(sql`c.state in (${list(f.states)})`);
    if (f.from) parts.push(sql`c.created_at >= ${ts(f.from)}`);
    if (f.to) parts.push(sql`c.created_at <= ${ts(f.to)}`);
  }
  return sql.join(parts, sql` and `);
}

export function open311Repository(db: Database) {
  return {
    /** Cases as service requests, newest first. */
    async requests(f: Open311CaseFilter): Promise<Open311CaseRow[]> {
      if (f.codes?.length === 0) return [];
      const note = f.withNotes
        ? sql`(select e.note from case_events e
               where e.case_id = c.id and e.note is not null and e.note <> ''
               order by e.at desc, e.id desc limit 1)`
        : sql`null`;
      const rows = await db.rows<Record<string, unknown>>(sql`
        select c.code, c.state, c.category, c.description, c.address,
               s.name as "streetName", s.name_en as "streetNameEn",
               d.name as "departmentName", d.name_en as "departmentNameEn",
               c.created_at as "createdAt", c.updated_at as "updatedAt", c.resolved_at as "resolvedAt",
               c.closed_at as "closedAt", c.due_at as "dueAt", c.sign_due_at as "signDueAt",
               ST_X(c.geom) as lon, ST_Y(c.geom) as lat, ${note} as "lastNote"
        from cases c
        left join streets s on s.id = c.street_id
        left join departments d on d.id = c.department_id
        where ${whereOf(f)}
        order by c.created_at desc, c.id desc
        limit ${f.limit}`);
      return rows.map((r) => ({
        code: r.code as string,
        state: r.state as CaseState,
        category: r.category as string,
        description: (r.description as string | null) ?? null,
        address: (r.address as string | null) ?? null,
        streetName: (r.streetName as string | null) ?? null,
        streetNameEn: (r.streetNameEn as string | null) ?? null,
        departmentName: (r.departmentName as string | null) ?? null,
        departmentNameEn: (r.departmentNameEn as string | null) ?? null,
        createdAt: date(r.createdAt)!,
        updatedAt: date(r.updatedAt)!,
        resolvedAt: date(r.resolvedAt),
        closedAt: date(r.closedAt),
        dueAt: date(r.dueAt),
        signDueAt: date(r.signDueAt),
        lon: num(r.lon),
        lat: num(r.lat),
        lastNote: (r.lastNote as string | null) ?? null,
      }));
    },

    /** The key with this SHA-256 hash, or null. */
    async keyByHash(hash: string): Promise<Open311Key | null> {
      const [r] = await db.rows<{ id: unknown; name: string; disabled: boolean }>(
        sql`select id, name, disabled from open311_keys where key_hash = ${hash}`,
      );
      return r ? { id: Number(r.id), name: r.name, disabled: Boolean(r.disabled) } : null;
    },

    /** Stores a key's hash unless it is there already (a disabled key stays disabled). */
    async ensureKey(name: string, hash: string): Promise<void> {
      await db.rows(
        sql`insert into open311_keys (name, key_hash) values (${name}, ${hash}) on conflict (key_hash) do nothing`,
      );
    },
  };
}

export type Open311Repository = ReturnType<typeof open311Repository>;
