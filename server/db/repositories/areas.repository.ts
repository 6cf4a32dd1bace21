// Derived geography kept in PostGIS: district outlines from their streets, grid cells cut from a square
// grid, and which street / grid cell every located thing lies in. Run inside the caller's transaction.
import { sql } from 'drizzle-orm';
import type { Database, Orm } from '../client';

/** Grid cell edge in degrees (about 480 m east-west, 555 m north-south at Shanghai's latitude). */
export const GRID_CELL_DEGREES = 0.005;

/** Recomputes each district's outline as the union of its streets. */
export async function rebuildDistrictGeometry(tx: Orm): Promise<void> {
  await tx.execute(sql`
    update districts d set geom = u.geom, approximate = u.approximate
    from (
      select district_id, ST_Multi(ST_CollectionExtract(ST_UnaryUnion(ST_Collect(geom)), 3)) as geom,
             bool_or(approximate) as approximate
      from streets where geom is not null group by district_id
    ) u
    where u.district_id = d.id`);
}

/** Replaces all grid cells: a square grid over the streets, each square cut to the street it falls in. */
export async function rebuildGridCells(tx: Orm, cellDegrees = GRID_CELL_DEGREES): Promise<void> {
  await tx.execute(sql`update sensors set grid_cell_id = null where grid_cell_id is not null`);
  await tx.execute(sql`update hotline_tickets set grid_cell_id = null where grid_cell_id is not null`);
  await tx.execute(sql`update cases set grid_cell_id = null where grid_cell_id is not null`);
  await tx.execute(sql`delete from grid_cells`);
  await tx.execute(sql`
    insert into grid_cells (street_id, code, geom)
    select id, code, geom from (
      select s.id, s.code || '-' || g.i || '.' || g.j as code,
             ST_Multi(ST_CollectionExtract(ST_Intersection(s.geom, g.geom), 3)) as geom
      from streets s
      join ST_SquareGrid(${cellDegrees}::float8,
             (select ST_SetSRID(ST_Extent(geom)::geometry, 4326) from streets)) g
        on ST_Intersects(s.geom, g.geom)
      where s.geom is not null
    ) cut
    where not ST_IsEmpty(geom) and ST_Area(geom) > 1e-9
    order by code`);
}

/**
 * Puts every located sensor, ticket and case in the street and grid cell that covers it. A point on a
 * shared border goes to the lowest id, so each point lies in exactly one street.
 */
export async function assignToAreas(tx: Orm): Promise<void> {
  for (const table of ['sensors', 'hotline_tickets', 'cases']) {
    await tx.execute(
      sql.raw(`
      update ${table} t set
        street_id = (select s.id from streets s where ST_Covers(s.geom, t.geom) order by s.id limit 1),
        grid_cell_id = (select c.id from grid_cells c where ST_Covers(c.geom, t.geom) order by c.id limit 1)
      where t.geom is not null`),
    );
  }
}

/** All three, in order, in one transaction. */
export async function rebuildDerivedGeography(db: Database, tx?: Orm): Promise<void> {
  const run = async (t: Orm) => {
    await rebuildDistrictGeometry(t);
    await rebuildGridCells(t);
    await assignToAreas(t);
  };
  if (tx) await run(tx);
  else await db.orm.transaction(async (t) => run(t as unknown as Orm));
}
