// Every request: attach the App, the signed-in user (from the session cookie) and the UI language.
import type { Handle, HandleServerError } from '@sveltejs/kit';
import { getAppContext } from '$server/context';
import { formPostFromElsewhere } from '$server/http/csrf';
import { DISPLAY_COOKIE, displayAccess } from '$server/http/display-access';
import { LANG_COOKIE, requestLang, setLangCookie } from '$server/http/lang-cookie';
import { SESSION_COOKIE } from '$server/http/session-cookie';

export const handle: Handle = async ({ event, resolve }) => {
  if (formPostFromElsewhere(event.request, event.url))
    return new Response('Cross-site form submissions are forbidden', { status: 403 });
  const app = getAppContext();
  event.locals.app = app;
  event.locals.user = await app.auth.userForToken(event.cookies.get(SESSION_COOKIE), new Date());
  // A kiosk signs in with a display token instead (see /wall/connect); a person's session wins.
  if (!event.locals.user && event.cookies.get(DISPLAY_COOKIE))
    event.locals.user = await app.displayTokens.sessionUser(event.cookies.get(DISPLAY_COOKIE), new Date());
  if (event.locals.user?.role === 'display') {
    const access = displayAccess(event.request.method, event.url.pathname);
    if (access === 'wall') return new Response(null, { status: 303, headers: { location: '/wall' } });
    if (access === 'forbid')
      return Response.json({ message: 'a wall display may only read the wall' }, { status: 403 });
  }
  // A signed-in user's stored language wins; the cookie follows it, so the choice outlives the session.
  const cookieLang = event.cookies.get(LANG_COOKIE);
  event.locals.lang = requestLang(event.locals.user, cookieLang);
  if (event.locals.user?.language && cookieLang !== event.locals.user.language)
    setLangCookie(event.cookies, event.locals.user.language, app.config.COOKIE_SECURE);
  return resolve(event, {
    transformPageChunk: ({ html }) => html.replace('%lang%', event.locals.lang),
  });
};

export const handleError: HandleServerError = ({ error, event, status }) => {
  if (status !== 404) {
    getAppContext().log.error('request failed', {
      path: event.url.pathname,
      status,
      error: error instanceof Error ? error.stack : String(error),
    });
  }
  return { message: status === 404 ? 'not found' : 'internal error' };
};
