// What every public (no login) route does around its one call: take a token from the client's rate
// allowance (429 with Retry-After when empty), then serve the cached body with public cache headers and an
// ETag, answering 304 when the client already holds it.
import { error, type RequestEvent } from '@sveltejs/kit';
import { CELL_WINDOWS, type CellWindow } from '../../src/lib/api/public';
import { publicServiceOf, type PublicPayload, type PublicService } from '../services/public.service';

type PublicEvent = Pick<RequestEvent, 'locals' | 'request' | 'getClientAddress'>;

/** The client's address as the adapter sees it (ADDRESS_HEADER / XFF_DEPTH behind a proxy). */
function clientOf(event: PublicEvent): string {
  try {
    return event.getClientAddress();
  } catch {
    return 'unknown';
  }
}

/** Seconds until the client may try again, or null when the request may proceed (cluster-wide allowance). */
async function refusal(svc: PublicService, event: PublicEvent): Promise<number | null> {
  const d = await svc.limit(clientOf(event), Date.now());
  return d.ok ? null : d.retryAfterS;
}

const tooMany = (retryAfterS: number) =>
  new Response(JSON.stringify({ message: `too many requests: try again in ${retryAfterS} s` }), {
    status: 429,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'retry-after': String(retryAfterS),
      'cache-control': 'no-store',
    },
  });

/**
 * Serves a public dataset: rate limit, then `produce` (from the service's cache) with
 * `Cache-Control: public, max-age=<PUBLIC_CACHE_S>`, an ETag and 304 on a matching If-None-Match.
 * `produce` returning null is a 404.
 */
export async function publicReply(
  event: PublicEvent,
  produce: (svc: PublicService) => Promise<PublicPayload | null>,
  opts: { download?: boolean } = {},
): Promise<Response> {
  const svc = publicServiceOf(event.locals.app);
  const wait = await refusal(svc, event);
  if (wait !== null) return tooMany(wait);
  const p = await produce(svc);
  if (!p) error(404, 'no such public dataset');
  const headers: Record<string, string> = {
    'cache-control': `public, max-age=${svc.settings.cacheS}`,
    etag: p.etag,
    'x-content-type-options': 'nosniff',
    'access-control-allow-origin': '*',
  };
  if (opts.download && p.filename) headers['content-disposition'] = `attachment; filename="${p.filename}"`;
  const match = event.request.headers.get('if-none-match');
  if (match && match.split(',').some((t) => t.trim().replace(/^W\//, '') === p.etag))
    return new Response(null, { status: 304, headers });
  return new Response(p.body, { headers: { ...headers, 'content-type': p.contentType } });
}

/**
 * For the public pages' load functions: the same rate limit (an HTTP 429 error page when exhausted) and
 * the service. Pages are not publicly cacheable: their HTML carries the visitor's session state.
 */
export async function publicPage(
  event: PublicEvent & Pick<RequestEvent, 'setHeaders'>,
): Promise<PublicService> {
  const svc = publicServiceOf(event.locals.app);
  const wait = await refusal(svc, event);
  if (wait !== null) {
    event.setHeaders({ 'retry-after': String(wait) });
    error(429, `too many requests: try again in ${wait} s`);
  }
  return svc;
}

/** `?days=` of the cell map: 30 or 90 (default 90); 400 naming the parameter otherwise. */
export function cellWindowOf(url: URL): CellWindow {
  const raw = url.searchParams.get('days');
  if (raw === null || raw === '') return 90;
  const days = Number(raw);
  if (!(CELL_WINDOWS as readonly number[]).includes(days))
    error(
      400,
      `bad query parameter "days": must be ${CELL_WINDOWS.join(' or ')} (got "${raw.slice(0, 20)}")`,
    );
  return days as CellWindow;
}
