// GET /api/cases/map: open cases with a location, most urgent first, for the map layer.
import { json } from '@sveltejs/kit';
import { requireApi } from '$server/http/guards';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
  const user = requireApi(locals, 'cases:view');
  const dept = user.role === 'staff' ? (user.departmentId ?? -1) : undefined;
  return json({ cases: await locals.app.repos.cases.openOnMap(new Date(), 2000, dept) });
};
