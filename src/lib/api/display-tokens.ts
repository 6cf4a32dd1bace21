// The JSON of the admin's display-token endpoints (/api/admin/display-tokens): used by the server and the
// admin page.

/** A wall display's token as admins see it (never its value or hash). */
export interface DisplayTokenJson {
  id: number;
  /** What the admin called it, e.g. the screen's place. */
  name: string;
  /** "active" until revoked or past its end. */
  state: 'active' | 'revoked' | 'expired';
  /** Display name of the admin who created it. */
  createdBy: string | null;
  createdAt: string;
  /** When a display last used it (to the minute); null when never. */
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** End of validity; null for none. */
  expiresAt: string | null;
}

/** GET /api/admin/display-tokens. */
export interface DisplayTokenList {
  tokens: DisplayTokenJson[];
}

/** POST /api/admin/display-tokens: the raw token is in this answer only. */
export interface CreatedDisplayToken {
  token: string;
  /** The address to open on the kiosk (it signs the display in and goes to /wall). */
  connectUrl: string;
  displayToken: DisplayTokenJson;
}
