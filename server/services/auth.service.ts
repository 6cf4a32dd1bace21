// Login, sessions and the demo accounts. Sessions are random tokens in an httpOnly cookie; only their
// SHA-256 is stored, so a leaked sessions table does not let anyone log in.
import { createHash, randomBytes } from 'node:crypto';
import { isRole, type Role } from '../domain/roles';
import { isLang, type Lang } from '../../src/lib/i18n/langs';
import type { UsersRepository } from '../db/repositories/users.repository';
import { hashPassword, verifyPassword } from './password';
import type { LoginGuard } from './login-guard';

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
  | { ok: false; reason: 'bad_credentials' | 'disabled' }
  /** Too many failures: `throttled` asks for a short wait (back-off), `refused` is the hard limit. */
  | { ok: false; reason: 'throttled' | 'refused'; retryAfterS: number };

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

export function authService(deps: {
  users: UsersRepository;
  sessionTtlHours: number;
  /** Throttling and audit of sign-in; without it (some tests) every attempt is checked and none audited. */
  guard?: LoginGuard;
}) {
  const { users, guard } = deps;
  // Made now, so that not even the first unknown login name takes longer than a known one.
  dummyHash ??= hashPassword('not-a-user');
  return {
    /**
     * Checks a sign-in from client address `from`. An unknown login name and a wrong password get the same
     * answer after the same work (a hash against a dummy), and both count against the same counters.
     */
    async login(username: string, password: string, now: Date, from = 'unknown'): Promise<LoginResult> {
      const loginName = username.trim();
      const audit = (outcome: Parameters<LoginGuard['audit']>[0]['outcome'], userId: number | null = null) =>
        guard?.audit({ loginName, userId, address: from, outcome, at: now });
      if (guard) {
        const gate = await guard.begin(loginName, from, now);
        if (gate.kind !== 'allow') {
          const reason = gate.kind === 'wait' ? 'throttled' : 'refused';
          await audit(reason);
          return { ok: false, reason, retryAfterS: Math.max(1, Math.ceil(gate.retryAfterMs / 1000)) };
        }
      }
      const user = await users.findByUsername(loginName);
      if (!user) {
        dummyHash ??= hashPassword('not-a-user');
        await verifyPassword(password, await dummyHash);
        await audit('unknown_user');
        return { ok: false, reason: 'bad_credentials' };
      }
      if (!(await verifyPassword(password, user.passwordHash))) {
        await audit('wrong_password', user.id);
        return { ok: false, reason: 'bad_credentials' };
      }
      const sessionUser = user.disabled ? null : toSessionUser(user);
      if (!sessionUser) {
        await audit('disabled', user.id);
        return { ok: false, reason: 'disabled' };
      }
      await guard?.succeeded(loginName, from);
      await audit('ok', user.id);
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
