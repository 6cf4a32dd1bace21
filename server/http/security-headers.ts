// The headers every response of the app carries beyond its Content-Security-Policy (svelte.config.js):
// no MIME sniffing, no referrer beyond our own origin, and who may frame a page (no one, except the wall
// for the origins in WALL_FRAME_ANCESTORS).

/** Headers for static files and every other response. */
export const BASE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

/** The wall: the one page a portal of the district may embed. */
export const isWallPath = (pathname: string) => pathname === '/wall' || pathname === '/wall/';

/** The frame-ancestors source list for a path. */
export function frameAncestorsOf(pathname: string, wallOrigins: readonly string[]): string {
  return isWallPath(pathname) && wallOrigins.length ? wallOrigins.join(' ') : "'none'";
}

/**
 * The response with the security headers added. The frame-ancestors policy is a CSP of its own, added
 * beside the page's (a browser enforces both); a response with immutable headers is copied first.
 */
export function withSecurityHeaders(
  res: Response,
  pathname: string,
  wallOrigins: readonly string[],
): Response {
  let out = res;
  try {
    res.headers.set('x-content-type-options', 'nosniff');
  } catch {
    out = new Response(res.body, res);
  }
  for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) out.headers.set(name, value);
  const ancestors = frameAncestorsOf(pathname, wallOrigins);
  out.headers.append('content-security-policy', `frame-ancestors ${ancestors}`);
  if (ancestors === "'none'") out.headers.set('x-frame-options', 'DENY');
  return out;
}
