// POST /api/cases/:code/actions: one action on a case ({ action, …, version }). The state machine decides;
// refusals come back as 400 (bad input), 403 (role), 404 (no case) or 409 (state or a concurrent change).
import { error, json } from '@sveltejs/kit';
import { requireApi } from '$server/http/guards';
import { readJson } from '$server/http/json-body';
import { actionBody, actionEnvelope, KNOWN_ACTIONS } from '$server/http/case-schemas';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals, params, request }) => {
  const user = requireApi(locals, 'cases:view');
  const raw = await readJson(request, actionEnvelope);
  if (typeof raw.action !== 'string' || !KNOWN_ACTIONS.includes(raw.action))
    error(400, `action must be one of ${KNOWN_ACTIONS.join(', ')}`);
  const parsed = actionBody.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    error(400, `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  const r = await locals.app.cases.act(
    params.code.slice(0, 40),
    parsed.data,
    { userId: user.id, role: user.role, departmentId: user.departmentId },
    new Date(),
    raw.version,
  );
  if (!r.ok) error(r.status, r.message);
  return json(r);
};
