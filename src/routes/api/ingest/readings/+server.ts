// POST /api/ingest/readings: a gateway's batch of readings (JSON array or NDJSON). Thin: authenticate the
// gateway key, read the body within its limit, hand it to ingest, answer once stored (200 / 207 / 400 / 413).
import { json } from '@sveltejs/kit';
import { BodyTooLargeError, readBodyLimited } from '$server/ingest/http-ingest';
import { GatewayAuthError } from '$server/services/gateway.service';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ request, locals }) => {
  const { app } = locals;
  let gateway;
  try {
    gateway = await app.gateways.authenticate(request.headers.get('authorization'));
  } catch (err) {
    if (err instanceof GatewayAuthError) {
      return json({ message: err.message }, { status: 401, headers: { 'www-authenticate': 'Bearer' } });
    }
    throw err;
  }
  let body: string;
  try {
    body = await readBodyLimited(request, app.config.INGEST_MAX_BODY_BYTES);
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    const res = await app.ingest.http.tooLarge(gateway, err);
    return json({ message: err.message, ...res.body }, { status: res.status });
  }
  const res = await app.ingest.http.ingest(gateway, body, request.headers.get('content-type') ?? '');
  return json(res.body, { status: res.status });
};
