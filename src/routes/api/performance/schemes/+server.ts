// GET /api/performance/schemes: every scoring scheme version (any signed-in user: staff may see how they
// are scored). POST { name, totalPoints?, items, activate? }: stores a new version (admins only), refused
// with 400 naming the bad item; the last 12 months and the current one are recomputed under it.
import { error, json } from '@sveltejs/kit';
import { z } from 'zod';
import type { SchemeCreated, SchemeListResponse } from '$lib/api/performance';
import { requireApi } from '$server/http/guards';
import { readJson } from '$server/http/json-body';
import { serviceOf, unwrap } from '../performance.server';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
  requireApi(locals, 'map:view');
  return json({ schemes: await serviceOf(locals).schemes() } satisfies SchemeListResponse);
};

// The shape only; what makes a scheme sound (weights, KPIs, caps) is checked by the domain's validateScheme.
const body = z.object({
  name: z.unknown(),
  totalPoints: z.unknown().optional(),
  items: z.unknown(),
  activate: z.unknown().optional(),
});

export const POST: RequestHandler = async ({ locals, request }) => {
  const user = requireApi(locals, 'map:view');
  if (user.role !== 'admin') error(403, 'only admins may change the scoring scheme');
  const input = await readJson(request, body);
  const now = new Date();
  const created = unwrap(await serviceOf(locals).createScheme(input, user.id, now));
  // Open performance pages on every node reload their scores.
  locals.app.events.emit('schemeChanged', {
    schemeId: created.scheme.scheme.id ?? 0,
    active: created.scheme.active,
    at: now,
  });
  return json(created satisfies SchemeCreated, { status: 201 });
};
