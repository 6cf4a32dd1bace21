import { error, json } from '@sveltejs/kit';
import { requireApi } from '$server/http/guards';
import type { RequestHandler } from './$types';

/** Finds a sensor by its device code (search box on the map). */
export const GET: RequestHandler = async ({ locals, params }) => {
  requireApi(locals, 'map:view');
  const code = params.code.trim();
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(code)) {
    error(400, `sensor code must be 1-64 letters, digits, ".", "_" or "-", got "${code.slice(0, 40)}"`);
  }
  const id = await locals.app.repos.map.sensorIdByCode(code);
  if (id === null) error(404, `no sensor with code "${code}"`);
  return json({ id });
};
