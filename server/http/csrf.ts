// The cross-site form check SvelteKit would do, minus Open311: its clients are servers posting forms
// with an API key from elsewhere (svelte.config.js hands the check to us for that reason).

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/** A form POST (or PUT/PATCH/DELETE) from another origin, or from none, outside /open311/. */
export function formPostFromElsewhere(request: Request, url: URL): boolean {
  if (request.method === 'GET' || request.method === 'HEAD' || url.pathname.startsWith('/open311/'))
    return false;
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (!FORM_TYPES.includes(type)) return false;
  return request.headers.get('origin') !== url.origin;
}
