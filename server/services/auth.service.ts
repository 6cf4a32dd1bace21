// Login, sessions and the demo accounts. Sessions are random tokens in an httpOnly cookie; only their
// SHA-256 is stored, so a leaked sessions table does not let anyone log in.
import { createHash, randomBytes } from 'node:crypto';
import { isRole, type Role } from '../domain/roles';
import { isLang, type Lang } from '../../src/lib/i18n/langs';
import type { UsersRepository } from '../db/repositories/users.repository';
import { hashPassword, verifyPassword } from './password';

export { SESSION_COOKIE } from '../http/session-cookie';

/** The signed-in user as pages and sockets see it (no password hash). */
export interface SessionUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  departmentId: number | null;
  /** The UI language the user chose, which wins over the browser's cookie; null until they choose. */
  language?: Lang | null;
}

export type LoginResult =
  | { ok: true; token: string; expiresAt: Date; user: SessionUser }
  | { ok: false; reason: 'bad_credentials' | 'disabled' };

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

function toSessionUser(u: {
  id: number;
  username: string;
  displayName: string;
  role: string;
  departmentId: number | null;
  language?: string | null;
}): SessionUser | null {
  if (!isRole(u.role)) return null;
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    departmentId: u.departmentId,
    language: isLang(u.language) ? u.language : null,
  };
}

// Verifying against a real hash when the user is unknown keeps the response time the same for both cases.
let dummyHash: Promise<string> | undefined;

export function authService(deps: { users: UsersRepository; sessionTtlHours: number }) {
  const { users } = deps;
  return {
    async login(username: string, password: string, now: Date): Promise<LoginResult> {
      const user = await users.findByUsername(username.trim());
      if (!user) {
        dummyHash ??= hashPassword('not-a-user');
        await verifyPassword(password, await dummyHash);
        return { ok: false, reason: 'bad_credentials' };
      }
      if (!(await verifyPassword(password, user.passwordHash)))
        return { ok: false, reason: 'bad_credentials' };
      if (user.disabled) return { ok: false, reason: 'disabled' };
      const sessionUser = toSessionUser(user);
      if (!sessionUser) return { ok: false, reason: 'disabled' };
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now.getTime() + deps.sessionTtlHours * 3600_000);
      await users.createSession(hashToken(token), user.id, expiresAt);
      return { ok: true, token, expiresAt, user: sessionUser };
    },

    /** The user of a session token, or null when the token is unknown, expired or the user disabled. */
    async userForToken(token: string | undefined, now: Date): Promise<SessionUser | null> {
      if (!token || token.length > 200) return null;
      const user = await users.findSessionUser(hashToken(token), now);
      if (!user || user.disabled) return null;
      return toSessionUser(user);
    },

    /** Remembers the UI language a user chose, for every later session; false for an unknown user. */
    async setLanguage(userId: number, language: Lang): Promise<boolean> {
      return users.setLanguage(userId, language);
    },

    async logout(token: string | undefined): Promise<void> {
      if (token) await users.deleteSession(hashToken(token));
    },

    async createUser(input: {
      username: string;
      displayName: string;
      password: string;
      role: Role;
      departmentId?: number | null;
    }): Promise<SessionUser> {
      const row = await users.create({
        username: input.username,
        displayName: input.displayName,
        passwordHash: await hashPassword(input.password),
        role: input.role,
        departmentId: input.departmentId ?? null,
      });
      return toSessionUser(row)!;
    },

    /**
     * Creates one account per role if missing, all with `password`, and returns them for printing.
     * The staff account works for the first street office (or any department when there is none).
     */
    async ensureDemoAccounts(
      password: string,
    ): Promise<{ username: string; role: Role; displayName: string }[]> {
      const staffDept =
        (await users.firstDepartmentId('street_office')) ?? (await users.firstDepartmentId('functional'));
      const wanted: { username: string; role: Role; displayName: string; departmentId: number | null }[] = [
        { username: 'admin', role: 'admin', displayName: '赵磊', departmentId: null },
        { username: 'leader', role: 'leader', displayName: '李明', departmentId: null },
        { username: 'officer', role: 'officer', displayName: '王芳', departmentId: null },
        { username: 'staff', role: 'staff', displayName: '陈杰', departmentId: staffDept ?? null },
      ];
      for (const w of wanted) {
        if (!(await users.findByUsername(w.username))) await this.createUser({ ...w, password });
      }
      return wanted.map(({ username, role, displayName }) => ({ username, role, displayName }));
    },
  };
}

export type AuthService = ReturnType<typeof authService>;
