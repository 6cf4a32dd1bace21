// GET /api/performance?month=YYYY-MM&scheme=<id>: every department and street office ranked by its score
// in the month, with KPIs, last month, the same month last year and year-to-date. Leaders, duty officers
// and admins.
import { json } from '@sveltejs/kit';
import type { PerformanceRanking } from '$lib/api/performance';
import { queryOf, requireAllUnits, serviceOf, unwrap } from './performance.server';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) => {
  requireAllUnits(locals);
  const now = new Date();
  const q = queryOf(url, now);
  return json(unwrap(await serviceOf(locals).ranking(q.month, q.scheme, now)) satisfies PerformanceRanking);
};
