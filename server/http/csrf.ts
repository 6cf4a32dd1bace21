// The cross-site check on every state-changing request (svelte.config.js hands SvelteKit's own, form-only
// check to us). Browsers send Origin on every cross-origin POST/PUT/PATCH/DELETE, so a foreign Origin is
// refused whatever the body type. Open311 clients and ingest gateways are servers that authenticate with
// an API key (no cookie to ride on): they may call from anywhere.

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];

/** Paths whose callers authenticate with a key, not a cookie. */
const KEYED_PATHS = ['/open311/', '/api/ingest/readings'];

/** Why a request is refused as cross-site, or null when it may pass. */
export function crossSiteRefusal(request: Request, url: URL): string | null {
  if (SAFE_METHODS.includes(request.method)) return null;
  if (KEYED_PATHS.some((p) => url.pathname === p || url.pathname.startsWith(p))) return null;
  const origin = request.headers.get('origin');
  if (origin !== null) return origin === url.origin ? null : 'requests from another origin are forbidden';
  // No Origin: a browser that sends Fetch Metadata still tells us where the request came from.
  const site = request.headers.get('sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') return 'requests from another site are forbidden';
  // A form without an Origin is what an old browser or a stripped referrer policy sends cross-site; the
  // app's own forms always carry one. A JSON call without one comes from a script or a server, not a page.
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (FORM_TYPES.includes(type)) return 'form submissions without an Origin header are forbidden';
  return null;
}
