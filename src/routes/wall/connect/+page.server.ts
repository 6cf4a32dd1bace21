// A kiosk's login: /wall/connect?token=cnd_… (or the form below) exchanges a display token for an httpOnly
// cookie bound to it, then opens the wall (keeping ?scenes, ?seconds and ?stale). A bad, unknown, revoked
// or expired token gets a page that says which.
import { fail, redirect, type Cookies } from '@sveltejs/kit';
import { DISPLAY_COOKIE, displayCookieOptions } from '$server/http/display-access';
import type { DisplayRefusal } from '$server/services/display-token.service';
import type { Actions, PageServerLoad } from './$types';

const REFUSALS: DisplayRefusal[] = ['missing', 'malformed', 'unknown', 'revoked', 'expired'];
const KEPT = ['scenes', 'seconds', 'stale'];

/** Where to go once connected: the wall, with the kiosk URL's schedule settings. */
function wallUrl(url: URL): string {
  const q = new URLSearchParams();
  for (const k of KEPT) {
    const v = url.searchParams.get(k);
    if (v !== null) q.set(k, v.slice(0, 100));
  }
  return q.size ? `/wall?${q}` : '/wall';
}

async function connect(locals: App.Locals, cookies: Cookies, url: URL, token: string) {
  const now = new Date();
  const r = await locals.app.displayTokens.check(token.trim(), now);
  if (!r.ok) {
    cookies.delete(DISPLAY_COOKIE, { path: '/' });
    return { refusal: r.reason, at: r.at?.toISOString() ?? null };
  }
  cookies.set(
    DISPLAY_COOKIE,
    token.trim(),
    displayCookieOptions(r.expiresAt, now, locals.app.config.COOKIE_SECURE),
  );
  redirect(303, wallUrl(url));
}

export const load: PageServerLoad = async ({ locals, url, cookies }) => {
  const token = url.searchParams.get('token');
  if (token !== null) return connect(locals, cookies, url, token);
  if (locals.user?.role === 'display') redirect(303, wallUrl(url));
  // Sent here by /wall after the token stopped working.
  const refused = url.searchParams.get('refused') as DisplayRefusal | null;
  const at = url.searchParams.get('at');
  return {
    refusal: refused && REFUSALS.includes(refused) ? refused : null,
    at: at && !Number.isNaN(Date.parse(at)) ? new Date(at).toISOString() : null,
  };
};

export const actions: Actions = {
  default: async ({ locals, url, cookies, request }) => {
    const form = await request.formData();
    const token = String(form.get('token') ?? '').slice(0, 300);
    const r = await connect(locals, cookies, url, token);
    return fail(401, r);
  },
};
