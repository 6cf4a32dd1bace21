// POST /api/tickets: the hotline operator enters a call (duty officers and admins). Thin: validate, intake.
import { error, json } from '@sveltejs/kit';
import { requireApi } from '$server/http/guards';
import { readJson } from '$server/http/json-body';
import { ticketBody } from '$server/http/case-schemas';
import { IntakeError } from '$server/services/intake.service';
import type { IntakeResult } from '$lib/api/cases';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals, request }) => {
  const user = requireApi(locals, 'cases:intake');
  const body = await readJson(request, ticketBody);
  try {
    const result = await locals.app.intake.submit(
      {
        ...body,
        callerPhone: body.callerPhone || null,
        callerEmail: body.callerEmail || null,
      },
      { userId: user.id, role: user.role, departmentId: user.departmentId },
      new Date(),
    );
    return json(result satisfies IntakeResult, { status: 201 });
  } catch (err) {
    if (err instanceof IntakeError) error(400, err.message);
    throw err;
  }
};
