// The history's reads of the city it happens in: streets and grid cells with their shapes, districts,
// departments, and the sensors with the department an alarm case goes to.
import { SENSOR_OWNER_DEPARTMENT } from '../../db/repositories/alarms.repository';
import { sql } from 'drizzle-orm';
import type { Database, Orm } from '../../db/client';
import type { PolygonGeometry } from '../../domain/geo';
import type { CitySnapshot } from './recorder';

/** A sensor as alarms and their cases need it. */
export interface HistorySensor {
  id: number;
  code: string;
  family: string;
  familyName: string;
  streetId: number | null;
  gridCellId: number | null;
  lon: number;
  lat: number;
  /** The department an alarm case goes to (the same choice as alarms.repository openCase). */
  departmentId: number | null;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Streets, grid cells, districts, departments and sensors, read once. */
export async function readCity(
  db: Database,
  tx?: Orm,
): Promise<{ city: CitySnapshot; sensors: HistorySensor[] }> {
  const streets = await db.rows<Record<string, unknown>>(
    sql`
    select id, code, name, district_id, ST_AsGeoJSON(geom) as g,
           ST_X(coalesce(ST_PointOnSurface(geom), centroid)) as lon, ST_Y(coalesce(ST_PointOnSurface(geom), centroid)) as lat
    from streets where geom is not null order by id`,
    tx,
  );
  const cells = await db.rows<Record<string, unknown>>(
    sql`select id, ST_AsGeoJSON(geom) as g from grid_cells order by id`,
    tx,
  );
  const districts = await db.rows<Record<string, unknown>>(
    sql`select id, code from districts order by id`,
    tx,
  );
  const departments = await db.rows<Record<string, unknown>>(
    sql`select id, code, kind, street_id from departments order by id`,
    tx,
  );
  const sensors = await db.rows<Record<string, unknown>>(
    sql`
    select s.id, s.code, t.code as family, t.name as "familyName", s.street_id as "streetId",
      s.grid_cell_id as "gridCellId", ST_X(s.geom) as lon, ST_Y(s.geom) as lat,
      ${SENSOR_OWNER_DEPARTMENT} as "departmentId"
    from sensors s
    join sensor_types t on t.id = s.type_id
    left join streets str on str.id = s.street_id
    left join districts d on d.id = str.district_id
    where s.geom is not null
    order by s.id`,
    tx,
  );
  return {
    city: {
      streets: streets.map((r) => ({
        id: Number(r.id),
        code: r.code as string,
        name: r.name as string,
        districtId: Number(r.district_id),
        geom: JSON.parse(r.g as string) as PolygonGeometry,
        lon: num(r.lon),
        lat: num(r.lat),
      })),
      gridCells: cells.map((r) => ({ id: Number(r.id), geom: JSON.parse(r.g as string) as PolygonGeometry })),
      districts: districts.map((r) => ({ id: Number(r.id), code: r.code as string })),
      departments: departments.map((r) => ({
        id: Number(r.id),
        code: r.code as string,
        kind: r.kind as string,
        streetId: num(r.street_id),
      })),
    },
    sensors: sensors.map((r) => ({
      id: Number(r.id),
      code: r.code as string,
      family: r.family as string,
      familyName: r.familyName as string,
      streetId: num(r.streetId),
      gridCellId: num(r.gridCellId),
      lon: Number(r.lon),
      lat: Number(r.lat),
      departmentId: num(r.departmentId),
    })),
  };
}
