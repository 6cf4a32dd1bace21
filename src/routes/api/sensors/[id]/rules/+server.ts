// GET /api/sensors/:id/rules: the family's rules, the sensor's overrides and the effective rules ingest
// evaluates (any signed-in role). PUT: replace the overrides (body: the overrides object, or null / {} to
// clear them); duty officers and admins only, checked strictly, audited, in force for the next reading.
import { error, json } from '@sveltejs/kit';
import { can } from '$server/domain/roles';
import { idParam, requireApi } from '$server/http/guards';
import { controlCharPath, requireJsonType } from '$server/http/json-body';
import { BodyTooLargeError, readBodyLimited } from '$server/ingest/http-ingest';
import type { Refused } from '$server/services/rule-override.service';
import type { SensorRulesResponse } from '$lib/api/rules';
import type { RequestHandler } from './$types';

/** A sensor has a handful of rules; anything near this size is not an overrides object. */
const MAX_BODY_BYTES = 16_384;

function refuse(id: number, r: Refused): never {
  if (r.reason === 'not_found') error(404, `sensor ${id} does not exist`);
  if (r.reason === 'unknown_family') {
    error(409, `sensor ${id} is of family "${r.family}", which has no alarm rules in this version`);
  }
  error(400, r.message);
}

export const GET: RequestHandler = async ({ locals, params }) => {
  const user = requireApi(locals, 'map:view');
  const id = idParam(params.id, 'sensor id');
  const r = await locals.app.ruleOverrides.rules(id);
  if (!r.ok) refuse(id, r);
  return json({ ...r.rules, canEdit: can(user, 'rules:override') } satisfies SensorRulesResponse);
};

export const PUT: RequestHandler = async ({ locals, params, request }) => {
  const user = requireApi(locals, 'rules:override');
  const id = idParam(params.id, 'sensor id');
  requireJsonType(request);
  let text: string;
  try {
    text = await readBodyLimited(request, MAX_BODY_BYTES);
  } catch (err) {
    if (err instanceof BodyTooLargeError) error(413, `request body is larger than ${MAX_BODY_BYTES} bytes`);
    throw err;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    error(
      400,
      `the body must be JSON: an object of overrides keyed by rule id, or null to clear them (${(err as Error).message})`,
    );
  }
  const bad = controlCharPath(body);
  if (bad) error(400, `${bad}: contains a control character`);
  const r = await locals.app.ruleOverrides.replace(id, body, user, new Date());
  if (!r.ok) refuse(id, r);
  return json({ ...r.rules, canEdit: true } satisfies SensorRulesResponse);
};
