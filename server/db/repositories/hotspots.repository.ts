// Counts per grid cell and window for hot-spot detection, the study area's cells, and the reports behind a
// cell. The grid is computed in SQL from the point coordinates (no stored grid), so any cell size works.
import { sql, type SQL } from 'drizzle-orm';
import { systemTextOf } from '../../../src/lib/api/system-text';
import type { CellKey, Grid } from '../../domain/hotspots';
import type { Database } from '../client';

/** What is counted: citizens' reports, cases, or sensor alarms. */
export type HotspotSource = 'tickets' | 'cases' | 'alarms';

export interface CountQuery {
  source: HotspotSource;
  /** Category code or group code (tickets and cases); sensor family (alarms). */
  category?: string;
  grid: Grid;
  /** End of the current window. */
  to: Date;
  windowMs: number;
  /** Windows counted back from `to`, the current one included. */
  windows: number;
}

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

function sourceSql(q: CountQuery): { from: SQL; at: SQL; geom: SQL; filter: SQL } {
  const cat = q.category;
  const categoryFilter = (col: SQL) =>
    !cat ? sql`` : cat.includes('.') ? sql`and ${col} = ${cat}` : sql`and ${col} like ${`${cat}.%`}`;
  switch (q.source) {
    case 'tickets':
      return {
        from: sql`hotline_tickets t`,
        at: sql`t.received_at`,
        geom: sql`t.geom`,
        filter: categoryFilter(sql`t.category`),
      };
    case 'cases':
      return {
        from: sql`cases t`,
        at: sql`t.created_at`,
        geom: sql`t.geom`,
        filter: categoryFilter(sql`t.category`),
      };
    case 'alarms':
      return {
        from: sql`alarms a join sensors t on t.id = a.sensor_id join sensor_types ty on ty.id = t.type_id`,
        at: sql`a.opened_at`,
        geom: sql`t.geom`,
        filter: cat ? sql`and ty.code = ${cat}` : sql``,
      };
  }
}

