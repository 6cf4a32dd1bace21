// /admin/logins: the sign-in audit for admins, newest first, filtered by outcome and login name, paged.
import { error } from '@sveltejs/kit';
import { LOGIN_OUTCOMES, type LoginOutcome } from '$server/db/repositories/login-attempts.repository';
import { requirePage } from '$server/http/guards';
import type { PageServerLoad } from './$types';

const PAGE_SIZE = 50;

/** The query's filters; 400 naming the parameter when one is malformed. */
function filtersOf(url: URL): { outcome: LoginOutcome | null; login: string; page: number } {
  const outcome = url.searchParams.get('outcome') || null;
  if (outcome !== null && !(LOGIN_OUTCOMES as readonly string[]).includes(outcome))
    error(400, `bad query parameter "outcome": must be one of ${LOGIN_OUTCOMES.join(', ')}`);
  const login = (url.searchParams.get('login') ?? '').trim();
  if (login.length > 100) error(400, 'bad query parameter "login": at most 100 characters');
  const rawPage = url.searchParams.get('page') || '1';
  const page = Number(rawPage);
  if (!/^\d{1,6}$/.test(rawPage) || page < 1)
    error(400, `bad query parameter "page": must be a whole number from 1 (got "${rawPage.slice(0, 20)}")`);
  return { outcome: outcome as LoginOutcome | null, login, page };
}

export const load: PageServerLoad = async ({ locals, url }) => {
  requirePage(locals, url, 'admin:view');
  const f = filtersOf(url);
  const { rows, total } = await locals.app.repos.loginAttempts.list({
    outcome: f.outcome ?? undefined,
    loginName: f.login || undefined,
    limit: PAGE_SIZE,
    offset: (f.page - 1) * PAGE_SIZE,
  });
  return {
    ...f,
    outcomes: [...LOGIN_OUTCOMES],
    rows,
    total,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    retentionDays: locals.app.config.LOGIN_AUDIT_RETENTION_DAYS,
  };
};
