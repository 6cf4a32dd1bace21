// Wall-display tokens: admins create, list and revoke them; a kiosk presents one to become a read-only
// "display" session. The raw token is shown once; only its SHA-256 is stored (like login sessions).
import { createHash, randomBytes } from 'node:crypto';
import type { DisplayTokenRow, DisplayTokensRepository } from '../db/repositories/display-tokens.repository';
import type { SessionUser } from './auth.service';

/** Raw tokens start with this, so one found in a log or a chat is recognisable at a glance. */
export const DISPLAY_TOKEN_PREFIX = 'cnd_';
/** A display's use is recorded at most this often. */
const TOUCH_EVERY_MS = 60_000;
const MAX_NAME = 80;
const MAX_DAYS = 3650;

/** A display session: a SessionUser with the role "display" and the token it stands on. */
export interface DisplaySessionUser extends SessionUser {
  role: 'display';
  /** The display token this session is bound to; revoking it ends the session. */
  displayTokenId: number;
}

/** Why a presented token does not sign a display in. */
export type DisplayRefusal = 'missing' | 'malformed' | 'unknown' | 'revoked' | 'expired';

export type DisplayCheck =
  | { ok: true; user: DisplaySessionUser; expiresAt: Date | null }
  | { ok: false; reason: DisplayRefusal; at?: Date };

/** A token as admins see it, with its state at the time asked. */
export interface DisplayTokenView extends DisplayTokenRow {
  state: 'active' | 'revoked' | 'expired';
}

export class DisplayTokenError extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Whether a session user is a wall display (and which token it stands on). */
export function isDisplaySession(user: SessionUser | null | undefined): user is DisplaySessionUser {
  return user?.role === 'display' && typeof (user as Partial<DisplaySessionUser>).displayTokenId === 'number';
}

function stateOf(
  t: { revokedAt: Date | null; expiresAt: Date | null },
  now: Date,
): DisplayTokenView['state'] {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt && t.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

export function displayTokenService(deps: {
  tokens: DisplayTokensRepository;
  /** Told after a token was revoked (the live layer closes that display's sockets). */
  onRevoke?: (tokenId: number) => void;
}) {
  const { tokens } = deps;
  return {
    /** Creates a token; the raw value is in the answer and nowhere else, ever. */
    async create(
      input: { name: string; expiresInDays?: number | null },
      createdBy: number | null,
      now: Date,
    ): Promise<{ token: string; view: DisplayTokenView }> {
      const name = input.name.trim();
      if (name.length === 0) throw new DisplayTokenError(400, 'name must not be empty');
      if (name.length > MAX_NAME)
        throw new DisplayTokenError(400, `name must be at most ${MAX_NAME} characters`);
      const days = input.expiresInDays ?? null;
      if (days !== null && (!Number.isInteger(days) || days < 1 || days > MAX_DAYS))
        throw new DisplayTokenError(400, `expiresInDays must be a whole number from 1 to ${MAX_DAYS}`);
      const token = DISPLAY_TOKEN_PREFIX + randomBytes(32).toString('base64url');
      const expiresAt = days === null ? null : new Date(now.getTime() + days * 86_400_000);
      const id = await tokens.insert({
        name,
        tokenHash: hashToken(token),
        createdBy,
        createdAt: now,
        expiresAt,
      });
      const row = await tokens.byId(id);
      return { token, view: { ...row!, state: stateOf(row!, now) } };
    },

    async list(now: Date): Promise<DisplayTokenView[]> {
      return (await tokens.list()).map((t) => ({ ...t, state: stateOf(t, now) }));
    },

    /** Revokes a token (again: no change); every session on it ends at its next request or socket check. */
    async revoke(id: number, now: Date): Promise<DisplayTokenView> {
      if (!(await tokens.revoke(id, now))) throw new DisplayTokenError(404, `no display token ${id}`);
      deps.onRevoke?.(id);
      const row = await tokens.byId(id);
      return { ...row!, state: stateOf(row!, now) };
    },

    /** Checks a presented raw token: a display session, or why not. Records the use. */
    async check(token: string | null | undefined, now: Date): Promise<DisplayCheck> {
      if (!token) return { ok: false, reason: 'missing' };
      if (!token.startsWith(DISPLAY_TOKEN_PREFIX) || token.length > 200 || !/^[\w-]+$/.test(token))
        return { ok: false, reason: 'malformed' };
      const row = await tokens.byHash(hashToken(token));
      if (!row) return { ok: false, reason: 'unknown' };
      if (row.revokedAt) return { ok: false, reason: 'revoked', at: row.revokedAt };
      if (row.expiresAt && row.expiresAt.getTime() <= now.getTime())
        return { ok: false, reason: 'expired', at: row.expiresAt };
      await tokens.touch(row.id, now, TOUCH_EVERY_MS);
      return {
        ok: true,
        expiresAt: row.expiresAt,
        user: {
          // No user row stands behind a display: id 0 matches no account, so nothing can be written as it.
          id: 0,
          username: `display-${row.id}`,
          displayName: row.name,
          role: 'display',
          departmentId: null,
          displayTokenId: row.id,
        },
      };
    },

    /** The display session of a cookie value, or null (for hooks and the socket handshake). */
    async sessionUser(token: string | undefined, now: Date): Promise<DisplaySessionUser | null> {
      if (!token) return null;
      const r = await this.check(token, now);
      return r.ok ? r.user : null;
    },

    /** Of these token ids, the ones still usable (open sockets on the others are closed). */
    usable(ids: number[], now: Date): Promise<Set<number>> {
      return tokens.usable(ids, now);
    },
  };
}

export type DisplayTokenService = ReturnType<typeof displayTokenService>;
