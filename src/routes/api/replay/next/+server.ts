// GET /api/replay/next?at=…: the first instant after `at` when a sensor, an alarm or a case changed
// ({ next: ISO instant } or { next: null } when nothing changed since).
import { json } from '@sveltejs/kit';
import { requireApi } from '$server/http/guards';
import { instantParam } from '$server/http/instant-param';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) => {
  requireApi(locals, 'replay:view');
  const at = instantParam(url.searchParams, 'at');
  return json({ next: await locals.app.replay.nextChange(at, new Date()) });
};
