// GET /api/public/cells?days=30|90: reports per grid cell of PUBLIC_CELL_M metres (no login; rate limited,
// cacheable). Cells, never points: see server/domain/disclosure.ts.
import { cellWindowOf, publicReply } from '$server/http/public-http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) => {
  const days = cellWindowOf(event.url);
  return publicReply(event, async (svc) => (await svc.cells(days)).json);
};
