// POST /api/admin/display-tokens/:id/revoke: the display signed in with it is signed out at its next request
// (and its live connection closed). Revoking again changes nothing. Admins only.
import { error, json } from '@sveltejs/kit';
import { idParam, requireApi } from '$server/http/guards';
import { DisplayTokenError } from '$server/services/display-token.service';
import type { DisplayTokenJson } from '$lib/api/display-tokens';
import { displayTokenJson } from '../../display-token-json';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals, params }) => {
  requireApi(locals, 'admin:view');
  const id = idParam(params.id, 'display token id');
  try {
    const view = await locals.app.displayTokens.revoke(id, new Date());
    return json({ displayToken: displayTokenJson(view) } satisfies { displayToken: DisplayTokenJson });
  } catch (err) {
    if (err instanceof DisplayTokenError) error(err.status, err.message);
    throw err;
  }
};
