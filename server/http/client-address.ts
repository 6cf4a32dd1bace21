// The client's address for limits and audits: what adapter-node reports (the socket's peer, or the header
// named by ADDRESS_HEADER with XFF_DEPTH behind a proxy; no forwarded header is trusted unless set).
import type { RequestEvent } from '@sveltejs/kit';

export function clientAddress(event: Pick<RequestEvent, 'getClientAddress'>): string {
  try {
    return event.getClientAddress() || 'unknown';
  } catch {
    return 'unknown';
  }
}
