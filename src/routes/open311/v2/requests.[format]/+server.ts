// /open311/v2/requests.{json|xml}: GET lists requests (anonymous: public view; valid api_key: full view),
// POST creates one (api_key required) through intake.
import { langOf, open311Of, open311Reply } from '$server/open311/http';
import { readFields } from '$server/open311/request-body';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ locals, params, url, request }) =>
  open311Reply(params.format, async () => {
    const open311 = open311Of(locals.app);
    const view = await open311.viewFor(url.searchParams.get('api_key'));
    const data = await open311.list(url.searchParams, view, new Date(), langOf(url, request));
    return { root: 'service_requests', data };
  });

export const POST: RequestHandler = ({ locals, params, url, request }) =>
  open311Reply(params.format, async () => {
    const fields = await readFields(request, url.searchParams);
    const data = await open311Of(locals.app).create(fields, new Date(), langOf(url, request));
    return { root: 'service_requests', data };
  });
