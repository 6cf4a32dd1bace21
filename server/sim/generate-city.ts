// Builds the demo city once: districts, streets with approximate Voronoi geometry made in PostGIS,
// departments and street offices, sensor families, grid cells, and N sensors with their initial state.
// Deterministic from a seed; idempotent through the meta key "demo_city".
import { sql } from 'drizzle-orm';
import type { Database, Orm } from '../db/client';
import { pgArray } from '../db/pg-array';
import { rebuildDistrictGeometry, rebuildGridCells } from '../db/repositories/areas.repository';
import {
  DISTRICTS,
  SENSOR_FAMILIES,
  STREETS,
  departmentsOf,
  streetOfficeOf,
  type SensorFamilyFact,
} from '../domain/city-facts';
import { PolygonLocator, bbox, randomPointIn, type BBox, type PolygonGeometry } from '../domain/geo';
import { createRandom, weightedPicker, type Random } from '../domain/random';
import { DEFAULT_RULES } from '../domain/rules.defaults';
import { normalReading } from '../domain/sensor-state';

/** Options of `generateDemoCity`. */
export interface GenerateCityOptions {
  /** How many sensors to place (the default deployment uses 20,000; the benchmark 500,000). */
  sensorCount: number;
  /** Seed of every random choice: the same seed gives the same city on the same engine. */
  seed: string;
  /** Progress messages. */
  log?: (msg: string) => void;
}

/** What `generateDemoCity` did. */
export interface GenerateCityResult {
  /** False when the city already existed and nothing was written. */
  generated: boolean;
  /** Streets in the database afterwards. */
  streets: number;
  /** Sensors in the database afterwards. */
  sensors: number;
  /** Grid cells in the database afterwards. */
  gridCells: number;
  /** Wall time of the call, milliseconds. */
  ms: number;
}

/** The meta key that marks a generated city; its value records how. */
export const DEMO_CITY_META_KEY = 'demo_city';

/** Rows per sensor INSERT: large enough to amortise the round trip, small enough for PGlite's memory. */
const SENSOR_BATCH = 50_000;

/** Serialises concurrent generators (two nodes starting at once): the second waits, then sees the meta key. */
const GENERATE_LOCK = 727002;

/** Generates the demo city unless it exists; everything happens in one transaction. */
export async function generateDemoCity(db: Database, opts: GenerateCityOptions): Promise<GenerateCityResult> {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  if (!Number.isInteger(opts.sensorCount) || opts.sensorCount < 0) {
    throw new Error(`sensorCount must be a whole number >= 0, got ${opts.sensorCount}`);
  }
  const generated = await db.orm.transaction(async (t) => {
    const tx = t as unknown as Orm;
    await tx.execute(sql`select pg_advisory_xact_lock(${GENERATE_LOCK})`);
    const existing = await db.rows<{ key: string }>(
      sql`select key from meta where key = ${DEMO_CITY_META_KEY}`,
      tx,
    );
    if (existing.length > 0) return false;

    const step = stepTimer(log);
    await insertAreas(tx);
    await buildStreetGeometry(tx);
    step('districts and streets with approximate geometry');
    await insertOrganisation(tx);
    step('departments, street offices and sensor families');
    await rebuildDistrictGeometry(tx);
    await rebuildGridCells(tx);
    step('district outlines and grid cells');
    await insertSensors(db, tx, opts.sensorCount, createRandom(opts.seed), log);
    step(`${opts.sensorCount} sensors with their initial state`);
    const value = JSON.stringify({
      seed: opts.seed,
      sensorCount: opts.sensorCount,
      generatedAt: new Date().toISOString(),
    });
    await tx.execute(sql`
      insert into meta (key, value, updated_at) values (${DEMO_CITY_META_KEY}, ${value}::jsonb, now())
      on conflict (key) do update set value = excluded.value, updated_at = now()`);
    return true;
  });
  const [counts] = await db.rows<{ streets: number; sensors: number; grid_cells: number }>(sql`
    select (select count(*)::int from streets) as streets, (select count(*)::int from sensors) as sensors,
           (select count(*)::int from grid_cells) as grid_cells`);
  return {
    generated,
    streets: counts.streets,
    sensors: counts.sensors,
    gridCells: counts.grid_cells,
    ms: Date.now() - t0,
  };
}

function stepTimer(log: (msg: string) => void) {
  let last = Date.now();
  return (what: string) => {
    const now = Date.now();
    log(`demo city: ${what} (${now - last} ms)`);
    last = now;
  };
}

