// The database engines every integration test runs on: embedded PGlite always, real PostgreSQL when
// TEST_DATABASE_URL is set. Each engine is opened and migrated once per test process and shared by files.
import { sql } from 'drizzle-orm';
import { inject } from 'vitest';
import { openPglite, openPostgres, migrate, type Database } from '../../../server/db/client';

export type EngineName = 'pglite' | 'postgres';

const opened = new Map<EngineName, Promise<Database>>();

/** The engines to run on, for `describe.each`. */
export function engines(): EngineName[] {
  return inject('pgTestUrl') ? ['pglite', 'postgres'] : ['pglite'];
}

/** The shared, migrated database of an engine (opened on first use). */
export function database(engine: EngineName): Promise<Database> {
  let db = opened.get(engine);
  if (!db) {
    db = (async () => {
      const d = engine === 'pglite' ? await openPglite() : await openPostgres(inject('pgTestUrl'));
      await migrate(d);
      return d;
    })();
    opened.set(engine, db);
  }
  return db;
}

/** Empties every application table so a test starts from nothing (schema and migrations stay). */
export async function resetDatabase(db: Database): Promise<void> {
  const tables = await db.rows<{ name: string }>(sql`
    select tablename as name from pg_tables
    where schemaname = 'public' and tablename not in ('spatial_ref_sys')`);
  const list = tables.map((t) => `"${t.name}"`).join(', ');
  if (list) await db.orm.execute(sql.raw(`truncate ${list} restart identity cascade`));
  await db.orm.execute(sql`select setval('sensor_state_seq', 1, false)`);
}

/**
 * A file-level snapshot of table row counts, to prove a failed operation changed nothing. Partitions are
 * counted in their parent (sensor_readings' days come and go with the date).
 */
export async function tableCounts(db: Database): Promise<Record<string, number>> {
  const tables = await db.rows<{ name: string }>(sql`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
      and c.relname <> 'spatial_ref_sys'
    order by 1`);
  const out: Record<string, number> = {};
  for (const t of tables) {
    const r = await db.rows<{ n: number }>(sql.raw(`select count(*)::int as n from "${t.name}"`));
    out[t.name] = r[0].n;
  }
  return out;
}
