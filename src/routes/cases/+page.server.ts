import { requirePage } from '$server/http/guards';
import { caseReference } from '$server/services/case-reference';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const user = requirePage(locals, url, 'cases:view');
  return {
    reference: await caseReference(locals.app.repos.cases),
    staffDepartmentId: user.role === 'staff' ? user.departmentId : null,
  };
};
