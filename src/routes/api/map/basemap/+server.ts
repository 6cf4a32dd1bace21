// The deployment's basemap, if it has one: zoom range, bounds, attribution and layers for the map style.
// Public like the tiles themselves (map data, no personal data), so the transparency view can draw it too.
import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ locals }) => {
  const basemap = locals.app.basemap;
  if (!basemap) return json({ message: 'no basemap configured (set BASEMAP_PMTILES)' }, { status: 404 });
  return json(basemap.info, { headers: { 'cache-control': 'public, max-age=300' } });
};
