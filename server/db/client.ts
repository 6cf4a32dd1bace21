// Opens the database: real PostgreSQL + PostGIS when a URL is given, otherwise embedded PGlite + PostGIS
// persisted in a local folder. Both get the same migrations and are used through the same drizzle API.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyOut, copyTarget } from './copy-out';
import { sql, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema';

export type Orm = PgDatabase<PgQueryResultHKT, typeof schema>;

/** What the rest of the server sees of the database, whatever the engine. */
export interface Database {
  /** "pglite" (embedded) or "postgres" (a real server). */
  engine: 'pglite' | 'postgres';
  orm: Orm;
  /** Runs a drizzle `sql` query and returns its rows, hiding the drivers' different result shapes. */
  rows<T>(query: SQL, tx?: Orm): Promise<T[]>;
  /**
   * Real PostgreSQL only: streams the bytes of `COPY (…) TO STDOUT WITH (FORMAT binary)` (see
   * copy-binary.ts) to `onData` as they arrive — bytes [start, end) of `buf`, valid during the call only —
   * for reads of a million rows; resolves after the last one. The statement is plain text (COPY takes no
   * parameters): literals only.
   */
  copyOut?(copyStatement: string, onData: (buf: Buffer, start: number, end: number) => void): Promise<void>;
  /** Embedded only: frees what only the migrations needed (openDatabase calls it after migrating). */
  afterMigrate?(): void;
  close(): Promise<void>;
}

export const MIGRATIONS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../db/migrations',
);

function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

function wrap(engine: Database['engine'], orm: Orm, close: () => Promise<void>): Database {
  return {
    engine,
    orm,
    async rows<T>(query: SQL, tx?: Orm) {
      return rowsOf<T>(await (tx ?? orm).execute(query));
    },
    close,
  };
}

/** How an embedded PGlite is started. */
export interface PgliteOptions {
  /**
   * PostgreSQL's shared_buffers in MB (PGLITE_SHARED_BUFFERS_MB). PGlite's WASM heap never shrinks, so the
   * stock 128 MB buffer pool stays resident once touched; a smaller one reads through the OS page cache.
   */
  sharedBuffersMb?: number;
}

/** The default buffer pool of the embedded database, MB (see PgliteOptions). */
export const PGLITE_SHARED_BUFFERS_MB = 32;

/** Opens embedded PGlite with PostGIS; `dataDir` undefined means in memory. */
export async function openPglite(dataDir?: string, opts: PgliteOptions = {}): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { trimmedPostgis } = await import('./pglite-postgis');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { drizzle } = await import('drizzle-orm/pglite');
  const release = dataDir ? lockDataDir(dataDir) : () => {};
  try {
    const sharedBuffers = opts.sharedBuffersMb ?? PGLITE_SHARED_BUFFERS_MB;
    const client = await PGlite.create(dataDir, {
      // pg_trgm: the cases' title search index (migration 0018).
      extensions: { postgis: await trimmedPostgis(), pg_trgm },
      startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}MB`],
    });
    // PGlite keeps each extension's unpacked bundle (a Blob) after copying it into its file system.
    const bundles = client.Module.pg_extensions;
    for (const name of Object.keys(bundles)) delete bundles[name];
    const orm = drizzle(client, { schema }) as unknown as Orm;
    const db = wrap('pglite', orm, async () => {
      await client.close();
      release();
    });
    db.afterMigrate = () => dropInstallScripts(client.Module.FS);
    return db;
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * Removes PostGIS's install and upgrade scripts (15 MB) from PGlite's in-memory file system: only
 * CREATE / ALTER EXTENSION read them, and the migrations have run. The next start unpacks them again.
 */
function dropInstallScripts(fs: { readdir(path: string): string[]; unlink(path: string): void }): void {
  const dir = '/pglite/share/postgresql/extension';
  for (const name of fs.readdir(dir))
    if (name.startsWith('postgis--') && name.endsWith('.sql')) fs.unlink(`${dir}/${name}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite takes no lock of its own, and two processes on one data folder corrupt it: a lock file with our
 * pid keeps a second process out (a lock left by a dead process is taken over).
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'citynerve.lock');
  let holder = NaN;
  try {
    holder = Number(readFileSync(file, 'utf8').trim());
  } catch {
    // no lock yet
  }
  if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
    throw new Error(
      `The embedded database in ${path.resolve(dataDir)} is in use by process ${holder}: stop it first (one process at a time may open it).`,
    );
  }
  writeFileSync(file, String(process.pid));
  return () => rmSync(file, { force: true });
}

