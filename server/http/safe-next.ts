// Where to go after signing in: only a path on this site, never another origin (open redirect).

/** Anything a browser might read as a scheme, a host or a separator trick: backslashes, controls, spaces. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
const SUSPICIOUS = /[\\\u0000-\u0020\u007f-\u009f\u2028\u2029]|%5c|%2f%2f|%00/i;

/**
 * `next` when it is a same-origin path (kept with its query and hash), otherwise "/". Browsers turn "\"
 * into "/" and drop tabs and newlines, so "/\evil.com" or "/\t/evil.com" would leave the site: such input
 * is refused before URL parsing, and the parsed URL must still have our origin.
 */
export function safeNext(next: string | null, origin: string): string {
  if (!next || next.length > 2000 || !next.startsWith('/') || next.startsWith('//')) return '/';
  if (SUSPICIOUS.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return '/';
  }
  if (url.origin !== new URL(origin).origin) return '/';
  return url.pathname + url.search + url.hash;
}
