import { sql } from 'drizzle-orm';
import { inject } from 'vitest';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { migrate, openPostgres, type Database } from '../../server/db/client';
import { database, engines } from './support/databases';

const TABLES = [
  'alarms',
  'allocation_decisions',
  'case_events',
  'case_holdings',
  'cases',
  'classification_corrections',
  'dead_letter_tallies',
  'dead_letters',
  'departments',
  'display_tokens',
  'districts',
  'gateways',
  'grid_cells',
  'hotline_tickets',
  'login_audit',
  'login_throttle',
  'meta',
  'open311_keys',
  'public_cache',
  'public_rate_buckets',
  'replay_bookmarks',
  'replay_checkpoints',
  'rule_override_audit',
  'score_snapshots',
  'scoring_schemes',
  'sensor_readings',
  'sensor_state',
  'sensor_transitions',
  'sensor_types',
  'sensors',
  'sessions',
  'streets',
  'unit_capacity',
  'users',
];

async function describeSchema(db: Database) {
  const tables = (
    await db.rows<{ t: string }>(sql`
      select c.relname as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
        and c.relname <> 'spatial_ref_sys'
      order by 1`)
  ).map((r) => r.t);
  const geometry = await db.rows<{ table: string; column: string; type: string; srid: number }>(sql`
    select f_table_name as "table", f_geometry_column as "column", type, srid
    from geometry_columns where f_table_schema = 'public' order by 1, 2`);
  const gist = (
    await db.rows<{ name: string }>(sql`
      select indexname as name from pg_indexes where schemaname = 'public' and indexdef ilike '%using gist%' order by 1`)
  ).map((r) => r.name);
  return { tables, geometry, gist };
}

async function checkSchema(db: Database) {
  const { tables, geometry, gist } = await describeSchema(db);
  expect(tables).toEqual(TABLES);
  expect(geometry.map((g) => `${g.table}.${g.column}`)).toEqual([
    'cases.geom',
    'districts.geom',
    'grid_cells.geom',
    'hotline_tickets.geom',
    'sensors.geom',
    'streets.centroid',
    'streets.geom',
  ]);
  for (const g of geometry) expect(g.srid, `${g.table}.${g.column}`).toBe(4326);
  expect(geometry.find((g) => g.table === 'streets' && g.column === 'geom')?.type).toBe('MULTIPOLYGON');
  expect(geometry.find((g) => g.table === 'sensors')?.type).toBe('POINT');
  // Every geometry column has a GiST index except the street centroid (a label point, never searched).
  for (const g of geometry.filter((x) => x.column === 'geom')) {
    expect(gist, `GiST index on ${g.table}.geom`).toContain(`${g.table}_geom_gist`);
  }
  const trigger = await db.rows<{ n: number }>(
    sql`select count(*)::int as n from pg_trigger where tgname = 'sensor_state_stamp'`,
  );
  expect(trigger[0].n).toBe(1);
  // Reading history is partitioned by day (migration 0015), with a DEFAULT partition for other days.
  const [readings] = await db.rows<{ strategy: string; keys: string; hasDefault: boolean }>(sql`
    select p.partstrat::text as strategy, pg_get_partkeydef(p.partrelid) as keys,
           p.partdefid <> 0 as "hasDefault"
    from pg_partitioned_table p where p.partrelid = 'sensor_readings'::regclass`);
  expect(readings).toEqual({ strategy: 'r', keys: 'RANGE (ts)', hasDefault: true });
}

describe.each(engines())('migrations on %s', (engine) => {
  it('build the whole schema from empty, PostGIS first, with SRID 4326 and GiST indexes', async () => {
    if (engine === 'pglite') {
      await checkSchema(await database('pglite'));
      return;
    }
    // A brand-new database on the real server, migrated from nothing, then dropped.
    const base = inject('pgTestUrl');
    const name = `citynerve_mig_${Date.now().toString(36)}`;
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    const db = await openPostgres(url.toString(), { max: 2 });
    try {
      const before = await db.rows<{ n: number }>(
        sql`select count(*)::int as n from pg_extension where extname = 'postgis'`,
      );
      expect(before[0].n).toBe(0);
      await migrate(db);
      await checkSchema(db);
    } finally {
      await db.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });

  it('are idempotent: running them again changes nothing', async () => {
    const db = await database(engine);
    const before = await describeSchema(db);
    await migrate(db);
    expect(await describeSchema(db)).toEqual(before);
  });
});
