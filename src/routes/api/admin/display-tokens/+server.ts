// GET /api/admin/display-tokens: every wall-display token (never its value). POST: a new one; the answer
// holds the raw token, shown this once. Admins only.
import { error, json } from '@sveltejs/kit';
import { z } from 'zod';
import { requireApi } from '$server/http/guards';
import { readJson } from '$server/http/json-body';
import { DisplayTokenError } from '$server/services/display-token.service';
import type { CreatedDisplayToken, DisplayTokenList } from '$lib/api/display-tokens';
import { displayTokenJson } from './display-token-json';
import type { RequestHandler } from './$types';

const CreateBody = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters'),
  expiresInDays: z
    .number()
    .int('must be a whole number of days')
    .min(1, 'must be at least 1')
    .max(3650, 'must be at most 3650')
    .nullable()
    .optional(),
});

export const GET: RequestHandler = async ({ locals }) => {
  requireApi(locals, 'admin:view');
  const tokens = await locals.app.displayTokens.list(new Date());
  return json({ tokens: tokens.map(displayTokenJson) } satisfies DisplayTokenList);
};

export const POST: RequestHandler = async ({ locals, request, url }) => {
  const user = requireApi(locals, 'admin:view');
  const body = await readJson(request, CreateBody);
  try {
    const { token, view } = await locals.app.displayTokens.create(body, user.id, new Date());
    return json(
      {
        token,
        connectUrl: `${url.origin}/wall/connect?token=${encodeURIComponent(token)}`,
        displayToken: displayTokenJson(view),
      } satisfies CreatedDisplayToken,
      { status: 201 },
    );
  } catch (err) {
    if (err instanceof DisplayTokenError) error(err.status, err.message);
    throw err;
  }
};
