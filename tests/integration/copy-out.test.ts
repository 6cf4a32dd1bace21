// The COPY wire reader (server/db/copy-out.ts) against a real PostgreSQL: the same bytes as postgres.js
// reads, the session settings it asks for, and PostgreSQL's own words when a statement fails. Real
// PostgreSQL only (PGlite has no COPY TO STDOUT for clients): skipped without TEST_DATABASE_URL.
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, inject, it } from 'vitest';
import { BinaryCopyReader, type BinaryValue } from '../../server/db/copy-binary';
import { copyOut, copyTarget } from '../../server/db/copy-out';
import { openPostgres } from '../../server/db/client';

const url = inject('pgTestUrl');

/** 20,000 rows of every type the binary reader knows, some null, some text in Chinese. */
const ROWS = `select g::int4 as a, (g % 300)::int2 as b, (g::int8 * 1000003) as c, g / 7.0::float8 as d,
  case when g % 5 = 0 then null else timestamptz '2026-03-01 08:00:00+08' + g * interval '1 minute' end as e,
  case when g % 3 = 0 then null else '工单 ' || g end as f
  from generate_series(1, 20000) g`;

describe.skipIf(!url)('COPY over the wire on real PostgreSQL', () => {
  it('reads the same bytes as postgres.js, decoded row by row in place', async () => {
    const statement = `copy (${ROWS}) to stdout with (format binary)`;
    const ours: Buffer[] = [];
    await copyOut(copyTarget(url)!, statement, (buf, start, end) =>
      ours.push(Buffer.from(buf.subarray(start, end))),
    );
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const theirs: Buffer[] = [];
    try {
      for await (const chunk of await sql.unsafe(statement).readable()) theirs.push(chunk as Buffer);
    } finally {
      await sql.end({ timeout: 0 });
    }
    expect(Buffer.concat(ours).equals(Buffer.concat(theirs))).toBe(true);

    const db = await openPostgres(url, { max: 1 });
    try {
      const rows: BinaryValue[][] = [];
      const reader = new BinaryCopyReader(['int4', 'int2', 'int8', 'float8', 'timestamptz', 'text'], (v) =>
        rows.push([...v]),
      );
      await db.copyOut!(statement, (buf, start, end) => reader.feed(buf, start, end));
      expect(reader.end()).toBe(20000);
      expect(rows[0]).toEqual([1, 1, 1000003, 1 / 7, Date.parse('2026-03-01T00:01:00Z'), '工单 1']);
      expect(rows[14]).toEqual([15, 15, 15000045, 15 / 7, null, null]);
    } finally {
      await db.close();
    }
  });

  it('runs the COPY session without JIT and reports a failing statement in PostgreSQL’s words', async () => {
    const db = await openPostgres(url, { max: 1 });
    try {
      const seen: string[] = [];
      await db.copyOut!(`copy (select current_setting('jit')) to stdout`, (buf, start, end) =>
        seen.push(buf.toString('utf8', start, end)),
      );
      expect(seen).toEqual(['off\n']);
      await expect(db.copyOut!(`copy (select * from no_such_table) to stdout`, () => {})).rejects.toThrow(
        /refused the COPY: relation "no_such_table" does not exist \(SQLSTATE 42P01\)/,
      );
      // The pool is untouched by either.
      expect(await db.rows<{ one: number }>(sql`select 1 as one`)).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});
