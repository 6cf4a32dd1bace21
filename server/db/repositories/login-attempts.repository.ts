// Sign-in attempts: the throttling counters every node shares and the audit of each attempt. The only
// code that reads or writes login_throttle and login_audit.
import { sql } from 'drizzle-orm';
import type { Database, Orm } from '../client';
import type { ThrottleState } from '../../domain/login-throttle';

/** What an attempt came to, as the audit stores it. */
export const LOGIN_OUTCOMES = [
  'ok',
  'wrong_password',
  'unknown_user',
  'disabled',
  'throttled',
  'refused',
] as const;
export type LoginOutcome = (typeof LOGIN_OUTCOMES)[number];

/** One audited attempt, ready to store. */
export interface LoginAuditInput {
  /** The login name as typed. */
  loginName: string;
  /** The account it named, when there is one. */
  userId: number | null;
  /** The client address. */
  address: string;
  outcome: LoginOutcome;
  /** When it was made. */
  at: Date;
}

/** A stored audit row. */
export interface LoginAuditRow extends Omit<LoginAuditInput, 'at'> {
  id: number;
  /** ISO 8601. */
  at: string;
  /** The account's username now (null for no account or a deleted one). */
  username: string | null;
}

/** Filters and page of `list`. */
export interface LoginAuditFilter {
  outcome?: LoginOutcome;
  /** Only attempts with this login name (as typed, case-insensitive). */
  loginName?: string;
  /** Rows per page (1–500, default 50). */
  limit?: number;
  /** Rows skipped, newest first. */
  offset?: number;
}

type StateRow = {
  key: string;
  failures: number;
  window_start: Date | string;
  last_failure_at: Date | string;
  locked_until: Date | string | null;
};

const toState = (r: StateRow): ThrottleState => ({
  failures: Number(r.failures),
  windowStart: new Date(r.window_start),
  lastFailureAt: new Date(r.last_failure_at),
  lockedUntil: r.locked_until === null ? null : new Date(r.locked_until),
});

/** Prefix of a counter key, so an account and an address never share a row. */
export type CounterKey = `account:${string}` | `address:${string}`;

export function loginAttemptsRepository(db: Database) {
  return {
    /**
     * Runs `change` on the counters of `keys` while holding them for this transaction (an advisory lock
     * per key, so every node waits its turn, even for a key without a row yet), then stores what it
     * returns: a state to keep, or null to delete the row. Keys are locked in sorted order (no deadlock).
     */
    async withCounters<T>(
      keys: readonly CounterKey[],
      change: (states: ReadonlyMap<CounterKey, ThrottleState | null>) => {
        writes: ReadonlyMap<CounterKey, ThrottleState | null>;
        result: T;
      },
    ): Promise<T> {
      const sorted = [...new Set(keys)].sort();
      return db.orm.transaction(async (t) => {
        const tx = t as unknown as Orm;
        for (const key of sorted)
          await db.rows(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`, tx);
        const rows = await db.rows<StateRow>(
          sql`select key, failures, window_start, last_failure_at, locked_until from login_throttle
              where key in (${sql.join(
                sorted.map((k) => sql`${k}`),
                sql`, `,
              )})`,
          tx,
        );
        const states = new Map<CounterKey, ThrottleState | null>(sorted.map((k) => [k, null]));
        for (const r of rows) states.set(r.key as CounterKey, toState(r));
        const { writes, result } = change(states);
        for (const [key, s] of writes) {
          if (s === null) await db.rows(sql`delete from login_throttle where key = ${key}`, tx);
          else
            await db.rows(
              sql`insert into login_throttle (key, failures, window_start, last_failure_at, locked_until)
                  values (${key}, ${s.failures}, ${s.windowStart.toISOString()}::timestamptz,
                          ${s.lastFailureAt.toISOString()}::timestamptz,
                          ${s.lockedUntil ? s.lockedUntil.toISOString() : null}::timestamptz)
                  on conflict (key) do update set failures = excluded.failures,
                    window_start = excluded.window_start, last_failure_at = excluded.last_failure_at,
                    locked_until = excluded.locked_until`,
              tx,
            );
        }
        return result;
      });
    },

    /** Whether `loginName` (any case) signed in successfully from `address` at or after `since`. */
    async signedInFrom(loginName: string, address: string, since: Date): Promise<boolean> {
      const r = await db.rows<{ n: number }>(
        sql`select count(*)::int as n from (select 1 from login_audit
            where lower(login_name) = ${loginName.trim().toLowerCase()} and address = ${address}
              and outcome = 'ok' and at >= ${since.toISOString()}::timestamptz limit 1) x`,
      );
      return (r[0]?.n ?? 0) > 0;
    },

    async audit(a: LoginAuditInput): Promise<void> {
      await db.rows(
        sql`insert into login_audit (at, login_name, user_id, address, outcome)
            values (${a.at.toISOString()}::timestamptz, ${a.loginName.slice(0, 100)}, ${a.userId},
                    ${a.address.slice(0, 100)}, ${a.outcome})`,
      );
    },

    /** Audited attempts, newest first, one page of them, and how many match in all. */
    async list(f: LoginAuditFilter = {}): Promise<{ rows: LoginAuditRow[]; total: number }> {
      const limit = Math.min(Math.max(Math.trunc(f.limit ?? 50), 1), 500);
      const offset = Math.max(Math.trunc(f.offset ?? 0), 0);
      const outcome = f.outcome ?? null;
      const name = f.loginName ? f.loginName.trim().toLowerCase() : null;
      const where = sql`(${outcome}::text is null or a.outcome = ${outcome}::text)
        and (${name}::text is null or lower(a.login_name) = ${name}::text)`;
      const [rows, count] = await Promise.all([
        db.rows<{
          id: string | number;
          at: Date | string;
          login_name: string;
          user_id: number | null;
          username: string | null;
          address: string;
          outcome: LoginOutcome;
        }>(sql`
          select a.id, a.at, a.login_name, a.user_id, u.username, a.address, a.outcome
          from login_audit a left join users u on u.id = a.user_id
          where ${where}
          order by a.at desc, a.id desc
          limit ${limit} offset ${offset}`),
        db.rows<{ n: number }>(sql`select count(*)::int as n from login_audit a where ${where}`),
      ]);
      return {
        total: count[0]?.n ?? 0,
        rows: rows.map((r) => ({
          id: Number(r.id),
          at: new Date(r.at).toISOString(),
          loginName: r.login_name,
          userId: r.user_id,
          username: r.username,
          address: r.address,
          outcome: r.outcome,
        })),
      };
    },

    /**
     * Retention: deletes audit rows older than `auditBefore` and counters whose window and refusal ended
     * before `countersBefore`. Returns how many rows of each went.
     */
    async prune(auditBefore: Date, countersBefore: Date): Promise<{ audit: number; counters: number }> {
      const a = await db.rows<{ n: number }>(
        sql`with gone as (delete from login_audit where at < ${auditBefore.toISOString()}::timestamptz
            returning 1) select count(*)::int as n from gone`,
      );
      const c = await db.rows<{ n: number }>(
        sql`with gone as (delete from login_throttle
              where greatest(last_failure_at, coalesce(locked_until, last_failure_at))
                    < ${countersBefore.toISOString()}::timestamptz
            returning 1) select count(*)::int as n from gone`,
      );
      return { audit: a[0]?.n ?? 0, counters: c[0]?.n ?? 0 };
    },
  };
}

export type LoginAttemptsRepository = ReturnType<typeof loginAttemptsRepository>;
