// GET /api/problems?days=7–365&category=<code|group>&street=<id>&sort=size|growth|unresolved&limit=1–200:
// common problems (groups of alike tickets) of the window, ranked, with their sensor evidence.
import { json } from '@sveltejs/kit';
import type { ProblemListResponse } from '$lib/api/problems';
import { requireProblemsViewer } from '$server/http/problem-access';
import { problemQueryOf } from '$server/http/problem-query';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) => {
  requireProblemsViewer(locals);
  const query = problemQueryOf(url.searchParams);
  const service = locals.app.problems;
  return json((await service.list(query, new Date())) satisfies ProblemListResponse);
};
