import { requirePage } from '$server/http/guards';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
  requirePage(locals, url, 'map:view');
  return {};
};
