// SQL side of the boundary import: PostGIS validity, matching features to stored streets and districts,
// replacing geometry, and re-deriving everything that depends on it. All of it in one transaction.
import { sql } from 'drizzle-orm';
import { boundaryError, type BoundaryError, type ValidBoundary } from '../../domain/boundary-validation';
import type { Database, Orm } from '../client';
import { rebuildDerivedGeography } from './areas.repository';

/** What a successful import changed. */
export interface BoundaryImportSummary {
  /** Names of stored streets whose geometry the file replaced (now approximate = false). */
  updatedStreets: string[];
  /** Names of streets the file added. */
  insertedStreets: string[];
  /** Names of stored streets the file does not mention; left exactly as they were. */
  untouchedStreets: string[];
  /** Sensors whose street changed with the new boundaries. */
  sensorsReassigned: number;
  /** Sensors that now lie in no street at all. */
  sensorsOutside: number;
  /** All sensors, for context. */
  sensorsTotal: number;
  /** Grid cells after they were rebuilt from the new streets. */
  gridCells: number;
}

/** Outcome of `replaceStreetBoundaries`: on failure nothing was written. */
export type StreetBoundaryOutcome =
  { ok: true; summary: BoundaryImportSummary } | { ok: false; errors: BoundaryError[] };

/** The repository as a value, so services can be handed a fake. */
export interface BoundaryRepository {
  replaceStreetBoundaries(db: Database, features: ValidBoundary[]): Promise<StreetBoundaryOutcome>;
}

interface StoredStreet {
  id: number;
  name: string;
  code: string;
  district_id: number;
}

interface StoredDistrict {
  id: number;
  code: string;
  name: string;
}

/** Which stored row each feature becomes. */
interface Plan {
  updates: { n: number; street_id: number; district_id: number }[];
  inserts: { n: number; district_id: number; code: string }[];
  errors: BoundaryError[];
}

/** Serialises imports (two operators, or two nodes on one PostgreSQL): grid cells are rebuilt wholesale. */
const IMPORT_LOCK = 727003;

/** Thrown inside the transaction to roll it back while carrying the reasons out. */
class Rejected extends Error {
  constructor(readonly errors: BoundaryError[]) {
    super('boundary import rejected');
  }
}

/**
 * Checks the features in PostGIS, upserts them as streets by name and rebuilds districts, grid cells and
 * area assignments. Any problem rolls the whole transaction back.
 */
export async function replaceStreetBoundaries(
  db: Database,
  features: ValidBoundary[],
): Promise<StreetBoundaryOutcome> {
  try {
    const summary = await db.orm.transaction(async (t) => {
      const tx = t as unknown as Orm;
      await tx.execute(sql`select pg_advisory_xact_lock(${IMPORT_LOCK})`);
      await loadFeatures(tx, features);

      const invalid = await invalidGeometries(db, tx);
      if (invalid.length > 0) throw new Rejected(invalid);

      const streets = await db.rows<StoredStreet>(
        sql`select id, name, code, district_id from streets order by id`,
        tx,
      );
      const plan = planUpsert(
        features,
        streets,
        await db.rows<StoredDistrict>(sql`select id, code, name from districts order by id`, tx),
        await containingDistricts(db, tx),
      );
      if (plan.errors.length > 0) throw new Rejected(plan.errors);

      // Remember where every sensor was, to count how many the new boundaries move.
      await tx.execute(sql`
        create temp table boundary_import_before on commit drop as select id, street_id from sensors`);
      await writeStreets(tx, plan);
      await rebuildDerivedGeography(db, tx);
      return summarise(db, tx, features, plan, streets);
    });
    return { ok: true, summary };
  } catch (err) {
    if (err instanceof Rejected) return { ok: false, errors: err.errors };
    throw err;
  }
}

/** The default implementation, for services. */
export const boundaryRepository: BoundaryRepository = { replaceStreetBoundaries };

/**
 * Puts the features in a temporary table as PostGIS geometry once, so later statements join on it. The
 * whole array travels as one JSON parameter: drizzle would bind a JS array element by element.
 */
async function loadFeatures(tx: Orm, features: ValidBoundary[]): Promise<void> {
  const payload = JSON.stringify(
    features.map((f) => ({ n: f.featureNumber, name: f.name, kind: f.kind, geometry: f.geometry })),
  );
  await tx.execute(sql`
    create temp table boundary_import_features (n int primary key, name text not null, kind text not null,
      geom geometry(Geometry, 4326) not null) on commit drop`);
  // ST_Force2D: the column is 2D, and heights in a boundary file carry no meaning for a street.
  await tx.execute(sql`
    insert into boundary_import_features (n, name, kind, geom)
    select (e->>'n')::int, e->>'name', e->>'kind',
           ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON((e->'geometry')::text)), 4326)
    from json_array_elements(${payload}::json) e`);
}

/** Self-intersections, spikes, rings too small: PostGIS's reason and location per invalid feature. */
async function invalidGeometries(db: Database, tx: Orm): Promise<BoundaryError[]> {
  // ST_IsValidReason rather than ST_IsValid: the latter also raises a NOTICE per invalid geometry.
  const rows = await db.rows<{ n: number; name: string; reason: string }>(
    sql`
      select n, name, reason from (
        select n, name, ST_IsValidReason(geom) as reason from boundary_import_features
      ) v
      where reason <> 'Valid Geometry'
      order by n`,
    tx,
  );
  return rows.map((r) => boundaryError(r.n, r.name, `geometry is not valid: ${r.reason}`));
}

