// The queue's query string → a CaseFilter, with a 400 naming any bad parameter.
import { error } from '@sveltejs/kit';
import type { CaseFilter } from '../db/repositories/cases.repository';
import { CASE_STATES, type CaseState } from '../domain/case-workflow';
import { categoryByCode, groupByCode } from '../domain/case-categories';

const int = (params: URLSearchParams, name: string, min: number, max: number): number | undefined => {
  const v = params.get(name);
  if (v === null || v === '') return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
    error(400, `${name} must be an integer between ${min} and ${max}, got "${v.slice(0, 20)}"`);
  return Number(v);
};

export function caseFilterOf(params: URLSearchParams): CaseFilter {
  const states = params.get('state')?.split(',').filter(Boolean) ?? [];
  for (const s of states)
    if (!(CASE_STATES as readonly string[]).includes(s))
      error(400, `state must be one of ${CASE_STATES.join(', ')}, got "${s.slice(0, 20)}"`);
  const deadline = params.get('deadline') || undefined;
  if (deadline !== undefined && deadline !== 'overdue' && deadline !== 'due_soon')
    error(400, `deadline must be overdue or due_soon, got "${deadline.slice(0, 20)}"`);
  const category = params.get('category') || undefined;
  if (category && !categoryByCode(category) && !groupByCode(category))
    error(400, `unknown category "${category.slice(0, 40)}"`);
  const triage = params.get('triage');
  if (triage !== null && triage !== '' && triage !== 'true' && triage !== 'false')
    error(400, `triage must be true or false, got "${triage.slice(0, 10)}"`);
  const source = params.get('source') || undefined;
  if (source !== undefined && !['hotline', 'open311', 'sensor'].includes(source))
    error(400, `source must be hotline, open311 or sensor, got "${source.slice(0, 20)}"`);
  const q = params.get('q')?.trim().slice(0, 60) || undefined;
  return {
    states: states as CaseState[],
    deadline: deadline as CaseFilter['deadline'],
    category: category && categoryByCode(category) ? category : undefined,
    group: category && !categoryByCode(category) ? category : undefined,
    streetId: int(params, 'street', 1, 2_147_483_647),
    departmentId: int(params, 'department', 1, 2_147_483_647),
    source,
    triage: triage === 'true' ? true : triage === 'false' ? false : undefined,
    q,
    limit: int(params, 'limit', 1, 200) ?? 50,
    offset: int(params, 'offset', 0, 100_000) ?? 0,
  };
}
