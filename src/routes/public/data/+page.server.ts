// /public/data: the open-data catalogue (no login): what each dataset holds, how often it changes, its
// licence, and where to read or download it.
import { publicPage } from '$server/http/public-http';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { settings } = await publicPage(event);
  return { minCount: settings.minCount, cellM: settings.cellM, cacheS: settings.cacheS };
};