/** Districts and streets from the facts; rows that already exist (same code) are kept as they are. */
async function insertAreas(tx: Orm): Promise<void> {
  const districts = JSON.stringify(DISTRICTS.map((d) => ({ code: d.code, name: d.name, name_en: d.nameEn })));
  await tx.execute(sql`
    insert into districts (code, name, name_en, approximate)
    select code, name, name_en, true from json_to_recordset(${districts}::json) as x(code text, name text, name_en text)
    on conflict (code) do nothing`);
  const streets = JSON.stringify(
    STREETS.map((s) => ({
      code: s.code,
      district: s.district,
      name: s.name,
      name_en: s.nameEn,
      kind: s.kind,
      area_km2: s.areaKm2,
      lon: s.lon,
      lat: s.lat,
    })),
  );
  await tx.execute(sql`
    insert into streets (district_id, code, name, name_en, kind, area_km2, centroid, approximate)
    select d.id, x.code, x.name, x.name_en, x.kind, x.area_km2,
           ST_SetSRID(ST_MakePoint(x.lon, x.lat), 4326), true
    from json_to_recordset(${streets}::json)
      as x(code text, district text, name text, name_en text, kind text, area_km2 real, lon float8, lat float8)
    join districts d on d.code = x.district
    order by x.code
    on conflict (code) do nothing`);
}

/**
 * Approximate street polygons, made in a metric projection (UTM 51N, which covers Shanghai) so that
 * distances are metres: the Voronoi cell of each street's centroid among all 27 centroids, clipped to
 * its own district's hull. The hull is the convex hull of the district's centroids grown by a buffer
 * chosen so the hull's area equals the district's official area (Steiner's formula for a convex shape:
 * area(r) = A + P·r + π·r²). Voronoi cells never overlap and each contains its centroid; intersecting a
 * convex cell with a convex hull keeps it a single convex polygon, so every result is valid.
 * Streets imported from an official boundary file (approximate = false) keep their geometry.
 */
async function buildStreetGeometry(tx: Orm): Promise<void> {
  await tx.execute(sql`
    with pts as (
      select s.id, s.district_id, ST_Transform(s.centroid, 32651) as p, s.area_km2
      from streets s where s.centroid is not null
    ),
    hull0 as (
      select district_id, ST_ConvexHull(ST_Collect(p)) as h, sum(area_km2) * 1e6 as target
      from pts group by district_id
    ),
    hull as (
      select district_id,
             ST_Buffer(h, greatest(0, (-ST_Perimeter(h) + sqrt(ST_Perimeter(h) ^ 2
               + 4 * pi() * greatest(0, target - ST_Area(h)))) / (2 * pi())), 16) as h
      from hull0
    ),
    cells as (
      select (ST_Dump(ST_VoronoiPolygons(ST_Collect(p), 0,
               ST_Expand(ST_Envelope(ST_Collect(p)), 50000)))).geom as cell
      from pts
    ),
    shaped as (
      select pts.id, ST_Multi(ST_Transform(ST_Intersection(c.cell, hull.h), 4326)) as geom
      from pts
      join hull using (district_id)
      join cells c on ST_Contains(c.cell, pts.p)
    )
    update streets s set geom = shaped.geom, approximate = true
    from shaped
    where s.id = shaped.id and (s.geom is null or s.approximate)`);
}

/** Departments of both districts, one office per street, and the sensor families. */
async function insertOrganisation(tx: Orm): Promise<void> {
  const departments = DISTRICTS.flatMap((d) =>
    departmentsOf(d).map((x) => ({
      code: x.code,
      name: x.name,
      name_en: x.nameEn,
      kind: x.kind as string,
      district: d.code,
      street: null as string | null,
    })),
  );
  for (const s of STREETS) {
    const office = streetOfficeOf(s);
    departments.push({
      code: office.code,
      name: office.name,
      name_en: office.nameEn,
      kind: 'street_office',
      district: s.district,
      street: s.code,
    });
  }
  await tx.execute(sql`
    insert into departments (code, name, name_en, kind, district_id, street_id)
    select x.code, x.name, x.name_en, x.kind, d.id, s.id
    from json_to_recordset(${JSON.stringify(departments)}::json)
      as x(code text, name text, name_en text, kind text, district text, street text)
    join districts d on d.code = x.district
    left join streets s on s.code = x.street
    on conflict (code) do nothing`);
  // Families are city-wide but bureaus are per district, so one family has an owner in each district:
  // the owner of a device is `${district}-${ownerDepartmentKey}` (see ownerDepartmentCode). The single
  // owner_department_id column cannot say that, so it stays null for generated families and
  // owner_department_key carries the bureau instead. Rules are the family defaults, as data.
  const families = JSON.stringify(
    SENSOR_FAMILIES.map((f) => ({
      code: f.code,
      name: f.name,
      name_en: f.nameEn,
      heartbeat: f.heartbeatSeconds,
      owner_key: f.ownerDepartmentKey,
      rules: DEFAULT_RULES[f.code],
    })),
  );
  await tx.execute(sql`
    insert into sensor_types (code, name, name_en, heartbeat_seconds, owner_department_key, rules)
    select code, name, name_en, heartbeat, owner_key, rules
    from json_to_recordset(${families}::json)
      as x(code text, name text, name_en text, heartbeat int, owner_key text, rules jsonb)
    on conflict (code) do nothing`);
}

interface StreetShape {
  id: number;
  areaKm2: number;
  geom: PolygonGeometry;
  box: BBox;
  /** Grid cells of this street, to give each sensor its cell without a database lookup. */
  cells: PolygonLocator;
}

