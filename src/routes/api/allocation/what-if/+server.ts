// POST /api/allocation/what-if { changes: [{ departmentId, staff }] }: the projected expected overdue with
// those staff numbers instead of the current ones. Nothing is stored.
import { error, json } from '@sveltejs/kit';
import { whatIf } from '$server/domain/allocation';
import { readJson } from '$server/http/json-body';
import type { WhatIfResponse } from '$lib/api/allocation';
import { loadPlan, requireAllocation, whatIfBody } from '../allocation.server';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals, request }) => {
  requireAllocation(locals, 'what_if');
  const body = await readJson(request, whatIfBody);
  const { plan, options } = await loadPlan(locals, new Date());
  const { unknownDepartmentIds, ...projection } = whatIf(plan.inputs, body.changes, options);
  if (unknownDepartmentIds.length) {
    error(400, `changes: no department with id ${unknownDepartmentIds.join(', ')}`);
  }
  return json(projection satisfies WhatIfResponse);
};
