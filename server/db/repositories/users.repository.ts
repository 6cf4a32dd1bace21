// Users and login sessions: the only code that reads or writes those tables.
import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { departments, sessions, users } from '../schema';

export interface UserRow {
  id: number;
  username: string;
  displayName: string;
  passwordHash: string;
  role: string;
  departmentId: number | null;
  disabled: boolean;
  /** The UI language the user chose ("zh-CN" or "en"); null until they choose. */
  language: string | null;
}

export function usersRepository(db: Database) {
  const o = db.orm;
  return {
    async findByUsername(username: string): Promise<UserRow | undefined> {
      const [row] = await o.select().from(users).where(eq(users.username, username)).limit(1);
      return row;
    },

    async create(u: Omit<UserRow, 'id' | 'disabled' | 'language'>): Promise<UserRow> {
      const [row] = await o.insert(users).values(u).returning();
      return row;
    },

    async list() {
      return o
        .select({
          id: users.id,
          username: users.username,
          displayName: users.displayName,
          role: users.role,
          departmentName: departments.name,
          disabled: users.disabled,
        })
        .from(users)
        .leftJoin(departments, eq(departments.id, users.departmentId))
        .orderBy(users.id);
    },

    /** Stores the UI language a user chose; false when there is no such user. */
    async setLanguage(userId: number, language: string): Promise<boolean> {
      const rows = await o
        .update(users)
        .set({ language })
        .where(eq(users.id, userId))
        .returning({ id: users.id });
      return rows.length > 0;
    },

    async createSession(id: string, userId: number, expiresAt: Date): Promise<void> {
      await o.insert(sessions).values({ id, userId, expiresAt });
    },

    /** The session's user when the session exists and has not expired at `now`. */
    async findSessionUser(id: string, now: Date): Promise<UserRow | undefined> {
      const [row] = await o
        .select({ user: users })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(and(eq(sessions.id, id), gt(sessions.expiresAt, now)))
        .limit(1);
      return row?.user;
    },

    async deleteSession(id: string): Promise<void> {
      await o.delete(sessions).where(eq(sessions.id, id));
    },

    async deleteExpiredSessions(now: Date): Promise<number> {
      const gone = await o.delete(sessions).where(lt(sessions.expiresAt, now)).returning({ id: sessions.id });
      return gone.length;
    },

    async firstDepartmentId(kind: string): Promise<number | undefined> {
      const r = await db.rows<{ id: number }>(
        sql`select id from departments where kind = ${kind} order by id limit 1`,
      );
      return r[0]?.id;
    },
  };
}

export type UsersRepository = ReturnType<typeof usersRepository>;
