// GET /api/performance/:departmentId?month=YYYY-MM&scheme=<id>: one unit's KPIs, its score with every point
// lost explained and linked to the cases that cost it, and its 12-month trend. Staff: their own unit only.
import { json } from '@sveltejs/kit';
import type { UnitPerformance } from '$lib/api/performance';
import { idParam } from '$server/http/guards';
import { queryOf, requireUnit, serviceOf, unwrap } from '../performance.server';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params, url }) => {
  const departmentId = idParam(params.departmentId, 'departmentId');
  requireUnit(locals, departmentId);
  const now = new Date();
  const q = queryOf(url, now);
  const result = await serviceOf(locals).unit(departmentId, q.month, q.scheme, now);
  return json(unwrap(result) satisfies UnitPerformance);
};
