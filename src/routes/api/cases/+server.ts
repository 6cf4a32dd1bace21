// GET /api/cases: the duty officer's queue (filters in the query string); staff see their own unit's only.
import { json } from '@sveltejs/kit';
import { requireApi } from '$server/http/guards';
import { caseFilterOf } from '$server/http/case-query';
import { TOTAL_CAP } from '$server/db/repositories/cases.repository';
import type { CaseListResponse } from '$lib/api/cases';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) => {
  const user = requireApi(locals, 'cases:view');
  const filter = caseFilterOf(url.searchParams);
  if (user.role === 'staff') filter.departmentId = user.departmentId ?? -1;
  const page = await locals.app.repos.cases.list(filter, new Date());
  return json({ ...page, totalCap: TOTAL_CAP } satisfies CaseListResponse);
};
