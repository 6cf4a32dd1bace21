import { requirePage } from '$server/http/guards';
import { caseReference } from '$server/services/case-reference';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  requirePage(locals, url, 'cases:intake');
  return { reference: await caseReference(locals.app.repos.cases) };
};
