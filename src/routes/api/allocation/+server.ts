// GET /api/allocation: per unit the forecast demand, capacity, load and expected overdue; staff moves
// ranked by their effect on overdue cases; night-patrol cells; weekly demand per street. Leaders, duty
// officers and admins.
import { json } from '@sveltejs/kit';
import type { AllocationResponse } from '$lib/api/allocation';
import { loadPlan, requireAllocation } from './allocation.server';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
  requireAllocation(locals, 'view');
  const now = new Date();
  const { plan, options } = await loadPlan(locals, now);
  const { inputs: _inputs, ...view } = plan;
  return json({
    generatedAt: now.toISOString(),
    assumptions: {
      horizonWeeks: options.horizonWeeks,
      hoursPerStaff: options.hoursPerStaff,
      utilisation: options.utilisation,
      effortShare: options.effortShare,
      minStaff: options.minStaff,
      maxStaffPerMove: options.maxStaffPerMove,
    },
    ...view,
  } satisfies AllocationResponse);
};
