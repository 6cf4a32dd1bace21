import { fail, redirect } from '@sveltejs/kit';
import { clientAddress } from '$server/http/client-address';
import { setLangCookie } from '$server/http/lang-cookie';
import { safeNext } from '$server/http/safe-next';
import { SESSION_COOKIE, sessionCookieOptions } from '$server/http/session-cookie';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.user) redirect(303, safeNext(url.searchParams.get('next'), url.origin));
  return {};
};

export const actions: Actions = {
  default: async (event) => {
    const { request, cookies, locals, url } = event;
    const form = await request.formData();
    const username = String(form.get('username') ?? '').slice(0, 100);
    const password = String(form.get('password') ?? '').slice(0, 200);
    if (!username || !password) return fail(400, { username, error: 'missing_fields' as const });
    const result = await locals.app.auth.login(username, password, new Date(), clientAddress(event));
    if (!result.ok) {
      if ('retryAfterS' in result) {
        event.setHeaders({ 'retry-after': String(result.retryAfterS) });
        return fail(429, { username, error: result.reason, retryAfterS: result.retryAfterS });
      }
      return fail(400, { username, error: result.reason });
    }
    cookies.set(
      SESSION_COOKIE,
      result.token,
      sessionCookieOptions(result.expiresAt, locals.app.config.COOKIE_SECURE),
    );
    // The language the user chose in an earlier session (maybe on another device) applies from now on.
    if (result.user.language) setLangCookie(cookies, result.user.language, locals.app.config.COOKIE_SECURE);
    redirect(303, safeNext(url.searchParams.get('next'), url.origin));
  },
};
