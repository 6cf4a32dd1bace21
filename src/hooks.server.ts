// Every request: refuse cross-site writes and unusable query strings, attach the App, the signed-in user
// (from the session cookie) and the UI language, and add the security headers to the answer.
import type { Handle, HandleServerError } from '@sveltejs/kit';
import { getAppContext } from '$server/context';
import { crossSiteRefusal } from '$server/http/csrf';
import { DISPLAY_COOKIE, displayAccess } from '$server/http/display-access';
import { queryProblem } from '$server/http/edge-params';
import { LANG_COOKIE, requestLang, setLangCookie } from '$server/http/lang-cookie';
import { withSecurityHeaders } from '$server/http/security-headers';
import { SESSION_COOKIE } from '$server/http/session-cookie';
import { Open311Error } from '$server/open311/errors';
import { renderError } from '$server/open311/render';

/** A refusal before any route runs: Open311 gets its own error document, everyone else JSON. */
function refuse(url: URL, status: 400 | 403, message: string): Response {
  if (url.pathname.startsWith('/open311/'))
    return renderError(url.pathname.endsWith('.xml') ? 'xml' : 'json', new Open311Error(status, message));
  return Response.json({ message }, { status });
}

export const handle: Handle = async ({ event, resolve }) => {
  const app = getAppContext();
  const res = await answer(event, resolve, app);
  return withSecurityHeaders(res, event.url.pathname, app.config.WALL_FRAME_ANCESTORS);
};

async function answer(
  event: Parameters<Handle>[0]['event'],
  resolve: Parameters<Handle>[0]['resolve'],
  app: ReturnType<typeof getAppContext>,
): Promise<Response> {
  const crossSite = crossSiteRefusal(event.request, event.url);
  if (crossSite) return refuse(event.url, 403, crossSite);
  const badQuery = queryProblem(event.url.searchParams);
  if (badQuery) return refuse(event.url, 400, badQuery.message);
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
}

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