/**
 * Sessions that run one big COPY: no JIT. It spent 0.4 s compiling the plan of the 1.3 s holdings read
 * (a million rows, bench:performance) and won nothing back.
 */
const COPY_SETTINGS = { jit: 'off' };

/**
 * Connects to a real PostgreSQL; fails with a message naming the host when it cannot be reached.
 * `statementTimeoutMs` (DB_STATEMENT_TIMEOUT_MS) bounds every statement of the pool's sessions, so a
 * runaway query frees its connection; the big COPY reads run on connections of their own, without it.
 */
export async function openPostgres(
  url: string,
  opts: { max?: number; statementTimeoutMs?: number } = {},
): Promise<Database> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const connection = opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : undefined;
  const client = postgres(url, { max: opts.max ?? 10, onnotice: () => {}, connect_timeout: 10, connection });
  try {
    await client`select 1`;
  } catch (err) {
    await client.end({ timeout: 1 }).catch(() => {});
    const u = new URL(url);
    throw new Error(
      `Cannot reach PostgreSQL at ${u.hostname}:${u.port || 5432} (database "${u.pathname.slice(1)}"): ${(err as Error).message}`,
    );
  }
  const orm = drizzle(client, { schema }) as unknown as Orm;
  const db = wrap('postgres', orm, () => client.end({ timeout: 5 }));
  const target = copyTarget(url);
  db.copyOut = async (copyStatement, onData) => {
    // Our own wire reader where it can serve the URL (a payload per row in place, no Buffer per row).
    if (target) return copyOut(target, copyStatement, onData, { settings: COPY_SETTINGS });
    // Otherwise (TLS) postgres.js, on a connection of its own, closed afterwards: it can leave a pooled
    // connection waiting forever after a COPY TO stream (seen with version 3.4).
    const one = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10, connection: COPY_SETTINGS });
    try {
      const stream = await one.unsafe(copyStatement).readable();
      for await (const chunk of stream) onData(chunk as Buffer, 0, (chunk as Buffer).length);
    } finally {
      await one.end({ timeout: 0 });
    }
  };
  return db;
}

/** Fails with an instruction when the PostgreSQL server cannot install PostGIS. */
export async function assertPostgisAvailable(db: Pick<Database, 'rows'>): Promise<void> {
  const available = await db.rows<{ n: number }>(
    sql`select count(*)::int as n from pg_available_extensions where name = 'postgis'`,
  );
  if (!available[0] || available[0].n === 0) {
    throw new Error(
      'The PostgreSQL server has no "postgis" extension available. Install it (Debian: apt-get install postgresql-15-postgis-3) or unset DATABASE_URL to use the embedded database.',
    );
  }
}

/**
 * Applies the committed migrations (on PostgreSQL, first checking that PostGIS can be installed), then
 * rebuilds projections whose cut changed (case_holdings).
 */
export async function migrate(db: Database): Promise<void> {
  if (db.engine === 'postgres') {
    await assertPostgisAvailable(db);
    const { migrate: run } = await import('drizzle-orm/postgres-js/migrator');
    await run(db.orm as never, { migrationsFolder: MIGRATIONS_DIR });
  } else {
    const { migrate: run } = await import('drizzle-orm/pglite/migrator');
    await run(db.orm as never, { migrationsFolder: MIGRATIONS_DIR });
  }
  // Projections that are data rather than schema: rebuilt when the code that cuts them changed.
  const { ensureCaseHoldings } = await import('./repositories/case-holdings');
  await ensureCaseHoldings(db);
}

/** Opens the configured database and brings its schema up to date. */
export async function openDatabase(
  opts: { url?: string; dataDir?: string } & PgliteOptions,
): Promise<Database> {
  const db = opts.url ? await openPostgres(opts.url) : await openPglite(opts.dataDir, opts);
  await migrate(db);
  db.afterMigrate?.();
  return db;
}
