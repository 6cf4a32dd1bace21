// GET /api/public/download/<dataset>.<csv|geojson>[?days=30|90]: the open-data files listed on /public/data
// (no login; rate limited, cacheable). Unknown datasets or formats are 404.
import { error } from '@sveltejs/kit';
import { PUBLIC_DOWNLOADS, type DownloadDataset, type DownloadFormat } from '$lib/api/public';
import { cellWindowOf, publicReply } from '$server/http/public-http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) => {
  const m = /^([a-z]+)\.(csv|geojson)$/.exec(event.params.file);
  if (!m || !(m[1] in PUBLIC_DOWNLOADS))
    error(404, `no download "${event.params.file.slice(0, 40)}": see /public/data for the list`);
  const days = cellWindowOf(event.url);
  return publicReply(event, (svc) => svc.download(m[1] as DownloadDataset, m[2] as DownloadFormat, days), {
    download: true,
  });
};
