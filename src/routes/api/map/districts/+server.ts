import { requireApi } from '$server/http/guards';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
  requireApi(locals, 'map:view');
  return new Response(await locals.app.repos.map.districtsGeoJson(), {
    headers: {
      'content-type': 'application/geo+json; charset=utf-8',
      'cache-control': 'private, max-age=60',
    },
  });
};
