// The public view's shared store as a cluster sees it: two stores on one backend stand for two nodes behind
// a load balancer. A client's allowance is spent across both, refills with time, and is separate per
// client; a dataset computed on one node is served by the other with the same ETag and without a second
// trip to the repository; values expire; bad input is refused. PostgreSQL tables on PGlite always and on
// real PostgreSQL with TEST_DATABASE_URL; Redis when TEST_REDIS_URL (default 127.0.0.1:6379) answers.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresStore, redisAddress, redisStore, type SharedStore } from '../../server/cluster/shared-store';
import type { Database } from '../../server/db/client';
import { publicService, type PublicServiceDeps } from '../../server/services/public.service';
import { database, engines } from './support/databases';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether Redis answers, asked once with a short timeout and no retries. */
async function redisReachable(url: string): Promise<boolean> {
  const probe = createClient({ url, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
    await probe.close();
    return true;
  } catch {
    return false;
  }
}

const redisUp = await redisReachable(REDIS_URL);
if (!redisUp)
  console.warn(
    `[public-shared-store] no Redis at ${redisAddress(REDIS_URL)} (TEST_REDIS_URL): Redis backend skipped`,
  );

const NOW = new Date('2026-03-31T17:00:00Z');

/** A node's public service over `store`, its repository calls counted. */
function node(store: SharedStore, cacheS = 300) {
  const calls: string[] = [];
  const repo: PublicServiceDeps['repo'] = {
    async streetGroupMonths() {
      calls.push('streetGroupMonths');
      return [];
    },
    async departmentVolumes() {
      calls.push('departmentVolumes');
      return [];
    },
    async trend() {
      calls.push('trend');
      return [{ month: '2026-04', tickets: 12, cases: 9, resolved: 3 }];
    },
    async cellCounts() {
      calls.push('cellCounts');
      return [{ ix: 1, iy: 2, tickets: 7 }];
    },
    async ticketCount() {
      calls.push('ticketCount');
      return 1;
    },
  };
  const svc = publicService({
    repo,
    boundaries: { streetsGeoJson: async () => '{}', districtsGeoJson: async () => '{}' },
    settings: { cellM: 1000, minCount: 5, ratePerMin: 3, cacheS },
    store,
    now: () => NOW,
  });
  return { svc, calls };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What every backend must do. `open` gives a store with the run's key prefix (a fresh one per call: a
 * node); every test uses its own key names so that they do not share buckets.
 */
function behaves(open: () => SharedStore | Promise<SharedStore>) {
  let a: SharedStore;
  let b: SharedStore;
  const t0 = Date.parse('2026-03-31T17:00:00Z');

  beforeAll(async () => {
    a = await open();
    b = await open();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('spends one allowance across nodes: refused on node B after node A used it up', async () => {
    for (let i = 0; i < 3; i++) expect((await a.take('198.51.100.1', 3, t0)).ok).toBe(true);
    const refused = await b.take('198.51.100.1', 3, t0 + 1);
    // Three a minute: the next token is 20 s away.
    expect(refused).toEqual({ ok: false, retryAfterS: 20 });
    expect((await a.take('198.51.100.1', 3, t0 + 2)).ok).toBe(false);
  });

  it('keeps clients apart', async () => {
    for (let i = 0; i < 3; i++) await a.take('198.51.100.2', 3, t0);
    expect((await b.take('198.51.100.2', 3, t0)).ok).toBe(false);
    expect(await b.take('198.51.100.3', 3, t0)).toEqual({ ok: true, remaining: 2 });
  });

  it('refills the allowance with time, a token at a time and in full after the window', async () => {
    for (let i = 0; i < 3; i++) await a.take('198.51.100.4', 3, t0);
    expect((await b.take('198.51.100.4', 3, t0 + 19_000)).ok).toBe(false);
    expect((await b.take('198.51.100.4', 3, t0 + 20_000)).ok).toBe(true);
    expect(await a.take('198.51.100.4', 3, t0 + 20_001)).toMatchObject({ ok: false });
    expect(await a.take('198.51.100.4', 3, t0 + 100_000)).toEqual({ ok: true, remaining: 2 });
  });

  it('hands out exactly the allowance under concurrent requests on both nodes', async () => {
    const all = await Promise.all(
      Array.from({ length: 24 }, (_, i) => (i % 2 ? a : b).take('198.51.100.5', 10, t0)),
    );
    expect(all.filter((d) => d.ok)).toHaveLength(10);
  });

  it('serves a dataset computed on node A from node B with the same ETag, without the repository', async () => {
    const first = node(a);
    const second = node(b);
    const fromA = await first.svc.trend();
    const fromB = await second.svc.trend();
    expect(first.calls).toEqual(['trend']);
    expect(second.calls).toEqual([]);
    expect(fromB.json.etag).toBe(fromA.json.etag);
    expect(fromB.json.body).toBe(fromA.json.body);
    expect(fromB.data).toEqual(fromA.data);
    const csvA = await first.svc.download('cells', 'csv', 30);
    const csvB = await second.svc.download('cells', 'csv', 30);
    expect(csvB).toEqual(csvA);
    expect(second.calls).toEqual([]);
    await first.svc.clear();
    await second.svc.clear();
  });

  it('lets values expire, after which the next node computes again', async () => {
    await a.set('probe', 'v', 1);
    expect(await b.get('probe')).toBe('v');
    const first = node(a, 1);
    const second = node(b, 1);
    await first.svc.cells(90);
    await second.svc.cells(90);
    expect(second.calls).toEqual([]);
    await sleep(1_100);
    expect(await b.get('probe')).toBeNull();
    await second.svc.cells(90);
    expect(second.calls).toEqual(['cellCounts']);
    await b.delete('probe');
  });

  it('refuses bad input with a clear error', async () => {
    await expect(a.take('', 3, t0)).rejects.toThrow('shared store: key must be a non-empty string');
    await expect(a.take('198.51.100.6', 0, t0)).rejects.toThrow(
      'shared store: limitPerMin must be a whole number ≥ 1 (got 0)',
    );
    await expect(a.set('', 'v', 10)).rejects.toThrow(/key must be a non-empty string/);
    await expect(a.set('k', 'v', 0)).rejects.toThrow(/ttlS must be a whole number of seconds ≥ 1/);
    // Nothing was spent by the refused calls.
    expect(await a.take('198.51.100.6', 3, t0)).toEqual({ ok: true, remaining: 2 });
  });
}

describe.each(engines())('public shared store on PostgreSQL tables (%s)', (engine) => {
  const prefix = `test:${randomUUID()}:`;
  let db: Database;

  beforeAll(async () => {
    db = await database(engine);
  });
  afterAll(async () => {
    await db.orm.execute(sql`delete from public_rate_buckets where key like ${prefix + '%'}`);
    await db.orm.execute(sql`delete from public_cache where key like ${prefix + '%'}`);
  });

  behaves(() => postgresStore(db, { prefix }));

  it('keeps its tables UNLOGGED', async () => {
    const rows = await db.rows<{ relname: string; relpersistence: string }>(sql`
      select relname, relpersistence from pg_class
      where relname in ('public_rate_buckets', 'public_cache') order by relname`);
    expect(rows).toEqual([
      { relname: 'public_cache', relpersistence: 'u' },
      { relname: 'public_rate_buckets', relpersistence: 'u' },
    ]);
  });

  it('sweeps buckets that are full again and values that expired', async () => {
    const early = postgresStore(db, { prefix });
    await early.take('198.51.100.7', 3, 1_000);
    await early.close();
    const later = postgresStore(db, { prefix });
    // The first call of a node sweeps (in the background; close waits for it).
    await later.take('198.51.100.8', 3, 1_000 + 61_000);
    await later.close();
    const keys = await db.rows<{ key: string }>(
      sql`select key from public_rate_buckets where key in (${prefix + '198.51.100.7'}, ${prefix + '198.51.100.8'})`,
    );
    expect(keys.map((k) => k.key)).toEqual([prefix + '198.51.100.8']);
  });
});

(redisUp ? describe : describe.skip)('public shared store on Redis', () => {
  const prefix = `citynerve:test:${randomUUID()}:`;

  afterAll(async () => {
    const admin = createClient({ url: REDIS_URL });
    await admin.connect();
    const keys: string[] = [];
    for await (const batch of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(...batch);
    if (keys.length) await admin.del(keys);
    await admin.close();
  });

  behaves(() => redisStore(REDIS_URL, { prefix }));

  it('keeps keys under its prefix, values with a TTL', async () => {
    const s = await redisStore(REDIS_URL, { prefix });
    await s.set('ttl-probe', 'v', 30);
    const admin = createClient({ url: REDIS_URL });
    await admin.connect();
    const ttl = await admin.ttl(`${prefix}cache:ttl-probe`);
    expect(ttl).toBeGreaterThan(25);
    expect(ttl).toBeLessThanOrEqual(30);
    await s.take('198.51.100.9', 3, Date.now());
    expect(await admin.pTTL(`${prefix}rate:198.51.100.9`)).toBeGreaterThan(50_000);
    await admin.close();
    await s.close();
  });
});
