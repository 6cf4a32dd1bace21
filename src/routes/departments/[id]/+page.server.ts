import { error } from '@sveltejs/kit';
import { idParam, requirePage } from '$server/http/guards';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
  const departmentId = idParam(params.id);
  requirePage(locals, url, 'department:view', { departmentId });
  const found = await locals.app.repos.map.department(departmentId);
  if (!found) error(404, `department ${departmentId} does not exist`);
  return found;
};
