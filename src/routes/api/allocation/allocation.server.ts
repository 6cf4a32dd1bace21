// What the /api/allocation endpoints share: the role check, the request bodies (zod) and loading the plan
// from the database. Kept next to the routes because nothing else uses them.
import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { allocationRepository } from '$server/db/repositories/allocation.repository';
import {
  allocationAllows,
  planAllocation,
  DEFAULT_PLAN_OPTIONS,
  type AllocationAction,
} from '$server/domain/allocation';
import { requireApi } from '$server/http/guards';

/** Days of history the forecasts are fitted on: twelve weeks. */
export const HISTORY_DAYS = 84;

/** 401 without a session, 403 when the role may not do `action` here. */
export function requireAllocation(locals: App.Locals, action: AllocationAction) {
  const user = requireApi(locals, 'map:view'); // every signed-in role: only the 401 part
  if (!allocationAllows(user.role, action)) error(403, `your role (${user.role}) may not do this`);
  return user;
}

export const repositoryOf = (locals: App.Locals) => allocationRepository(locals.app.db);

/** The plan as of `now`, with the default assumptions. */
export async function loadPlan(locals: App.Locals, now: Date) {
  const data = await repositoryOf(locals).planData(now, HISTORY_DAYS);
  return { plan: planAllocation(data, DEFAULT_PLAN_OPTIONS), options: DEFAULT_PLAN_OPTIONS };
}

const departmentId = z.number().int('must be a whole number').positive('must be a positive id');
const staff = z
  .number()
  .int('must be a whole number')
  .min(0, 'must be 0 or more')
  .max(10_000, 'must be at most 10000');

/** PUT /api/allocation/capacity. */
export const capacityBody = z.object({ departmentId, staff });

/** POST /api/allocation/what-if. */
export const whatIfBody = z.object({
  changes: z
    .array(z.object({ departmentId, staff }))
    .min(1, 'must list at least one change')
    .max(1000, 'must list at most 1000 changes')
    .refine(
      (cs) => new Set(cs.map((c) => c.departmentId)).size === cs.length,
      'must name each department once',
    ),
});

const count = z.number().finite().min(0);
const moveSide = z.object({
  departmentId,
  name: z.string().max(200),
  staffBefore: count,
  staffAfter: count,
  demandCasesPerWeek: count,
  throughputBefore: count,
  throughputAfter: count,
  overdueBefore: count,
  overdueAfter: count,
});
const reason = z.string().max(1000, 'must be at most 1000 characters');

/** POST /api/allocation/decisions: the recommendation as shown to the leader, and a note. */
export const decisionBody = z.object({
  recommendation: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('move'),
      fromDepartmentId: departmentId,
      toDepartmentId: departmentId,
      staff: z.number().int('must be a whole number').positive('must be at least 1'),
      weeks: z.number().int('must be a whole number').positive('must be at least 1'),
      expectedOverdueBefore: count,
      expectedOverdueAfter: count,
      reduction: z.number().finite(),
      from: moveSide,
      to: moveSide,
      reason,
    }),
    z.object({
      kind: z.literal('night_patrol'),
      gridCellId: departmentId,
      cell: z.string().max(100),
      streetId: departmentId.nullable(),
      window: z.literal('22:00–02:00'),
      count,
      total: count,
      share: z.number().min(0).max(1),
      reason,
    }),
  ]),
  note: z.string().trim().max(2000, 'must be at most 2000 characters').nullish(),
});
