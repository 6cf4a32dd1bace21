// One leader per cluster for the jobs that must run once: the simulator, the heartbeat watchdog, deadline
// checks, alarm escalation and reading-history upkeep. The leader is the node holding a PostgreSQL
// session advisory lock on a connection of its own. PostgreSQL releases the lock the moment that session
// ends — a stopped node unlocks, a killed node's socket closes — and the others, which try every
// LEADER_RETRY_MS, take over. A node that loses its lock connection steps down at once, before it
// reconnects, so two leaders never run the jobs at the same time for longer than the connection takes
// to fail. Embedded PGlite serves one process: that process leads.
import type { Logger } from '../log';

/** The advisory lock's key pair: "CN" and the lock's number (1 leadership, 2 start-up). */
export const LOCK_CLASS = 0x434e;
export const LEADER_LOCK = 1;
export const STARTUP_LOCK = 2;

export interface LeadershipOptions {
  /** PostgreSQL URL; undefined for embedded PGlite (always the leader). */
  url: string | undefined;
  /** This node's name, shown as the lock session's application_name (pg_stat_activity). */
  nodeId: string;
  /** How often a follower tries the lock, and the leader checks its lock connection, ms. */
  retryMs: number;
  log: Logger;
  /** Starts the leader's jobs (awaited before the node reports itself leader). */
  onElected(): Promise<void> | void;
  /** Stops them (awaited). */
  onDeposed(): Promise<void> | void;
}

export interface Leadership {
  /** True while this node holds the lock and its jobs run. */
  readonly leading: boolean;
  /** Steps down (jobs stopped, lock released) and stops trying. */
  stop(): Promise<void>;
}

type PgClient = import('pg').Client;

export function startLeadership(opts: LeadershipOptions): Leadership {
  const { log } = opts;
  let leading = false;
  let stopped = false;
  let client: PgClient | null = null;
  let timer: NodeJS.Timeout | null = null;
  // Elect and depose one at a time, in order.
  let chain: Promise<void> = Promise.resolve();
  const serial = (step: () => Promise<void>) => (chain = chain.then(step).catch(() => {}));

  const elect = () =>
    serial(async () => {
      if (leading || stopped) return;
      leading = true;
      log.info('cluster: this node leads', { node: opts.nodeId });
      try {
        await opts.onElected();
      } catch (err) {
        log.error('cluster: leader jobs failed to start', { error: (err as Error).message });
      }
    });
  const depose = (why: string) =>
    serial(async () => {
      if (!leading) return;
      leading = false;
      log.warn('cluster: this node no longer leads', { node: opts.nodeId, why });
      try {
        await opts.onDeposed();
      } catch (err) {
        log.error('cluster: leader jobs failed to stop', { error: (err as Error).message });
      }
    });

  if (!opts.url) {
    void elect();
    return {
      get leading() {
        return leading;
      },
      async stop() {
        stopped = true;
        void depose('stopping');
        await chain;
      },
    };
  }

  const drop = (c: PgClient, why: string) => {
    if (client !== c) return;
    client = null;
    void depose(why);
    c.end().catch(() => {});
  };

  async function connect(): Promise<PgClient> {
    const { default: pg } = await import('pg');
    const c = new pg.Client({
      connectionString: opts.url,
      application_name: `citynerve-leader:${opts.nodeId}`,
      keepAlive: true,
      connectionTimeoutMillis: Math.max(2000, opts.retryMs),
    });
    c.on('error', (err) => drop(c, `lock connection error: ${err.message}`));
    c.on('end', () => drop(c, 'lock connection ended'));
    await c.connect();
    return c;
  }

  async function tick() {
    timer = null;
    if (stopped) return;
    try {
      if (!client) client = await connect();
      const c = client;
      if (leading) {
        // The session holds the lock as long as it lives: a round trip proves it still does.
        await c.query('select 1');
      } else {
        const r = await c.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [
          LOCK_CLASS,
          LEADER_LOCK,
        ]);
        if (r.rows[0]?.ok && client === c && !stopped) await elect();
      }
    } catch (err) {
      if (client) drop(client, (err as Error).message);
      log.debug('cluster: leader lock attempt failed', { error: (err as Error).message });
    }
    if (!stopped) {
      timer = setTimeout(() => void tick(), opts.retryMs);
      timer.unref();
    }
  }
  void tick();

  return {
    get leading() {
      return leading;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await depose('stopping');
      await chain;
      const c = client;
      client = null;
      if (c) {
        // Jobs are stopped: release at once so a follower need not wait for the session to end.
        await c.query('select pg_advisory_unlock_all()').catch(() => {});
        await c.end().catch(() => {});
      }
    },
  };
}

/**
 * Runs `work` while holding the start-up lock, so nodes started together migrate and generate the demo
 * city one after the other (the second finds everything done). No lock on embedded PGlite.
 */
export async function withStartupLock<T>(
  url: string | undefined,
  nodeId: string,
  work: () => Promise<T>,
): Promise<T> {
  if (!url) return work();
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url, application_name: `citynerve-startup:${nodeId}` });
  c.on('error', () => {});
  await c.connect();
  try {
    await c.query('select pg_advisory_lock($1, $2)', [LOCK_CLASS, STARTUP_LOCK]);
    return await work();
  } finally {
    await c.query('select pg_advisory_unlock($1, $2)', [LOCK_CLASS, STARTUP_LOCK]).catch(() => {});
    await c.end().catch(() => {});
  }
}
