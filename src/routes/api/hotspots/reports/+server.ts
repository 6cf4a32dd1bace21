// GET /api/hotspots/reports?ix=&iy=&…: the reports behind one cell in the current window (no personal data).
import { error, json } from '@sveltejs/kit';
import { requireApi } from '$server/http/guards';
import { hotspotQueryOf } from '$server/http/hotspot-query';
import type { HotspotReportsResponse } from '$lib/api/hotspots';
import type { RequestHandler } from './$types';

const int = (v: string | null, name: string) => {
  if (v === null || !/^-?\d{1,6}$/.test(v)) error(400, `${name} must be an integer cell index`);
  return Number(v);
};

export const GET: RequestHandler = async ({ locals, url }) => {
  requireApi(locals, 'tickets:view');
  const q = hotspotQueryOf(url.searchParams, new Date());
  const cell = { ix: int(url.searchParams.get('ix'), 'ix'), iy: int(url.searchParams.get('iy'), 'iy') };
  return json({ reports: await locals.app.hotspots.reports(q, cell) } satisfies HotspotReportsResponse);
};
