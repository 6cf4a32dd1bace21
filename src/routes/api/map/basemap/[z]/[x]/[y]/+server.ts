// One vector tile of the deployment's basemap (gzip-compressed MVT); 204 where the archive has none.
import { json } from '@sveltejs/kit';
import { parseTileAddress } from '$server/basemap/tile-address';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) => {
  const basemap = locals.app.basemap;
  if (!basemap) return json({ message: 'no basemap configured (set BASEMAP_PMTILES)' }, { status: 404 });
  const address = parseTileAddress(params.z, params.x, params.y);
  if ('error' in address) return json({ message: address.error }, { status: 400 });
  const tile = await basemap.tile(address.z, address.x, address.y);
  const cache = { 'cache-control': 'public, max-age=86400' };
  if (!tile) return new Response(null, { status: 204, headers: cache });
  return new Response(new Uint8Array(tile), {
    headers: {
      ...cache,
      'content-type': 'application/vnd.mapbox-vector-tile',
      'content-encoding': 'gzip',
      'content-length': String(tile.length),
    },
  });
};
