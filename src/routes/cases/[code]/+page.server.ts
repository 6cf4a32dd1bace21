import { error } from '@sveltejs/kit';
import { requirePage } from '$server/http/guards';
import { caseForUser } from '$server/services/case-view';
import { caseReference } from '$server/services/case-reference';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
  const user = requirePage(locals, url, 'cases:view');
  const code = params.code.slice(0, 40);
  const found = await caseForUser(locals.app.repos.cases, code, user, new Date());
  if (found === 'not_found') error(404, `no case "${code}"`);
  if (found === 'forbidden') error(403, `case ${code} belongs to another department`);
  return { case: found, reference: await caseReference(locals.app.repos.cases) };
};
