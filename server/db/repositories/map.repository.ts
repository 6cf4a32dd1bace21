// Map geometry and sensor details as the browser needs them (GeoJSON built in PostGIS).
import { systemTextOf } from '../../../src/lib/api/system-text';
import { sql } from 'drizzle-orm';
import type { SensorDetail } from '../../../src/lib/api/sensors';
import type { Database } from '../client';

export type { SensorDetail };

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

export function mapRepository(db: Database) {
  return {
    /** Streets as a GeoJSON FeatureCollection (text), with label points inside each polygon. */
    async streetsGeoJson(): Promise<string> {
      const r = await db.rows<{ fc: string }>(sql`
        select json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(f order by id), '[]'::json))::text as fc
        from (
          select s.id, json_build_object(
            'type', 'Feature', 'id', s.id,
            'geometry', ST_AsGeoJSON(s.geom, 6)::json,
            'properties', json_build_object(
              'id', s.id, 'code', s.code, 'name', s.name, 'nameEn', s.name_en,
              'districtCode', d.code, 'districtName', d.name, 'districtNameEn', d.name_en,
              'approximate', s.approximate,
              'labelLon', ST_X(ST_PointOnSurface(s.geom)), 'labelLat', ST_Y(ST_PointOnSurface(s.geom)))) as f
          from streets s join districts d on d.id = s.district_id
          where s.geom is not null
        ) x`);
      return r[0].fc;
    },

    async districtsGeoJson(): Promise<string> {
      const r = await db.rows<{ fc: string }>(sql`
        select json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(f order by id), '[]'::json))::text as fc
        from (
          select id, json_build_object(
            'type', 'Feature', 'id', id,
            'geometry', ST_AsGeoJSON(geom, 6)::json,
            'properties', json_build_object('id', id, 'code', code, 'name', name, 'nameEn', name_en,
                                            'approximate', approximate)) as f
          from districts where geom is not null
        ) x`);
      return r[0].fc;
    },

    /**
     * A fingerprint of every street and district row version: ids with the transaction that wrote each
     * row, so any insert, update or delete, by this process or another, gives a new value. Reads no
     * geometry, so it is cheap enough to ask before every use of the cached boundaries.
     */
    async boundariesVersion(): Promise<string> {
      const [r] = await db.rows<{ v: string }>(sql`
        select concat_ws('|',
          (select md5(coalesce(string_agg(id || '.' || xmin::text, ',' order by id), '')) from streets),
          (select md5(coalesce(string_agg(id || '.' || xmin::text, ',' order by id), '')) from districts)) as v`);
      return r.v;
    },

    async sensorDetail(id: number, readingsLimit = 20): Promise<SensorDetail | null> {
      const [s] = await db.rows<Omit<SensorDetail, 'readings'>>(sql`
        select s.id, s.code, t.code as family, t.name as "familyName", t.name_en as "familyNameEn",
               st.state, d.name as "districtName", d.name_en as "districtNameEn",
               str.name as "streetName", str.name_en as "streetNameEn",
               ST_X(s.geom) as lon, ST_Y(s.geom) as lat,
               st.reported_at as "reportedAt", st.changed_at as "changedAt", st.reading,
               -- The family's rule behind the most severe alarm not yet cleared (overrides change
               -- limits, not fields): the chart starts on what fired.
               (select r ->> 'field'
                from alarms a cross join lateral jsonb_array_elements(t.rules) r
                where a.sensor_id = s.id and a.status <> 'cleared' and r ->> 'id' = a.rule_id
                order by a.severity desc, a.opened_at desc
                limit 1) as "firingField"
        from sensors s
        join sensor_types t on t.id = s.type_id
        join sensor_state st on st.sensor_id = s.id
        left join streets str on str.id = s.street_id
        left join districts d on d.id = str.district_id
        where s.id = ${id}`);
      if (!s) return null;
      const readings = await db.rows<{
        ts: string;
        state: number;
        reading: Record<string, number | boolean>;
      }>(sql`
        select ts, state, reading from sensor_readings where sensor_id = ${id} order by ts desc limit ${readingsLimit}`);
      return {
        ...s,
        reportedAt: iso(s.reportedAt),
        changedAt: iso(s.changedAt)!,
        readings: readings.map((r) => ({ ...r, ts: iso(r.ts)! })),
      };
    },

    /** The id of the sensor with this device code, or null. Codes are upper case; so is the search. */
    async sensorIdByCode(code: string): Promise<number | null> {
      const [r] = await db.rows<{ id: number }>(
        sql`select id from sensors where code = ${code.toUpperCase()}`,
      );
      return r?.id ?? null;
    },

    async systemCounts() {
      const [r] = await db.rows<{
        sensors: number;
        streets: number;
        tickets: number;
        seq: string | number;
      }>(sql`
        select (select count(*)::int from sensors) as sensors,
               (select count(*)::int from streets) as streets,
               (select count(*)::int from hotline_tickets) as tickets,
               (select coalesce(max(seq), 0) from sensor_state) as seq`);
      return { ...r, seq: Number(r.seq) };
    },

    async department(id: number) {
      const [d] = await db.rows<{ id: number; code: string; name: string; nameEn: string; kind: string }>(sql`
        select id, code, name, name_en as "nameEn", kind from departments where id = ${id}`);
      if (!d) return null;
      const cases = await db.rows<{
        id: number;
        code: string;
        title: string;
        systemText: unknown;
        state: string;
        createdAt: string;
      }>(sql`
        select id, code, title, system_text as "systemText", state, created_at as "createdAt" from cases
        where department_id = ${id} order by created_at desc limit 200`);
      const [t] = await db.rows<{ n: number }>(sql`
        select count(*)::int as n from hotline_tickets h
        join departments dep on dep.id = ${id}
        where h.received_at > now() - interval '1 day'
          and (dep.street_id is null or h.street_id = dep.street_id)`);
      return {
        department: d,
        cases: cases.map((c) => ({
          ...c,
          systemText: systemTextOf(c.systemText),
          createdAt: iso(c.createdAt)!,
        })),
        ticketsToday: t.n,
      };
    },
  };
}

export type MapRepository = ReturnType<typeof mapRepository>;
