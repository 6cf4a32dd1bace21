// The common-problems query string → a ProblemQuery, with a 400 naming any bad parameter.
import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { categoryByCode, groupByCode } from '../domain/case-categories';
import { PROBLEM_SORTS } from '../../src/lib/api/problems';
import type { ProblemQuery } from '../services/problems.service';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const Query = z.object({
  days: int(7, 365).default(90),
  category: z
    .string()
    .max(60)
    .refine((c) => Boolean(categoryByCode(c) || groupByCode(c)), 'must be a category or group code')
    .optional(),
  street: int(1, 2_147_483_647).optional(),
  sort: z.enum(PROBLEM_SORTS).default('size'),
  limit: int(1, 200).default(50),
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month like 2026-03')
    .optional(),
});

/** Parses the query string; empty parameters count as absent. */
export function problemQueryOf(params: URLSearchParams): ProblemQuery {
  const given = Object.fromEntries([...params].filter(([, v]) => v !== ''));
  const parsed = Query.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'query');
    error(
      400,
      `bad query parameter "${name}": ${issue.message} (got "${(params.get(name) ?? '').slice(0, 40)}")`,
    );
  }
  const { days, category, street, sort, limit, month } = parsed.data;
  return {
    days,
    month,
    category: category && categoryByCode(category) ? category : undefined,
    group: category && !categoryByCode(category) ? category : undefined,
    streetId: street,
    sort,
    limit,
  };
}
