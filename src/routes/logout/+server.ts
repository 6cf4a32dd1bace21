import { redirect } from '@sveltejs/kit';
import { SESSION_COOKIE } from '$server/http/session-cookie';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ cookies, locals }) => {
  await locals.app.auth.logout(cookies.get(SESSION_COOKIE));
  cookies.delete(SESSION_COOKIE, { path: '/' });
  redirect(303, '/login');
};
