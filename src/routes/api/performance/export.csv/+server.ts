// GET /api/performance/export.csv?year=YYYY&scheme=<id>: every unit's KPIs and score per month of the year,
// as UTF-8 CSV with a byte-order mark so Excel reads the Chinese names. Leaders, duty officers and admins.
import { monthOf } from '$server/domain/kpis';
import { queryOf, requireAllUnits, serviceOf, unwrap } from '../performance.server';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) => {
  requireAllUnits(locals);
  const now = new Date();
  const q = queryOf(url, now);
  const year = q.year ?? Number(monthOf(now).slice(0, 4));
  const csv = unwrap(await serviceOf(locals).exportCsv(year, q.scheme, now));
  return new Response(csv, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="performance-${year}.csv"`,
    },
  });
};
