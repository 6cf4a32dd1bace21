// The ranking page: leaders, duty officers and admins; department staff are sent to their own unit's page.
// The page asks the API for the figures itself; here only the month is settled.
import { redirect } from '@sveltejs/kit';
import { requirePage, requireUser } from '$server/http/guards';
import { isMonth, lastFullMonth } from '$lib/components/performance/figures';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const user = requireUser(locals, url);
  const asked = url.searchParams.get('month');
  const month = isMonth(asked) ? asked : lastFullMonth(new Date());
  if (user.role === 'staff' && user.departmentId !== null)
    redirect(303, `/performance/${user.departmentId}?month=${month}`);
  requirePage(locals, url, 'tickets:view');
  return { month };
};
