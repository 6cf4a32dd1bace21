// A small store every CityNerve node behind a load balancer shares, so that the public view's per-client
// rate allowance and its cached datasets are the cluster's, not each process's: a client cannot multiply its
// allowance by the node count, and a dataset is computed once per cluster per cache period, with one ETag.
//
// Three backends, chosen at start (openSharedStore): Redis when REDIS_URL is set; the application's own
// PostgreSQL otherwise (two UNLOGGED tables, migration 0016); in memory for the single-node embedded start.
// All three keep the same token bucket as RateLimiter (server/domain/disclosure.ts): `limitPerMin` tokens,
// refilled continuously, so a client may burst a minute's allowance and then gets `limitPerMin` a minute.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createClient } from 'redis';
import type { Database } from '../db/client';
import { RateLimiter, type RateDecision } from '../domain/disclosure';
import type { Logger } from '../log';

export type { RateDecision };

export interface SharedStore {
  /** Takes one token from `key`'s bucket of `limitPerMin` tokens a minute at `nowMs` (the caller's clock). */
  take(key: string, limitPerMin: number, nowMs: number): Promise<RateDecision>;
  /** The value stored under `key`, or null when there is none or it expired. */
  get(key: string): Promise<string | null>;
  /** Stores `value` under `key` for `ttlS` seconds (a whole number ≥ 1). */
  set(key: string, value: string, ttlS: number): Promise<void>;
  /** Forgets `key`'s value (not its rate bucket). */
  delete(key: string): Promise<void>;
  close(): Promise<void>;
  kind: 'memory' | 'redis' | 'postgres';
}

export interface SharedStoreOptions {
  /** Prepended to every key, so several deployments (or test runs) can share one Redis or database. */
  prefix?: string;
}

export const DEFAULT_PREFIX = 'citynerve:public:';
/** A key this long is a caller's bug (client addresses and dataset names are short); refused, not truncated. */
const MAX_KEY = 512;
/** Refill of a whole bucket takes a minute whatever the limit: a bucket untouched that long is full again. */
const FULL_AFTER_MS = 60_000;
const SWEEP_EVERY_MS = 60_000;

// ---- pure logic: argument checks and the token bucket's answer ----

export function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0)
    throw new TypeError('shared store: key must be a non-empty string');
  if (key.length > MAX_KEY)
    throw new RangeError(`shared store: key must be at most ${MAX_KEY} characters (got ${key.length})`);
  return key;
}

export function checkLimit(limitPerMin: unknown): number {
  if (typeof limitPerMin !== 'number' || !Number.isInteger(limitPerMin) || limitPerMin < 1)
    throw new RangeError(`shared store: limitPerMin must be a whole number ≥ 1 (got ${String(limitPerMin)})`);
  return limitPerMin;
}

export function checkNow(nowMs: unknown): number {
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs) || nowMs < 0)
    throw new RangeError(`shared store: nowMs must be a time in ms (got ${String(nowMs)})`);
  return nowMs;
}

export function checkTtl(ttlS: unknown): number {
  if (typeof ttlS !== 'number' || !Number.isInteger(ttlS) || ttlS < 1)
    throw new RangeError(`shared store: ttlS must be a whole number of seconds ≥ 1 (got ${String(ttlS)})`);
  return ttlS;
}

/**
 * The decision RateLimiter would give, from what a remote bucket update returned: whether a token was
 * taken and the tokens left after it (fractional).
 */
export function decisionOf(taken: boolean, tokens: number, limitPerMin: number): RateDecision {
  if (taken) return { ok: true, remaining: Math.max(0, Math.floor(tokens)) };
  const perMs = limitPerMin / 60_000;
  return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) };
}

// ---- memory: one process ----

