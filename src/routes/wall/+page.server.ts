// The leaders' wall: a display signed in with its token, or a leader, duty officer or admin. A display
// whose token was revoked or ran out is sent to /wall/connect, which says so.
import { redirect } from '@sveltejs/kit';
import { DISPLAY_COOKIE } from '$server/http/display-access';
import { requirePage } from '$server/http/guards';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, cookies }) => {
  const raw = cookies.get(DISPLAY_COOKIE);
  if (!locals.user && raw) {
    const r = await locals.app.displayTokens.check(raw, new Date());
    if (!r.ok) {
      cookies.delete(DISPLAY_COOKIE, { path: '/' });
      const at = r.at ? `&at=${encodeURIComponent(r.at.toISOString())}` : '';
      redirect(303, `/wall/connect?refused=${r.reason}${at}`);
    }
  }
  const user = requirePage(locals, url, 'wall:view');
  return {
    schedule: locals.app.wall.schedule,
    /** The display's name (the token's), or null for a person. */
    displayName: user.role === 'display' ? user.displayName : null,
  };
};
