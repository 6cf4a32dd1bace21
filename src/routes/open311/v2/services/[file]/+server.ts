// GET /open311/v2/services/{service_code}.{json|xml}: a service definition; 404 for an unknown code.
import { langOf, open311Of, open311Reply } from '$server/open311/http';
import { splitResource } from '$server/open311/params';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ locals, params, url, request }) => {
  const { name, ext } = splitResource(params.file);
  return open311Reply(ext, () => ({
    root: 'service_definition',
    data: open311Of(locals.app).serviceDefinition(name, langOf(url, request)),
  }));
};
