// The session cookie's name and attributes, shared by the login route, hooks and the socket handshake.
export const SESSION_COOKIE = 'cn_session';

export function sessionCookieOptions(expiresAt: Date, secure: boolean) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure, expires: expiresAt };
}
