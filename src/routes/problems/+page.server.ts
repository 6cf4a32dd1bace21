import { requirePage } from '$server/http/guards';
import { CATEGORY_GROUPS, CATEGORIES } from '$server/domain/case-categories';
import { caseReference } from '$server/services/case-reference';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  requirePage(locals, url, 'tickets:view');
  const { streets, departments } = await caseReference(locals.app.repos.cases);
  return {
    // The problems carry Chinese street and unit names; these give the English ones.
    streets: streets.map(({ name, nameEn }) => ({ name, nameEn })),
    departments: departments.map(({ id, name, nameEn }) => ({ id, name, nameEn })),
    groups: CATEGORY_GROUPS.map(({ code, name, nameEn }) => ({ code, name, nameEn })),
    categories: CATEGORIES.map(({ code, group, name, nameEn }) => ({ code, group, name, nameEn })),
  };
};
