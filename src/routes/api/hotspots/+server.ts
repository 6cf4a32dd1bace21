// GET /api/hotspots?source=tickets|cases|alarms&category=…&days=7&cell=500: significant hot-spots and trends.
import { json } from '@sveltejs/kit';
import { requireApi } from '$server/http/guards';
import { hotspotQueryOf } from '$server/http/hotspot-query';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) => {
  requireApi(locals, 'tickets:view');
  return json(await locals.app.hotspots.compute(hotspotQueryOf(url.searchParams, new Date())));
};
