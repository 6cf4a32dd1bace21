// What a wall display's session may ask for over HTTP: the wall, its figures and the map's boundaries, read
// only. A second fence behind the role checks of each route, so a route that compares role strings
// ("anyone but staff") cannot hand a kiosk more than the wall shows.

/** The cookie that carries a kiosk's display token (httpOnly; checked against display_tokens each request). */
export const DISPLAY_COOKIE = 'cn_display';

/** Browsers cap cookie lifetime at 400 days; a token without an end lives that long on the kiosk. */
const MAX_COOKIE_MS = 400 * 86_400_000;

export function displayCookieOptions(expiresAt: Date | null, now: Date, secure: boolean) {
  const cap = new Date(now.getTime() + MAX_COOKIE_MS);
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure,
    expires: expiresAt && expiresAt < cap ? expiresAt : cap,
  };
}

const READ_PREFIXES = ['/api/wall/', '/api/map/'];

/**
 * "allow", "wall" (a page outside the wall: send the kiosk back to it) or "forbid" (anything else: 403).
 * Only reads, plus a new token presented to /wall/connect.
 */
export function displayAccess(method: string, pathname: string): 'allow' | 'wall' | 'forbid' {
  const read = method === 'GET' || method === 'HEAD';
  const onWall = pathname === '/wall' || pathname.startsWith('/wall/');
  if (pathname === '/wall/connect') return read || method === 'POST' ? 'allow' : 'forbid';
  if (read && (onWall || READ_PREFIXES.some((p) => pathname.startsWith(p)))) return 'allow';
  if (read && pathname === '/login') return 'allow';
  if (read && !pathname.startsWith('/api/') && !pathname.startsWith('/open311/')) return 'wall';
  return 'forbid';
}
