// How live events cross nodes: a Socket.IO adapter, so `io.to(room).emit`, `serverSideEmit` and
// `disconnectSockets` reach every node's browsers, not only this process's.
//
// - "postgres" (@socket.io/postgres-adapter): LISTEN/NOTIFY on the database every node already needs. The
//   default on real PostgreSQL: no other engine to run. Payloads over 8,000 bytes go through a table.
// - "redis" (@socket.io/redis-streams-adapter): a Redis stream, when REDIS_URL is set. It survives a short
//   Redis restart without losing messages (streams keep them), and takes the fan-out off the database.
// - "none": one node (the embedded start); Socket.IO's in-memory adapter.
import { createHash } from 'node:crypto';
import type { Server } from 'socket.io';
import type { Logger } from '../log';

export type AdapterKind = 'none' | 'postgres' | 'redis';

/**
 * The cluster's name in shared engines: the nodes of one cluster share one database, so its host, port
 * and name (never the credentials) tell clusters apart that share a Redis (stream, channels, public-store
 * keys) or a PostgreSQL server (NOTIFY channels are per database already). "local" for embedded PGlite.
 */
export function clusterNameOf(databaseUrl: string | undefined): string {
  if (!databaseUrl) return 'local';
  const u = new URL(databaseUrl);
  const where = `${u.hostname}:${u.port || 5432}/${decodeURIComponent(u.pathname.slice(1))}`;
  return createHash('sha256').update(where).digest('hex').slice(0, 12);
}

export interface AdapterSettings {
  REALTIME_ADAPTER: 'auto' | AdapterKind;
  DATABASE_URL?: string;
  REDIS_URL?: string;
}

/** The adapter a configuration asks for: "auto" is Redis when REDIS_URL is set, else PostgreSQL when used. */
export function adapterKindOf(s: AdapterSettings): AdapterKind {
  if (s.REALTIME_ADAPTER !== 'auto') return s.REALTIME_ADAPTER;
  if (s.REDIS_URL) return 'redis';
  if (s.DATABASE_URL) return 'postgres';
  return 'none';
}

/** Explains a setting that cannot work, before anything starts. */
export function checkAdapterSettings(s: AdapterSettings): string | null {
  const kind = adapterKindOf(s);
  if (kind === 'postgres' && !s.DATABASE_URL)
    return 'REALTIME_ADAPTER=postgres needs DATABASE_URL (the embedded database serves one node only)';
  if (kind === 'redis' && !s.REDIS_URL) return 'REALTIME_ADAPTER=redis needs REDIS_URL';
  return null;
}

export interface ClusterAdapter {
  kind: AdapterKind;
  close(): Promise<void>;
}

/** Table of the PostgreSQL adapter's large payloads (its documented layout). */
const ATTACHMENTS = `create table if not exists socket_io_attachments (
  id bigserial unique, created_at timestamptz default now(), payload bytea)`;

/** Installs the adapter the settings ask for on `io`; fails naming the server it cannot reach. */
export async function attachAdapter(io: Server, s: AdapterSettings, log: Logger): Promise<ClusterAdapter> {
  const kind = adapterKindOf(s);
  const problem = checkAdapterSettings(s);
  if (problem) throw new Error(problem);
  if (kind === 'none') return { kind, close: async () => {} };

  if (kind === 'postgres') {
    const { default: pg } = await import('pg');
    const { createAdapter } = await import('@socket.io/postgres-adapter');
    const pool = new pg.Pool({
      connectionString: s.DATABASE_URL,
      max: 2,
      application_name: 'citynerve-adapter',
    });
    pool.on('error', (err) =>
      log.warn('realtime adapter: database connection error', { error: err.message }),
    );
    try {
      await pool.query(ATTACHMENTS);
    } catch (err) {
      await pool.end().catch(() => {});
      const u = new URL(s.DATABASE_URL!);
      throw new Error(
        `Realtime adapter cannot reach PostgreSQL at ${u.hostname}:${u.port || 5432}: ${(err as Error).message}`,
      );
    }
    io.adapter(
      createAdapter(pool, {
        heartbeatInterval: 2000,
        heartbeatTimeout: 6000,
        errorHandler: (err) => log.warn('realtime adapter error', { error: err.message }),
      }),
    );
    return {
      kind,
      async close() {
        await pool.end().catch(() => {});
      },
    };
  }

  const { createClient } = await import('redis');
  const { createAdapter } = await import('@socket.io/redis-streams-adapter');
  const client = createClient({ url: s.REDIS_URL, socket: { connectTimeout: 5000 } });
  client.on('error', (err: Error) => log.warn('realtime adapter: Redis error', { error: err.message }));
  try {
    await client.connect();
  } catch (err) {
    const u = new URL(s.REDIS_URL!);
    throw new Error(
      `Realtime adapter cannot reach Redis at ${u.hostname}:${u.port || 6379}: ${(err as Error).message}`,
    );
  }
  const cluster = clusterNameOf(s.DATABASE_URL);
  io.adapter(
    createAdapter(client, {
      streamName: `citynerve:${cluster}:live`,
      channelPrefix: `citynerve:${cluster}:io`,
      heartbeatInterval: 2000,
      heartbeatTimeout: 6000,
    }),
  );
  return {
    kind,
    async close() {
      await client.quit().catch(() => {});
    },
  };
}
