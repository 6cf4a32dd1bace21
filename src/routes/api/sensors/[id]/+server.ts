import { error, json } from '@sveltejs/kit';
import { idParam, requireApi } from '$server/http/guards';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) => {
  requireApi(locals, 'map:view');
  const id = idParam(params.id, 'sensor id');
  const detail = await locals.app.repos.map.sensorDetail(id);
  if (!detail) error(404, `sensor ${id} does not exist`);
  return json(detail);
};
