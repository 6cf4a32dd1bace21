// GET /api/public/departments: the public departments dataset (no login; rate limited, cacheable; see src/lib/api/public.ts).
import { publicReply } from '$server/http/public-http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) =>
  publicReply(event, async (svc) => (await svc.departments()).json);
