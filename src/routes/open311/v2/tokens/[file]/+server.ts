// GET /open311/v2/tokens/{token}.{json|xml}: the service_request_id a creation token belongs to; 404 unknown.
import { open311Of, open311Reply } from '$server/open311/http';
import { splitResource } from '$server/open311/params';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ locals, params }) => {
  const { name, ext } = splitResource(params.file);
  return open311Reply(ext, async () => ({
    root: 'service_requests',
    data: await open311Of(locals.app).token(name),
  }));
};
