// Route guards: turn "who is asking" into a redirect to login or a clear 403, before any work is done.
import { error, redirect } from '@sveltejs/kit';
import { can, type Permission } from '../domain/roles';
import type { SessionUser } from '../services/auth.service';

/** The signed-in user; redirects a page request to /login (keeping where it wanted to go). */
export function requireUser(locals: App.Locals, url: URL): SessionUser {
  if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  return locals.user;
}

/** For JSON endpoints: 401 without a session, 403 without the permission. */
export function requireApi(locals: App.Locals, permission: Permission, target?: { departmentId?: number }) {
  if (!locals.user) error(401, 'sign in first');
  if (!can(locals.user, permission, target)) error(403, `your role (${locals.user.role}) may not do this`);
  return locals.user;
}

/** For pages: login redirect without a session, 403 page without the permission. */
export function requirePage(
  locals: App.Locals,
  url: URL,
  permission: Permission,
  target?: { departmentId?: number },
): SessionUser {
  const user = requireUser(locals, url);
  if (!can(user, permission, target)) error(403, `your role (${user.role}) may not open this page`);
  return user;
}

/** Parses a positive integer id from a route parameter or fails with 400 naming the parameter. */
export function idParam(value: string, name = 'id'): number {
  if (!/^[1-9]\d{0,9}$/.test(value) || Number(value) > 2_147_483_647) {
    error(400, `${name} must be a positive integer, got "${value.slice(0, 40)}"`);
  }
  return Number(value);
}
