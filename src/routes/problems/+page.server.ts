import { requirePage } from '$server/http/guards';
import { CATEGORY_GROUPS, CATEGORIES } from '$server/domain/case-categories';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  requirePage(locals, url, 'tickets:view');
  return {
    groups: CATEGORY_GROUPS.map(({ code, name, nameEn }) => ({ code, name, nameEn })),
    categories: CATEGORIES.map(({ code, group, name, nameEn }) => ({ code, group, name, nameEn })),
  };
};
