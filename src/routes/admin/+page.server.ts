import { requirePage } from '$server/http/guards';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  requirePage(locals, url, 'admin:view');
  const { app } = locals;
  const [users, counts] = await Promise.all([app.repos.users.list(), app.repos.map.systemCounts()]);
  return { users, system: { engine: app.db.engine, ...counts } };
};
