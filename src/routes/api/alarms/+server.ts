// GET /api/alarms?status=open|acknowledged&severity=1|2&limit=N: alarms not yet cleared, critical first.
import { error, json } from '@sveltejs/kit';
import { z } from 'zod';
import { requireApi } from '$server/http/guards';
import type { AlarmView } from '$lib/api/alarms';
import type { RequestHandler } from './$types';

const Query = z.object({
  status: z.enum(['open', 'acknowledged']).optional(),
  severity: z.coerce
    .number()
    .int()
    .refine((v) => v === 1 || v === 2, 'must be 1 (warning) or 2 (critical)')
    .transform((v) => v as 1 | 2)
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export const GET: RequestHandler = async ({ locals, url }) => {
  requireApi(locals, 'map:view');
  const parsed = Query.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'query');
    error(400, `bad query parameter "${name}": ${issue.message} (got "${url.searchParams.get(name) ?? ''}")`);
  }
  const alarms = await locals.app.alarms.openAlarms(parsed.data);
  return json({ alarms } satisfies { alarms: AlarmView[] });
};
