// GET /api/replay/window: the instants that can be replayed ({ from, to }; null before the first checkpoint).
import { json } from '@sveltejs/kit';
import { requireApi } from '$server/http/guards';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
  requireApi(locals, 'replay:view');
  return json(await locals.app.replay.window(new Date()));
};
