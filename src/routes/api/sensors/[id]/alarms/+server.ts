// GET /api/sensors/:id/alarms: the sensor's alarm history for the detail panel (any signed-in role).
import { error, json } from '@sveltejs/kit';
import { idParam, requireApi } from '$server/http/guards';
import type { SensorAlarmsResponse } from '$lib/api/alarms';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) => {
  requireApi(locals, 'map:view');
  const id = idParam(params.id, 'sensor id');
  const alarms = await locals.app.alarms.sensorAlarms(id);
  if (!alarms) error(404, `sensor ${id} does not exist`);
  return json({ alarms } satisfies SensorAlarmsResponse);
};
