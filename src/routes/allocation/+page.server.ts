// The allocation page: everyone but department staff; the page asks the API for the plan itself and only
// needs to know which actions this role may take.
import { allocationAllows } from '$server/domain/allocation';
import { requirePage } from '$server/http/guards';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const user = requirePage(locals, url, 'tickets:view');
  return {
    canDecide: allocationAllows(user.role, 'decide'),
    canEditCapacity: allocationAllows(user.role, 'capacity'),
  };
};
