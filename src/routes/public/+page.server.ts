// /public: the transparency overview, open to everyone (no login). Headline numbers, trend, street ×
// category totals and department rates come from the public service's cache; the map fetches its cells.
import { CATEGORY_GROUPS } from '$server/domain/case-categories';
import { publicPage } from '$server/http/public-http';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const svc = await publicPage(event);
  const [summary, streets, departments, trend] = await Promise.all([
    svc.summary(),
    svc.streets(),
    svc.departments(),
    svc.trend(),
  ]);
  return {
    summary: summary.data,
    streets: streets.data.totals,
    departments: departments.data.departments,
    trend: trend.data.months,
    /** Category group codes in taxonomy order: the street table's columns. */
    groups: CATEGORY_GROUPS.map((g) => g.code),
  };
};
