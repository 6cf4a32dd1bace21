import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/**
 * Readiness for load balancers and operators, no session needed and no data revealed: 200 with
 * status "ready" while the node takes traffic, 503 with "draining" once it is stopping (HAProxy's
 * `option httpchk GET /api/health` then sends new connections to the others), and 503 when the database
 * does not answer.
 */
export const GET: RequestHandler = async ({ locals }) => {
  const app = locals.app;
  const node = {
    node: app.node.id,
    leader: app.node.leading,
    adapter: app.node.adapter,
    engine: app.db.engine,
  };
  const headers = { 'cache-control': 'no-store' };
  if (app.node.status === 'draining')
    return json({ ok: false, status: 'draining', ...node }, { status: 503, headers });
  try {
    const seq = await app.repos.sensorFeed.currentSeq();
    return json({ ok: true, status: 'ready', ...node, seq }, { headers });
  } catch (err) {
    return json(
      { ok: false, status: 'database unavailable', error: (err as Error).message, ...node },
      { status: 503, headers },
    );
  }
};
