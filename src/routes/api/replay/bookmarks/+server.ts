// GET /api/replay/bookmarks?from=…&to=…: bookmarks of instants in [from, to) (default: the replay window),
// earliest first. POST { from, to?, note }: a new bookmark of an instant or an interval (201 with its id).
import { error, json } from '@sveltejs/kit';
import { z } from 'zod';
import { requireApi } from '$server/http/guards';
import { instantParam } from '$server/http/instant-param';
import { readJson } from '$server/http/json-body';
import { replayRefusal } from '$server/services/replay.service';
import type { ReplayBookmarkList } from '$lib/api/replay';
import type { RequestHandler } from './$types';

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant with a time zone' });
const Body = z.object({
  from: instant,
  to: instant.nullable().optional(),
  note: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
});

export const GET: RequestHandler = async ({ locals, url }) => {
  const user = requireApi(locals, 'replay:view');
  const now = new Date();
  const from = url.searchParams.has('from')
    ? instantParam(url.searchParams, 'from')
    : new Date(now.getTime() - locals.app.config.REPLAY_DAYS * 86_400_000);
  const to = url.searchParams.has('to') ? instantParam(url.searchParams, 'to') : now;
  const bookmarks = await locals.app.replay.bookmarks({ from, to }, user);
  return json({ bookmarks } satisfies ReplayBookmarkList);
};

export const POST: RequestHandler = async ({ locals, request }) => {
  const user = requireApi(locals, 'replay:view');
  const body = await readJson(request, Body);
  try {
    const id = await locals.app.replay.addBookmark(
      { from: new Date(body.from), to: body.to ? new Date(body.to) : null, note: body.note },
      user.id,
      new Date(),
    );
    return json({ id }, { status: 201 });
  } catch (e) {
    const refused = replayRefusal(e);
    if (refused) error(400, refused.message);
    throw e;
  }
};
