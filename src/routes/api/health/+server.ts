import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** Liveness for load balancers and tests: no session needed, no data revealed. */
export const GET: RequestHandler = async ({ locals }) => {
  const seq = await locals.app.repos.sensorFeed.currentSeq();
  return json({ ok: true, engine: locals.app.db.engine, seq });
};