export function hotspotsRepository(db: Database) {
  return {
    /** The districts' extent [west, south, east, north], or null before any district exists. */
    async extent(): Promise<[number, number, number, number] | null> {
      const [r] = await db.rows<{ w: unknown; s: unknown; e: unknown; n: unknown }>(sql`
        select ST_XMin(x) as w, ST_YMin(x) as s, ST_XMax(x) as e, ST_YMax(x) as n
        from (select ST_Extent(geom)::geometry as x from districts) e`);
      if (!r || r.w === null) return null;
      return [Number(r.w), Number(r.s), Number(r.e), Number(r.n)];
    },

    /** Cells of the grid that touch a district: the study area (zeros included). */
    async studyArea(grid: Grid, extent: [number, number, number, number]): Promise<CellKey[]> {
      const [w, s, e, n] = extent;
      const nx = Math.ceil((e - grid.lon0) / grid.dLon);
      const ny = Math.ceil((n - grid.lat0) / grid.dLat);
      const ix0 = Math.floor((w - grid.lon0) / grid.dLon);
      const iy0 = Math.floor((s - grid.lat0) / grid.dLat);
      const rows = await db.rows<{ ix: number; iy: number }>(sql`
        with area as (select ST_Union(geom) as g from districts)
        select ix, iy from generate_series(${ix0}::int, ${nx}::int) ix, generate_series(${iy0}::int, ${ny}::int) iy, area
        where ST_Intersects(area.g, ST_MakeEnvelope(${grid.lon0}::float8 + ix * ${grid.dLon}::float8,
                                                    ${grid.lat0}::float8 + iy * ${grid.dLat}::float8,
                                                    ${grid.lon0}::float8 + (ix + 1) * ${grid.dLon}::float8,
                                                    ${grid.lat0}::float8 + (iy + 1) * ${grid.dLat}::float8, 4326))
        order by ix, iy`);
      return rows.map((r) => ({ ix: Number(r.ix), iy: Number(r.iy) }));
    },

    /** Reports per (window, cell): window 0 is the current one, 1 the one before, … */
    async counts(q: CountQuery): Promise<{ w: number; ix: number; iy: number; n: number }[]> {
      const { from, at, geom, filter } = sourceSql(q);
      const since = new Date(q.to.getTime() - q.windows * q.windowMs);
      const rows = await db.rows<{ w: unknown; ix: unknown; iy: unknown; n: unknown }>(sql`
        select w, ix, iy, count(*) as n from (
          select floor(extract(epoch from (${ts(q.to)} - ${at})) * 1000 / ${q.windowMs}::float8)::int as w,
                 floor((ST_X(${geom}) - ${q.grid.lon0}::float8) / ${q.grid.dLon}::float8)::int as ix,
                 floor((ST_Y(${geom}) - ${q.grid.lat0}::float8) / ${q.grid.dLat}::float8)::int as iy
          from ${from}
          where ${at} > ${ts(since)} and ${at} <= ${ts(q.to)} and ${geom} is not null ${filter}
        ) x
        group by w, ix, iy`);
      return rows.map((r) => ({ w: Number(r.w), ix: Number(r.ix), iy: Number(r.iy), n: Number(r.n) }));
    },

    /** Street names that each of these cells touches. */
    async streetsOf(
      grid: Grid,
      cells: readonly CellKey[],
    ): Promise<Map<string, { name: string; nameEn: string }[]>> {
      const out = new Map<string, { name: string; nameEn: string }[]>();
      if (cells.length === 0) return out;
      const rows = await db.rows<{ ix: unknown; iy: unknown; name: string; nameEn: string }>(sql`
        select c.ix, c.iy, s.name, s.name_en as "nameEn"
        from unnest(${`{${cells.map((c) => c.ix).join(',')}}`}::int[], ${`{${cells.map((c) => c.iy).join(',')}}`}::int[]) as c(ix, iy)
        join streets s on ST_Intersects(s.geom, ST_MakeEnvelope(${grid.lon0}::float8 + c.ix * ${grid.dLon}::float8,
                                                               ${grid.lat0}::float8 + c.iy * ${grid.dLat}::float8,
                                                               ${grid.lon0}::float8 + (c.ix + 1) * ${grid.dLon}::float8,
                                                               ${grid.lat0}::float8 + (c.iy + 1) * ${grid.dLat}::float8, 4326))
        order by c.ix, c.iy, s.id`);
      for (const r of rows) {
        const k = `${Number(r.ix)}:${Number(r.iy)}`;
        const list = out.get(k) ?? [];
        list.push({ name: r.name, nameEn: r.nameEn });
        out.set(k, list);
      }
      return out;
    },

    /** The reports behind one cell in the current window, newest first (no personal data). */
    async reportsIn(
      q: CountQuery,
      cell: CellKey,
      limit = 100,
    ): Promise<
      { id: number; at: string; category: string | null; summary: string; caseCode: string | null }[]
    > {
      const since = new Date(q.to.getTime() - q.windowMs);
      const env = sql`ST_MakeEnvelope(${q.grid.lon0 + cell.ix * q.grid.dLon}::float8, ${q.grid.lat0 + cell.iy * q.grid.dLat}::float8,
                                      ${q.grid.lon0 + (cell.ix + 1) * q.grid.dLon}::float8, ${q.grid.lat0 + (cell.iy + 1) * q.grid.dLat}::float8, 4326)`;
      const { filter } = sourceSql(q);
      let rows: Record<string, unknown>[];
      if (q.source === 'alarms') {
        rows = await db.rows(sql`
          select a.id, a.opened_at as at, ty.code as category, t.code as summary, a.rule_id as rule, c.code as "caseCode"
          from alarms a join sensors t on t.id = a.sensor_id join sensor_types ty on ty.id = t.type_id
          left join cases c on c.id = a.case_id
          where a.opened_at > ${ts(since)} and a.opened_at <= ${ts(q.to)} and ST_Intersects(t.geom, ${env}) ${filter}
          order by a.opened_at desc limit ${limit}`);
      } else if (q.source === 'cases') {
        rows = await db.rows(sql`
          select t.id, t.created_at as at, t.category, t.title as summary, t.system_text as "systemText", t.code as "caseCode"
          from cases t
          where t.created_at > ${ts(since)} and t.created_at <= ${ts(q.to)} and ST_Intersects(t.geom, ${env}) ${filter}
          order by t.created_at desc limit ${limit}`);
      } else {
        rows = await db.rows(sql`
          select t.id, t.received_at as at, t.category, left(t.text, 80) as summary, c.code as "caseCode"
          from hotline_tickets t left join cases c on c.id = t.case_id
          where t.received_at > ${ts(since)} and t.received_at <= ${ts(q.to)} and ST_Intersects(t.geom, ${env}) ${filter}
          order by t.received_at desc limit ${limit}`);
      }
      return rows.map((r) => ({
        id: Number(r.id),
        at: new Date(r.at as string).toISOString(),
        category: (r.category as string | null) ?? null,
        summary: String(r.summary ?? ''),
        caseCode: (r.caseCode as string | null) ?? null,
        // Only the fields a source has: a ticket row stays the five fields it always was.
        ...(q.source === 'alarms' ? { rule: (r.rule as string | null) ?? null } : {}),
        ...(q.source === 'cases' ? { systemText: systemTextOf(r.systemText) } : {}),
      }));
    },
  };
}

export type HotspotsRepository = ReturnType<typeof hotspotsRepository>;
