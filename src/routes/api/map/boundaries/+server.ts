// Street and district boundaries in one response, `{ streets, districts }` (two GeoJSON FeatureCollections),
// sent from the server's encoded copy: brotli or gzip as the client accepts, 304 while its ETag still holds.
import { requireApi } from '$server/http/guards';
import { preferredCoding } from '$server/services/boundaries.service';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, request }) => {
  requireApi(locals, 'map:view');
  const body = await locals.app.boundaries.body();
  const headers: Record<string, string> = {
    etag: body.etag,
    vary: 'Accept-Encoding',
    // Revalidated after a minute (a 304 costs one version query), so an import shows without a reload.
    'cache-control': 'private, max-age=60',
  };
  if (ifNoneMatch(request.headers.get('if-none-match'), body.etag))
    return new Response(null, { status: 304, headers });
  const coding = preferredCoding(request.headers.get('accept-encoding'));
  const bytes = coding === 'br' ? body.br : coding === 'gzip' ? body.gzip : body.json;
  if (coding !== 'identity') headers['content-encoding'] = coding;
  return new Response(bytes, {
    headers: {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(bytes.byteLength),
    },
  });
};

/** If-None-Match names this ETag (a list, `*`, or a weak form as a proxy may have made it). */
function ifNoneMatch(header: string | null, etag: string): boolean {
  if (!header) return false;
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
}
