// One unit's performance: everyone but department staff of another unit (they get a 403, as from the API).
import { idParam, requirePage } from '$server/http/guards';
import { isMonth, lastFullMonth } from '$lib/components/performance/figures';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
  const departmentId = idParam(params.departmentId, 'departmentId');
  const user = requirePage(locals, url, 'department:view', { departmentId });
  const asked = url.searchParams.get('month');
  return {
    departmentId,
    month: isMonth(asked) ? asked : lastFullMonth(new Date()),
    /** Staff have no ranking to go back to. */
    canRank: user.role !== 'staff',
  };
};
