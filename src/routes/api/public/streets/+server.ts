// GET /api/public/streets: the public streets dataset (no login; rate limited, cacheable; see src/lib/api/public.ts).
import { publicReply } from '$server/http/public-http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) => publicReply(event, async (svc) => (await svc.streets()).json);
