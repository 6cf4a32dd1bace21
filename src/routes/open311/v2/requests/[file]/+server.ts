// GET /open311/v2/requests/{service_request_id}.{json|xml}: one request (a list of one, per spec); 404 unknown.
import { langOf, open311Of, open311Reply } from '$server/open311/http';
import { splitResource } from '$server/open311/params';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ locals, params, url, request }) => {
  const { name, ext } = splitResource(params.file);
  return open311Reply(ext, async () => {
    const open311 = open311Of(locals.app);
    const view = await open311.viewFor(url.searchParams.get('api_key'));
    return { root: 'service_requests', data: await open311.one(name, view, langOf(url, request)) };
  });
};
