// Meeting mode for the monthly meeting: the same audience as the ranking page.
import { requirePage } from '$server/http/guards';
import { isMonth, lastFullMonth } from '$lib/components/performance/figures';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  requirePage(locals, url, 'tickets:view');
  const asked = url.searchParams.get('month');
  return { month: isMonth(asked) ? asked : lastFullMonth(new Date()) };
};
