// GET /api/allocation/decisions: accepted recommendations, newest first (leaders, duty officers, admins).
// POST { recommendation, note }: a leader or admin accepts one; who, when and what are recorded as given.
import { error, json } from '@sveltejs/kit';
import { readJson } from '$server/http/json-body';
import type { AllocationDecision, DecisionListResponse } from '$lib/api/allocation';
import { decisionBody, repositoryOf, requireAllocation } from '../allocation.server';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
  requireAllocation(locals, 'view');
  const decisions = await repositoryOf(locals).decisions();
  return json({ decisions } satisfies DecisionListResponse);
};

export const POST: RequestHandler = async ({ locals, request }) => {
  const user = requireAllocation(locals, 'decide');
  const { recommendation, note } = await readJson(request, decisionBody);
  const repo = repositoryOf(locals);
  const ids =
    recommendation.kind === 'move' ? [recommendation.fromDepartmentId, recommendation.toDepartmentId] : [];
  const missing = await repo.missingDepartments(ids);
  if (missing.length) error(400, `recommendation: no department with id ${missing.join(', ')}`);
  if (recommendation.kind === 'move' && recommendation.fromDepartmentId === recommendation.toDepartmentId) {
    error(400, 'recommendation.toDepartmentId: must differ from fromDepartmentId');
  }
  const decision = await repo.recordDecision(user.id, recommendation, note ?? null, new Date());
  return json(decision satisfies AllocationDecision, { status: 201 });
};
