// PostGIS column types with an explicit SRID: drizzle's built-in geometry() drops it (see STACK.md).
import { customType } from 'drizzle-orm/pg-core';

/** A WGS84 point written as EWKT; read back as the driver's hex EWKB (query ST_X/ST_Y for numbers). */
export const point4326 = customType<{ data: [number, number]; driverData: string }>({
  dataType: () => 'geometry(Point,4326)',
  toDriver: ([lon, lat]) => `SRID=4326;POINT(${lon} ${lat})`,
});

/** A WGS84 multipolygon; written and read as EWKT/EWKB text (use ST_AsGeoJSON to read shapes). */
export const multiPolygon4326 = customType<{ data: string; driverData: string }>({
  dataType: () => 'geometry(MultiPolygon,4326)',
});
