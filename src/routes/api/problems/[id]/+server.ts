// GET /api/problems/:id?days=7–365: one problem (id: any of its ticket ids) with its tickets, for
// drill-down. Pass the panel's `days`: the grouping depends on the window.
import { error, json } from '@sveltejs/kit';
import { idParam } from '$server/http/guards';
import type { ProblemDetailResponse } from '$lib/api/problems';
import { requireProblemsViewer } from '$server/http/problem-access';
import { problemQueryOf } from '$server/http/problem-query';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params, url }) => {
  requireProblemsViewer(locals);
  const id = idParam(params.id);
  const { days } = problemQueryOf(url.searchParams);
  const service = locals.app.problems;
  const detail = await service.detail(id, days, new Date());
  if (!detail) error(404, `no problem with ticket ${id} in the last ${days} days`);
  return json(detail satisfies ProblemDetailResponse);
};
