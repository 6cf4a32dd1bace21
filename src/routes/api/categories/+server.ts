// GET /api/categories: the category taxonomy and the units a case can be dispatched to.
import { json } from '@sveltejs/kit';
import { requireApi } from '$server/http/guards';
import { CATEGORIES, CATEGORY_GROUPS } from '$server/domain/case-categories';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
  requireApi(locals, 'cases:view');
  const departments = await locals.app.repos.cases.departments();
  return json({ groups: CATEGORY_GROUPS, categories: CATEGORIES, departments });
};
