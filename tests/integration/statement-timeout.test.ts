// Bounded database work: on PostgreSQL a runaway statement is cancelled after DB_STATEMENT_TIMEOUT_MS and
// its connection serves the next request; on both engines the title search can go through its trigram index.
import { sql } from 'drizzle-orm';
import { describe, expect, inject, it } from 'vitest';
import { openPostgres } from '../../server/db/client';
import { database, engines } from './support/databases';

describe.skipIf(!inject('pgTestUrl'))('the statement timeout on PostgreSQL', () => {
  it('cancels a statement that runs longer than the setting, and the pool answers the next one', async () => {
    const db = await openPostgres(inject('pgTestUrl'), { max: 1, statementTimeoutMs: 300 });
    try {
      const t0 = Date.now();
      const err = (await db.rows(sql`select pg_sleep(5)`).catch((e: Error) => e)) as Error;
      // drizzle wraps the driver's error; PostgreSQL's own words are its cause.
      expect(String((err.cause as Error | undefined)?.message ?? err.message)).toMatch(/statement timeout/);
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(await db.rows<{ one: number }>(sql`select 1 as one`)).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});

describe.each(engines())('the case title search on %s', (engine) => {
  it('can use the trigram index (migration 0018)', async () => {
    const db = await database(engine);
    const plan = await db.orm.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return db.rows<Record<string, string>>(
        sql`explain select id from cases c where c.title like ${'%路灯不亮%'}`,
        tx as never,
      );
    });
    expect(plan.map((r) => Object.values(r)[0]).join('\n')).toContain('cases_title_trgm');
  });
});