async function loadStreetShapes(db: Database, tx: Orm): Promise<StreetShape[]> {
  const streets = await db.rows<{ id: number; area_km2: number; geojson: string }>(
    sql`select id, coalesce(area_km2, ST_Area(geom::geography) / 1e6) as area_km2, ST_AsGeoJSON(geom) as geojson
        from streets where geom is not null order by id`,
    tx,
  );
  const cells = await db.rows<{ id: number; street_id: number; geojson: string }>(
    sql`select id, street_id, ST_AsGeoJSON(geom) as geojson from grid_cells order by id`,
    tx,
  );
  return streets.map((s) => {
    const geom = JSON.parse(s.geojson) as PolygonGeometry;
    const own = cells
      .filter((c) => c.street_id === s.id)
      .map((c) => ({ id: c.id, geom: JSON.parse(c.geojson) as PolygonGeometry }));
    return { id: s.id, areaKm2: Number(s.area_km2), geom, box: bbox(geom), cells: new PolygonLocator(own) };
  });
}

/**
 * Places sensors: a street is drawn with probability proportional to its official area (so density is
 * roughly even), a point uniformly inside it by rejection sampling, and its grid cell looked up in JS.
 * A point in no grid cell (a sliver the grid dropped) is drawn again, so every sensor has a cell.
 * Rows go in with one INSERT per batch whose columns are array parameters; the same statement creates
 * the sensor_state rows (state 0, a healthy first reading).
 */
async function insertSensors(
  db: Database,
  tx: Orm,
  count: number,
  rnd: Random,
  log: (msg: string) => void,
): Promise<void> {
  if (count === 0) return;
  const streets = await loadStreetShapes(db, tx);
  if (streets.length === 0) throw new Error('no street has geometry: cannot place sensors');
  const typeRows = await db.rows<{ id: number; code: string }>(sql`select id, code from sensor_types`, tx);
  const typeId = new Map(typeRows.map((r) => [r.code, r.id]));
  const families = SENSOR_FAMILIES.filter((f) => typeId.has(f.code));
  const pickStreet = weightedPicker(streets.map((s) => s.areaKm2));
  const pickFamily = weightedPicker(families.map((f) => f.sharePct));
  const serial = new Map<SensorFamilyFact['code'], number>();
  const now = new Date();
  const nowIso = now.toISOString();
  const threeYears = 3 * 365 * 86_400;
  // Street lights of a city generated at night start switched on.
  const hour = (now.getUTCHours() + 8) % 24;
  const ctx = { night: hour >= 18 || hour < 6 };

  for (let start = 0; start < count; start += SENSOR_BATCH) {
    const n = Math.min(SENSOR_BATCH, count - start);
    const batchStart = Date.now();
    const codes: string[] = [];
    const types: number[] = [];
    const streetIds: number[] = [];
    const cellIds: number[] = [];
    const lons: number[] = [];
    const lats: number[] = [];
    const installed: number[] = [];
    const readings: string[] = [];
    for (let i = 0; i < n; i++) {
      const street = streets[pickStreet(rnd.next())];
      let cell: number | null = null;
      let lon = 0;
      let lat = 0;
      for (let tries = 0; cell === null; tries++) {
        if (tries > 1000) throw new Error(`street ${street.id} has no grid cell to place a sensor in`);
        [lon, lat] = randomPointIn(street.geom, rnd.next, street.box);
        cell = street.cells.locate(lon, lat);
      }
      const family = families[pickFamily(rnd.next())];
      const k = (serial.get(family.code) ?? 0) + 1;
      serial.set(family.code, k);
      codes.push(`${family.prefix}-${String(k).padStart(6, '0')}`);
      types.push(typeId.get(family.code)!);
      streetIds.push(street.id);
      cellIds.push(cell);
      lons.push(lon);
      lats.push(lat);
      installed.push(Math.floor(now.getTime() / 1000 - rnd.uniform(30 * 86_400, threeYears)));
      readings.push(JSON.stringify(normalReading(family.code, rnd, ctx)));
    }
    const placed = Date.now();
    await tx.execute(sql`
      with input as (
        select * from unnest(${pgArray(codes)}::text[], ${pgArray(types)}::int[], ${pgArray(streetIds)}::int[],
                             ${pgArray(cellIds)}::int[], ${pgArray(lons)}::float8[], ${pgArray(lats)}::float8[],
                             ${pgArray(installed)}::float8[], ${pgArray(readings)}::text[])
          as u(code, type_id, street_id, grid_cell_id, lon, lat, installed, reading)
      ),
      ins as (
        insert into sensors (code, type_id, street_id, grid_cell_id, geom, installed_at)
        select code, type_id, street_id, grid_cell_id, ST_SetSRID(ST_MakePoint(lon, lat), 4326), to_timestamp(installed)
        from input
        returning id, code
      )
      insert into sensor_state (sensor_id, state, reading, reported_at, changed_at)
      select ins.id, 0, input.reading::jsonb, ${nowIso}::timestamptz, ${nowIso}::timestamptz
      from ins join input using (code)`);
    log(
      `demo city: ${start + n} / ${count} sensors (placing ${placed - batchStart} ms, writing ${Date.now() - placed} ms)`,
    );
  }
}
