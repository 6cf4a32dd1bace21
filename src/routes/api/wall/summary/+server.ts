// GET /api/wall/summary: the wall's figures (open cases by deadline, today's hotline against normal, the
// week's hot-spots, the month's ranking). Aggregates only, so wall displays may read it.
import { json } from '@sveltejs/kit';
import { requireApi } from '$server/http/guards';
import type { WallSummary } from '$lib/api/wall';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
  requireApi(locals, 'wall:view');
  const summary = await locals.app.wall.summary(new Date());
  return json(summary satisfies WallSummary, { headers: { 'cache-control': 'no-store' } });
};
