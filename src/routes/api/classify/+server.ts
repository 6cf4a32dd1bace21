// POST /api/classify: what the classifier makes of a text (and its subject line), while the operator types.
import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { requireApi } from '$server/http/guards';
import { readJson } from '$server/http/json-body';
import type { RequestHandler } from './$types';

const body = z.object({
  text: z.string().max(4000, 'must be at most 4000 characters'),
  subject: z.string().max(200, 'must be at most 200 characters').nullish(),
});

export const POST: RequestHandler = async ({ locals, request }) => {
  requireApi(locals, 'cases:intake');
  const { text, subject } = await readJson(request, body);
  return json(locals.app.classifier.classify(text, subject ?? undefined));
};
