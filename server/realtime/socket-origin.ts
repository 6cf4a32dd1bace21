// Which browsers may open a live connection: Socket.IO's handshake is a plain GET (or a WebSocket
// upgrade), so the HTTP hook's Origin check on state-changing requests does not cover it. A page on
// another site could otherwise open a socket that carries a signed-in user's cookie (a sibling
// subdomain counts as "same site" for SameSite=Lax) and read the live feeds. Pure.

/** Why a handshake is refused, or null when it may go on. */
export function foreignHandshake(
  headers: { origin?: string; host?: string },
  publicOrigin?: string,
): string | null {
  const origin = headers.origin;
  // Servers and devices (bench clients, the cluster's tests) send no Origin; they still need a session.
  if (origin === undefined) return null;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return `origin "${origin.slice(0, 80)}" is not a URL`;
  }
  if (headers.host && host === headers.host) return null;
  if (publicOrigin && origin === originOf(publicOrigin)) return null;
  return `origin ${origin.slice(0, 80)} may not open a live connection to this server`;
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