/** The single-node store: RateLimiter buckets and a Map of values with their expiry. */
export function memoryStore(opts: SharedStoreOptions & { now?: () => number } = {}): SharedStore {
  const clock = opts.now ?? Date.now;
  // One limiter per allowance: in practice there is one (PUBLIC_RATE_PER_MIN).
  const limiters = new Map<number, RateLimiter>();
  const values = new Map<string, { value: string; expires: number }>();
  let lastSweep = clock();

  function sweep(now: number) {
    if (now - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = now;
    for (const [k, v] of values) if (v.expires <= now) values.delete(k);
  }

  return {
    kind: 'memory',
    async take(key, limitPerMin, nowMs) {
      checkKey(key);
      checkLimit(limitPerMin);
      checkNow(nowMs);
      let limiter = limiters.get(limitPerMin);
      if (!limiter) limiters.set(limitPerMin, (limiter = new RateLimiter(limitPerMin)));
      return limiter.take(key, nowMs);
    },
    async get(key) {
      checkKey(key);
      const now = clock();
      sweep(now);
      const v = values.get(key);
      return v && v.expires > now ? v.value : null;
    },
    async set(key, value, ttlS) {
      checkKey(key);
      checkTtl(ttlS);
      values.set(key, { value, expires: clock() + ttlS * 1000 });
    },
    async delete(key) {
      values.delete(checkKey(key));
    },
    async close() {
      limiters.clear();
      values.clear();
    },
  };
}

// ---- Redis ----

// The bucket as a hash {t: tokens, at: ms} and RateLimiter's arithmetic, in one script so that the read,
// refill and write are atomic across nodes. The time is the caller's (nodes' clocks are assumed to be
// NTP-close); `at` never moves back, so a node whose clock lags cannot refill a bucket twice. Numbers are
// formatted with %.17g: Redis would truncate a Lua number reply to an integer.
const TAKE_LUA = `
local cap = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = tonumber(b[1]) or cap
local at = tonumber(b[2]) or now
tokens = math.min(cap, tokens + math.max(0, now - at) * cap / 60000)
if now > at then at = now end
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'at', string.format('%.17g', at))
redis.call('PEXPIRE', KEYS[1], ${FULL_AFTER_MS})
return {taken, string.format('%.17g', tokens)}
`;
const TAKE_SHA = createHash('sha1').update(TAKE_LUA).digest('hex');

/** host:port of a Redis URL, for messages (never its password). */
export function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || '127.0.0.1'}:${u.port || '6379'}`;
  } catch {
    return 'an unparseable REDIS_URL';
  }
}

/** Connects to Redis (redis:// or rediss://); rejects, naming host:port, when it cannot be reached. */
export async function redisStore(
  url: string,
  opts: SharedStoreOptions & { log?: Logger; connectTimeoutMs?: number } = {},
): Promise<SharedStore> {
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const address = redisAddress(url);
  let ready = false;
  let down = false;
  const client = createClient({
    url,
    // Without a connection a command fails at once (and the caller falls back) instead of queueing and
    // holding the HTTP request until Redis returns.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: opts.connectTimeoutMs ?? 5000,
      // At start an unreachable Redis fails the start; once up, keep retrying (capped back-off).
      reconnectStrategy: (retries, cause) =>
        ready ? Math.min(100 * 2 ** retries, 5000) : new Error(`${cause.message}`),
    },
  });
  client.on('error', (err: Error) => {
    // Logged once per outage: the reconnect loop repeats the same error every few seconds.
    if (ready && !down)
      opts.log?.warn('shared store: Redis unreachable, retrying', { address, error: err.message });
    down = true;
  });
  client.on('ready', () => {
    if (down && ready) opts.log?.info('shared store: Redis reachable again', { address });
    down = false;
  });
  try {
    await client.connect();
  } catch (err) {
    // A refused first connection has usually closed the client already (destroy would throw).
    if (client.isOpen) client.destroy();
    throw new Error(`REDIS_URL: cannot reach Redis at ${address}: ${(err as Error).message}`, { cause: err });
  }
  ready = true;

  const rateKey = (k: string) => `${prefix}rate:${k}`;
  const valueKey = (k: string) => `${prefix}cache:${k}`;

  async function runTake(key: string, args: string[]): Promise<unknown> {
    try {
      return await client.evalSha(TAKE_SHA, { keys: [key], arguments: args });
    } catch (err) {
      // The script cache is empty after a Redis restart or SCRIPT FLUSH: send the script itself once.
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return client.eval(TAKE_LUA, { keys: [key], arguments: args });
    }
  }

  return {
    kind: 'redis',
    async take(key, limitPerMin, nowMs) {
      checkKey(key);
      checkLimit(limitPerMin);
      checkNow(nowMs);
      const reply = (await runTake(rateKey(key), [String(limitPerMin), String(nowMs)])) as [number, string];
      return decisionOf(Number(reply[0]) === 1, Number(reply[1]), limitPerMin);
    },
    async get(key) {
      checkKey(key);
      return client.get(valueKey(key));
    },
    async set(key, value, ttlS) {
      checkKey(key);
      checkTtl(ttlS);
      await client.set(valueKey(key), value, { expiration: { type: 'EX', value: ttlS } });
    },
    async delete(key) {
      await client.del(valueKey(checkKey(key)));
    },
    async close() {
      ready = false;
      if (client.isOpen) await client.close();
    },
  };
}

// ---- PostgreSQL ----

/**
 * The store in the application's PostgreSQL (tables public_rate_buckets and public_cache, UNLOGGED: a crash
 * only refills allowances and empties the cache, and the writes skip the WAL). Works on PGlite too (tests),
 * though a single embedded node has no use for it.
 */
export function postgresStore(
  db: Pick<Database, 'rows' | 'orm'>,
  opts: SharedStoreOptions & { log?: Logger } = {},
): SharedStore {
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  let lastSweep = 0;
  let sweeping: Promise<void> | null = null;

  /**
   * Deletes full buckets and expired values at most once a minute per node, in the background: the tables
   * hold the clients of the last minute and the live datasets, so this is a short scan.
   */
  function maybeSweep(nowMs: number) {
    if (sweeping || Date.now() - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = Date.now();
    sweeping = (async () => {
      await db.orm.execute(sql`delete from public_rate_buckets where at_ms < ${nowMs - FULL_AFTER_MS}`);
      await db.orm.execute(sql`delete from public_cache where expires_at <= now()`);
    })()
      .catch((err: Error) => opts.log?.warn('shared store: sweep failed', { error: err.message }))
      .finally(() => {
        sweeping = null;
      });
  }

  return {
    kind: 'postgres',
    async take(key, limitPerMin, nowMs) {
      checkKey(key);
      checkLimit(limitPerMin);
      checkNow(nowMs);
      maybeSweep(nowMs);
      const cap = limitPerMin;
      // RateLimiter's refill; SET expressions all see the row as it was, so `refilled` is one value.
      const refilled = sql`least(${cap}::float8, b.tokens + greatest(0, ${nowMs}::float8 - b.at_ms) * ${cap / 60_000}::float8)`;
      const [row] = await db.rows<{ tokens: number; taken: boolean }>(sql`
        insert into public_rate_buckets as b (key, tokens, at_ms, taken)
        values (${prefix + key}, ${cap - 1}::float8, ${nowMs}::float8, true)
        on conflict (key) do update set
          tokens = case when ${refilled} >= 1 then ${refilled} - 1 else ${refilled} end,
          taken = ${refilled} >= 1,
          at_ms = greatest(b.at_ms, ${nowMs}::float8)
        returning tokens, taken`);
      return decisionOf(row.taken, Number(row.tokens), limitPerMin);
    },
    async get(key) {
      checkKey(key);
      const [row] = await db.rows<{ value: string }>(
        sql`select value from public_cache where key = ${prefix + key} and expires_at > now()`,
      );
      return row?.value ?? null;
    },
    async set(key, value, ttlS) {
      checkKey(key);
      checkTtl(ttlS);
      await db.orm.execute(sql`
        insert into public_cache (key, value, expires_at)
        values (${prefix + key}, ${value}, now() + ${ttlS}::int * interval '1 second')
        on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at`);
    },
    async delete(key) {
      await db.orm.execute(sql`delete from public_cache where key = ${prefix + checkKey(key)}`);
    },
    async close() {
      // The database is the App's and is closed by it; only a running sweep is waited for.
      await sweeping;
    },
  };
}

// ---- choosing one ----

/**
 * The store for this deployment: Redis when REDIS_URL is set, the database when it is a real PostgreSQL
 * (several nodes can share it), memory for embedded PGlite (one node by construction: it locks its folder).
 */
export async function openSharedStore(opts: {
  redisUrl?: string;
  db: Pick<Database, 'engine' | 'rows' | 'orm'>;
  log?: Logger;
  prefix?: string;
}): Promise<SharedStore> {
  const store = opts.redisUrl
    ? await redisStore(opts.redisUrl, { log: opts.log, prefix: opts.prefix })
    : opts.db.engine === 'postgres'
      ? postgresStore(opts.db, { log: opts.log, prefix: opts.prefix })
      : memoryStore({ prefix: opts.prefix });
  opts.log?.info('shared store ready', {
    kind: store.kind,
    ...(opts.redisUrl ? { address: redisAddress(opts.redisUrl) } : {}),
  });
  return store;
}
