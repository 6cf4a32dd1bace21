// GET /api/replay/state?at=2026-11-03T07:40:00Z: the operations picture at that instant (issue 19):
// sensors not normal and the counts, alarms open then, cases open then with their deadline colour.
import { error, json } from '@sveltejs/kit';
import { requireApi } from '$server/http/guards';
import { instantParam } from '$server/http/instant-param';
import { replayRefusal } from '$server/services/replay.service';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) => {
  requireApi(locals, 'replay:view');
  const at = instantParam(url.searchParams, 'at');
  try {
    return json(await locals.app.replay.stateAt(at, new Date()));
  } catch (e) {
    const refused = replayRefusal(e);
    if (refused) error(refused.code === 'no_checkpoint' ? 404 : 400, refused.message);
    throw e;
  }
};
