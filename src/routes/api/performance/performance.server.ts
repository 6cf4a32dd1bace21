// What the /api/performance endpoints share: building the service from the request's app, who may see
// what, and the query parameters (month, scheme, year) with a 400 naming a bad one.
import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { performanceRepository } from '$server/db/repositories/performance.repository';
import { monthOf } from '$server/domain/kpis';
import { requireApi } from '$server/http/guards';
import { performanceService, type Result } from '$server/services/performance.service';

export const serviceOf = (locals: App.Locals) =>
  performanceService({ repo: performanceRepository(locals.app.db), calendar: locals.app.calendar });

/** Rankings and exports span every unit: leaders, duty officers and admins; staff get 403. */
export function requireAllUnits(locals: App.Locals) {
  const user = requireApi(locals, 'cases:view');
  if (user.role === 'staff')
    error(403, "department staff may see their own department's performance only (/api/performance/<id>)");
  return user;
}

/** One unit's performance: everyone but staff of another department. */
export function requireUnit(locals: App.Locals, departmentId: number) {
  return requireApi(locals, 'department:view', { departmentId });
}

const Query = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month like 2026-03')
    .optional(),
  scheme: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, 'must be a positive id')
    .max(2_147_483_647)
    .optional(),
  year: z.coerce
    .number()
    .int('must be a whole number')
    .min(2000, 'must be 2000 or later')
    .max(2100)
    .optional(),
});

/** The query string parsed; empty parameters count as absent; month defaults to the current one. */
export function queryOf(url: URL, now: Date): { month: string; scheme?: number; year?: number } {
  const given = Object.fromEntries([...url.searchParams].filter(([, v]) => v !== ''));
  const parsed = Query.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'query');
    error(
      400,
      `bad query parameter "${name}": ${issue.message} (got "${(url.searchParams.get(name) ?? '').slice(0, 40)}")`,
    );
  }
  return { ...parsed.data, month: parsed.data.month ?? monthOf(now) };
}

/** The value, or the refusal as an HTTP error. */
export function unwrap<T>(r: Result<T>): T {
  if (!r.ok) error(r.status, r.message);
  return r.value;
}
