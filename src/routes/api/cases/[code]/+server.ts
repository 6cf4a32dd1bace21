// GET /api/cases/:code: the case page's data (timeline, tickets, nearby sensors, allowed actions).
import { error, json } from '@sveltejs/kit';
import { requireApi } from '$server/http/guards';
import { caseForUser } from '$server/services/case-view';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) => {
  const user = requireApi(locals, 'cases:view');
  const c = await caseForUser(locals.app.repos.cases, params.code.slice(0, 40), user, new Date());
  if (c === 'not_found') error(404, `no case "${params.code.slice(0, 40)}"`);
  if (c === 'forbidden') error(403, `case ${params.code} belongs to another department`);
  return json(c);
};
