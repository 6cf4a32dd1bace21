// GET /api/public/boundaries/{streets|districts}: the administrative boundaries the public map draws
// (public geography; no login; rate limited, cacheable).
import { error } from '@sveltejs/kit';
import { publicReply } from '$server/http/public-http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) => {
  const level = event.params.level;
  if (level !== 'streets' && level !== 'districts') error(404, 'boundaries are "streets" or "districts"');
  return publicReply(event, (svc) => svc.boundaries(level));
};
