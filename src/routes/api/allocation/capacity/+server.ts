// PUT /api/allocation/capacity { departmentId, staff }: sets a unit's staff for allocation. Admins only.
import { error, json } from '@sveltejs/kit';
import { readJson } from '$server/http/json-body';
import type { UnitCapacity } from '$lib/api/allocation';
import { capacityBody, repositoryOf, requireAllocation } from '../allocation.server';
import type { RequestHandler } from './$types';

export const PUT: RequestHandler = async ({ locals, request }) => {
  const user = requireAllocation(locals, 'capacity');
  const body = await readJson(request, capacityBody);
  const repo = repositoryOf(locals);
  if ((await repo.missingDepartments([body.departmentId])).length) {
    error(400, `departmentId: no department with id ${body.departmentId}`);
  }
  const stored = await repo.setCapacity(body.departmentId, body.staff, user.id, new Date());
  return json(stored satisfies UnitCapacity);
};
