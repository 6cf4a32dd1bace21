// POST /api/alarms/:id/ack: a duty officer (or admin) acknowledges an open alarm.
import { error, json } from '@sveltejs/kit';
import { idParam, requireApi } from '$server/http/guards';
import type { AckResponse } from '$lib/api/alarms';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals, params }) => {
  const user = requireApi(locals, 'alarms:ack');
  const id = idParam(params.id, 'alarm id');
  const r = await locals.app.alarms.acknowledge(id, user, new Date());
  if (!r.ok) {
    if (r.reason === 'not_found') error(404, `alarm ${id} does not exist`);
    if (r.reason === 'cleared') error(409, `alarm ${id} cannot be acknowledged: it is already cleared`);
    error(409, `alarm ${id} cannot be acknowledged: it is already acknowledged`);
  }
  return json({ alarm: r.alarm } satisfies AckResponse);
};
