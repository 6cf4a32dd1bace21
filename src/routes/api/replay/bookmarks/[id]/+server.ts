// DELETE /api/replay/bookmarks/:id: removes a bookmark (its author, or an admin).
import { error, json } from '@sveltejs/kit';
import { idParam, requireApi } from '$server/http/guards';
import type { RequestHandler } from './$types';

export const DELETE: RequestHandler = async ({ locals, params }) => {
  const user = requireApi(locals, 'replay:view');
  const id = idParam(params.id, 'bookmark id');
  const r = await locals.app.replay.deleteBookmark(id, user);
  if (r === 'not_found') error(404, `bookmark ${id} does not exist`);
  if (r === 'not_yours') error(403, `bookmark ${id} was set by someone else`);
  return json({ deleted: id });
};