/** For each feature, the stored district whose outline holds a point inside it (null if none does). */
async function containingDistricts(db: Database, tx: Orm): Promise<Map<number, number>> {
  const rows = await db.rows<{ n: number; district_id: number | null }>(
    sql`
      select f.n, (
        select d.id from districts d
        where d.geom is not null and ST_Covers(d.geom, ST_PointOnSurface(f.geom))
        order by d.id limit 1
      ) as district_id
      from boundary_import_features f`,
    tx,
  );
  return new Map(rows.filter((r) => r.district_id !== null).map((r) => [r.n, r.district_id as number]));
}

/**
 * Matches features to stored streets by name and resolves each one's district: the one its district
 * property names (by name or code), else for a new street the district that contains it.
 */
function planUpsert(
  features: ValidBoundary[],
  streets: StoredStreet[],
  districts: StoredDistrict[],
  containing: Map<number, number>,
): Plan {
  const plan: Plan = { updates: [], inserts: [], errors: [] };
  if (districts.length === 0) {
    // One line instead of one per feature: the file is fine, the database is not ready for it.
    const problem = 'no districts are stored yet: start CityNerve once so it creates them, then import';
    plan.errors.push(boundaryError(null, null, problem));
    return plan;
  }
  const districtByKey = new Map<string, StoredDistrict>();
  for (const d of districts) {
    districtByKey.set(d.code, d);
    districtByKey.set(d.name, d); // names win over codes when a code happens to equal another's name
  }
  const codesInUse = new Map(streets.map((s) => [s.code, s.name]));
  const known = `known districts: ${districts.map((d) => d.name).join(', ')}`;

  for (const f of features) {
    const fail = (problem: string) => plan.errors.push(boundaryError(f.featureNumber, f.name, problem));
    const named = f.districtName === null ? null : (districtByKey.get(f.districtName) ?? null);
    if (f.districtName !== null && !named) {
      fail(`district "${f.districtName}" does not exist (${known})`);
      continue;
    }
    let matches = streets.filter((s) => s.name === f.name);
    if (matches.length > 1 && named) matches = matches.filter((s) => s.district_id === named.id);
    if (matches.length > 1) {
      fail(
        `name matches ${matches.length} stored streets in different districts; add a cnty property to choose`,
      );
      continue;
    }
    if (matches.length === 1) {
      plan.updates.push({
        n: f.featureNumber,
        street_id: matches[0].id,
        district_id: named?.id ?? matches[0].district_id,
      });
      continue;
    }
    const districtId = named?.id ?? containing.get(f.featureNumber);
    const district = districts.find((d) => d.id === districtId);
    if (!district) {
      fail(
        'is a new street but names no district (cnty or district property) and lies inside no stored district outline',
      );
      continue;
    }
    const code = f.code ?? `${district.code}-${f.name}`;
    const holder = codesInUse.get(code);
    if (holder !== undefined) {
      fail(`street code "${code}" is already used by street "${holder}"`);
      continue;
    }
    codesInUse.set(code, f.name);
    plan.inserts.push({ n: f.featureNumber, district_id: district.id, code });
  }
  return plan;
}

async function writeStreets(tx: Orm, plan: Plan): Promise<void> {
  if (plan.updates.length > 0) {
    await tx.execute(sql`
      update streets s set geom = ST_Multi(f.geom), approximate = false, district_id = p.district_id
      from json_to_recordset(${JSON.stringify(plan.updates)}::json) as p(n int, street_id int, district_id int)
      join boundary_import_features f on f.n = p.n
      where s.id = p.street_id`);
  }
  if (plan.inserts.length > 0) {
    // The file has no English names: the Chinese name stands in until someone supplies one. The label
    // point goes in `centroid` because a concave street's true centroid can fall outside it.
    await tx.execute(sql`
      insert into streets (district_id, code, name, name_en, kind, geom, centroid, approximate)
      select p.district_id, p.code, f.name, f.name, f.kind, ST_Multi(f.geom), ST_PointOnSurface(f.geom), false
      from json_to_recordset(${JSON.stringify(plan.inserts)}::json) as p(n int, district_id int, code text)
      join boundary_import_features f on f.n = p.n
      order by p.n`);
  }
}

async function summarise(
  db: Database,
  tx: Orm,
  features: ValidBoundary[],
  plan: Plan,
  storedBefore: StoredStreet[],
): Promise<BoundaryImportSummary> {
  const nameOf = new Map(features.map((f) => [f.featureNumber, f.name]));
  const [sensors] = await db.rows<{ reassigned: number; outside: number; total: number }>(
    sql`
      select count(*) filter (where b.street_id is distinct from s.street_id)::int as reassigned,
             count(*) filter (where s.street_id is null)::int as outside,
             count(*)::int as total
      from sensors s left join boundary_import_before b on b.id = s.id`,
    tx,
  );
  const [cells] = await db.rows<{ n: number }>(sql`select count(*)::int as n from grid_cells`, tx);
  const touched = new Set(plan.updates.map((u) => u.street_id));
  return {
    updatedStreets: plan.updates.map((u) => nameOf.get(u.n) as string),
    insertedStreets: plan.inserts.map((i) => nameOf.get(i.n) as string),
    untouchedStreets: storedBefore.filter((s) => !touched.has(s.id)).map((s) => s.name),
    sensorsReassigned: sensors.reassigned,
    sensorsOutside: sensors.outside,
    sensorsTotal: sensors.total,
    gridCells: cells.n,
  };
}
