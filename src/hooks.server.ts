// Every request: attach the App, the signed-in user (from the session cookie) and the UI language.
import type { Handle, HandleServerError } from '@sveltejs/kit';
import { getAppContext } from '$server/context';
import { formPostFromElsewhere } from '$server/http/csrf';
import { SESSION_COOKIE } from '$server/http/session-cookie';

export const handle: Handle = async ({ event, resolve }) => {
  if (formPostFromElsewhere(event.request, event.url))
    return new Response('Cross-site form submissions are forbidden', { status: 403 });
  const app = getAppContext();
  event.locals.app = app;
  event.locals.user = await app.auth.userForToken(event.cookies.get(SESSION_COOKIE), new Date());
  event.locals.lang = event.cookies.get('lang') === 'en' ? 'en' : 'zh-CN';
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
