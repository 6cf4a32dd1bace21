// GET /open311/v2/services.{json|xml}: the categories citizens may report (GeoReport v2 service list).
import { langOf, open311Of, open311Reply } from '$server/open311/http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ locals, params, url, request }) =>
  open311Reply(params.format, () => ({
    root: 'services',
    data: open311Of(locals.app).services(langOf(url, request)),
  }));
