// Wall-display tokens: the only code that reads or writes the display_tokens table.
import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { pgArray } from '../pg-array';
import { displayTokens, users } from '../schema';

/** A display token as admins see it (never the hash). */
export interface DisplayTokenRow {
  id: number;
  name: string;
  /** Display name of the admin who created it; null when that account is gone. */
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
}

/** What checking a presented token needs. */
export interface DisplayTokenCheckRow {
  id: number;
  name: string;
  revokedAt: Date | null;
  expiresAt: Date | null;
}

const listColumns = {
  id: displayTokens.id,
  name: displayTokens.name,
  createdBy: users.displayName,
  createdAt: displayTokens.createdAt,
  lastUsedAt: displayTokens.lastUsedAt,
  revokedAt: displayTokens.revokedAt,
  expiresAt: displayTokens.expiresAt,
};

export function displayTokensRepository(db: Database) {
  const o = db.orm;
  return {
    async insert(t: {
      name: string;
      tokenHash: string;
      createdBy: number | null;
      createdAt: Date;
      expiresAt: Date | null;
    }): Promise<number> {
      const [row] = await o.insert(displayTokens).values(t).returning({ id: displayTokens.id });
      return row.id;
    },

    /** Every token, newest first. */
    async list(): Promise<DisplayTokenRow[]> {
      return o
        .select(listColumns)
        .from(displayTokens)
        .leftJoin(users, eq(users.id, displayTokens.createdBy))
        .orderBy(desc(displayTokens.createdAt), desc(displayTokens.id));
    },

    async byId(id: number): Promise<DisplayTokenRow | undefined> {
      const [row] = await o
        .select(listColumns)
        .from(displayTokens)
        .leftJoin(users, eq(users.id, displayTokens.createdBy))
        .where(eq(displayTokens.id, id))
        .limit(1);
      return row;
    },

    async byHash(tokenHash: string): Promise<DisplayTokenCheckRow | undefined> {
      const [row] = await o
        .select({
          id: displayTokens.id,
          name: displayTokens.name,
          revokedAt: displayTokens.revokedAt,
          expiresAt: displayTokens.expiresAt,
        })
        .from(displayTokens)
        .where(eq(displayTokens.tokenHash, tokenHash))
        .limit(1);
      return row;
    },

    /** Records use at `now`, at most once per `everyMs` per token (a display asks many times a minute). */
    async touch(id: number, now: Date, everyMs: number): Promise<void> {
      await o
        .update(displayTokens)
        .set({ lastUsedAt: now })
        .where(
          and(
            eq(displayTokens.id, id),
            or(
              isNull(displayTokens.lastUsedAt),
              lt(displayTokens.lastUsedAt, new Date(now.getTime() - everyMs)),
            ),
          ),
        );
    },

    /** Sets revoked_at once; false when the token does not exist. Revoking twice keeps the first time. */
    async revoke(id: number, now: Date): Promise<boolean> {
      const r = await o
        .update(displayTokens)
        .set({ revokedAt: sql`coalesce(${displayTokens.revokedAt}, ${now.toISOString()}::timestamptz)` })
        .where(eq(displayTokens.id, id))
        .returning({ id: displayTokens.id });
      return r.length === 1;
    },

    /** Of `ids`, those still usable at `now` (not revoked, not expired). */
    async usable(ids: number[], now: Date): Promise<Set<number>> {
      if (ids.length === 0) return new Set();
      const rows = await db.rows<{ id: number }>(sql`
        select id from display_tokens
        where id = any(${pgArray(ids)}::int[])
          and revoked_at is null
          and (expires_at is null or expires_at > ${now.toISOString()}::timestamptz)`);
      return new Set(rows.map((r) => Number(r.id)));
    },
  };
}

export type DisplayTokensRepository = ReturnType<typeof displayTokensRepository>;
