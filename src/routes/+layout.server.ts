import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => ({
  user: locals.user,
  lang: locals.lang,
  basemapStyleUrl: locals.app.config.BASEMAP_STYLE_URL ?? null,
  basemapTiles: locals.app.basemap?.info ?? null,
});
