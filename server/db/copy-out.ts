// COPY … TO STDOUT over PostgreSQL's wire protocol (version 3), for the reads that move a million rows.
// postgres.js hands each CopyData message (one per row) to a stream as a Buffer of its own, which costs
// more than decoding the row; this reader passes each message's payload in place, as (buffer, start, end),
// so a binary COPY decoder reads straight from the socket's chunks. One connection per COPY, closed after.
//
// Speaks what a COPY needs and nothing else: startup; trust, cleartext, MD5 and SCRAM-SHA-256 sign-in; one
// simple query; CopyOutResponse, CopyData, CopyDone; errors and notices. Not TLS: `copyOutSupported` says
// whether a URL can be served here (callers fall back to postgres.js otherwise).
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** Where to connect and as whom, from a postgres:// URL. */
export interface CopyTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** The target of a URL, or null when it asks for what this reader does not speak (TLS, several hosts). */
export function copyTarget(url: string): CopyTarget | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return null;
  const ssl = u.searchParams.get('sslmode') ?? u.searchParams.get('ssl');
  if (ssl !== null && !['disable', 'false', 'allow', 'prefer'].includes(ssl)) return null;
  const socketDir = u.searchParams.get('host');
  if (u.hostname.includes(',') || (socketDir === null && u.hostname === '')) return null;
  const port = Number(u.port || 5432);
  const user = decodeURIComponent(u.username) || process.env.PGUSER || process.env.USER || 'postgres';
  return {
    host: socketDir ?? u.hostname.replace(/^\[|\]$/g, ''),
    port,
    user,
    // As postgres.js does: the URL's password, else PGPASSWORD.
    password: decodeURIComponent(u.password) || process.env.PGPASSWORD || '',
    database: decodeURIComponent(u.pathname.slice(1)) || user,
  };
}

/**
 * The SCRAM-SHA-256 client (RFC 5802 / 7677): the messages to send and the check of the server's proof.
 * PostgreSQL takes the user from the startup packet and expects an empty name here, as libpq sends it.
 */
export function scramClient(
  password: string,
  { nonce = randomBytes(18).toString('base64'), user = '' }: { nonce?: string; user?: string } = {},
) {
  const first = `n=${user},r=${nonce}`;
  let serverSignature: Buffer | null = null;
  return {
    /** client-first-message */
    first: `n,,${first}`,
    /** client-final-message for the server-first-message; throws on a malformed or forged one. */
    final(serverFirst: string): string {
      const attrs = new Map(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)] as const));
      const r = attrs.get('r');
      const salt = attrs.get('s');
      const iterations = Number(attrs.get('i'));
      if (!r || !r.startsWith(nonce) || !salt || !Number.isInteger(iterations) || iterations < 1)
        throw new Error('PostgreSQL sent a malformed SCRAM challenge');
      const salted = pbkdf2Sync(
        password.normalize('NFKC'),
        Buffer.from(salt, 'base64'),
        iterations,
        32,
        'sha256',
      );
      const clientKey = createHmac('sha256', salted).update('Client Key').digest();
      const storedKey = createHash('sha256').update(clientKey).digest();
      const withoutProof = `c=biws,r=${r}`;
      const auth = `${first},${serverFirst},${withoutProof}`;
      const signature = createHmac('sha256', storedKey).update(auth).digest();
      const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
      const serverKey = createHmac('sha256', salted).update('Server Key').digest();
      serverSignature = createHmac('sha256', serverKey).update(auth).digest();
      return `${withoutProof},p=${proof.toString('base64')}`;
    },
    /** Throws unless the server-final-message proves the server knows the password. */
    verify(serverFinal: string): void {
      const v = serverFinal.startsWith('v=') ? Buffer.from(serverFinal.slice(2), 'base64') : null;
      if (
        !serverSignature ||
        !v ||
        v.length !== serverSignature.length ||
        !timingSafeEqual(v, serverSignature)
      )
        throw new Error('PostgreSQL could not prove it knows the password (SCRAM server signature)');
    },
  };
}

const cstr = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);

/** A frontend message: type byte, int32 length (itself included), body. */
function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function startup(t: CopyTarget, settings: Record<string, string>): Buffer {
  const params = { user: t.user, database: t.database, application_name: 'citynerve-copy', ...settings };
  const body = Buffer.concat([
    Buffer.from([0, 3, 0, 0]), // protocol 3.0
    ...Object.entries(params).flatMap(([k, v]) => [cstr(k), cstr(v)]),
    Buffer.from([0]),
  ]);
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length + 4);
  return Buffer.concat([len, body]);
}

/** The human part of an ErrorResponse: severity, code and message. */
function errorText(body: Buffer): string {
  const f = new Map<string, string>();
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const end = body.indexOf(0, at + 1);
    f.set(String.fromCharCode(body[at]), body.toString('utf8', at + 1, end));
    at = end + 1;
  }
  return `${f.get('M') ?? 'unknown error'}${f.get('C') ? ` (SQLSTATE ${f.get('C')})` : ''}`;
}

/**
 * Runs `copyStatement` (COPY … TO STDOUT) on a connection of its own and calls `onData` with each CopyData
 * payload in place: bytes [start, end) of `buf`, valid only during the call. Resolves when the COPY is
 * done; rejects with PostgreSQL's message on an error (also one thrown by `onData`, after closing).
 * `settings` are run-time parameters for the session (sent with the startup message).
 */
export function copyOut(
  target: CopyTarget,
  copyStatement: string,
  onData: (buf: Buffer, start: number, end: number) => void,
  opts: { connectTimeoutMs?: number; settings?: Record<string, string> } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: Socket = target.host.startsWith('/')
      ? connect(`${target.host}/.s.PGSQL.${target.port}`)
      : connect(target.port, target.host);
    let settled = false;
    let copying = false;
    let failure: Error | null = null;
    let scram: ReturnType<typeof scramClient> | null = null;
    let pending: Buffer | null = null;
    const timer = setTimeout(
      () => finish(new Error(`PostgreSQL at ${target.host}:${target.port} did not answer in time`)),
      opts.connectTimeoutMs ?? 10_000,
    );

    function finish(err: Error | null) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        socket.end(message('X', Buffer.alloc(0)));
        resolve();
      }
    }
    const send = (b: Buffer) => socket.write(b);

    function auth(body: Buffer) {
      const kind = body.readInt32BE(0);
      switch (kind) {
        case 0: // AuthenticationOk
          return;
        case 3: // cleartext
          return send(message('p', cstr(target.password)));
        case 5: {
          const inner = createHash('md5')
            .update(target.password + target.user)
            .digest('hex');
          const outer = createHash('md5')
            .update(Buffer.concat([Buffer.from(inner), body.subarray(4, 8)]))
            .digest('hex');
          return send(message('p', cstr(`md5${outer}`)));
        }
        case 10: {
          const mechanisms = body.toString('utf8', 4).split('\0');
          if (!mechanisms.includes('SCRAM-SHA-256'))
            throw new Error(`PostgreSQL offers no sign-in this reader speaks (${mechanisms.join(' ')})`);
          scram = scramClient(target.password);
          const first = Buffer.from(scram.first);
          const len = Buffer.alloc(4);
          len.writeInt32BE(first.length);
          return send(message('p', Buffer.concat([cstr('SCRAM-SHA-256'), len, first])));
        }
        case 11:
          if (!scram) throw new Error('PostgreSQL continued a SCRAM exchange that was not started');
          return send(message('p', Buffer.from(scram.final(body.toString('utf8', 4)))));
        case 12:
          scram?.verify(body.toString('utf8', 4));
          return;
        default:
          throw new Error(`PostgreSQL asks for a sign-in this reader does not speak (method ${kind})`);
      }
    }

    /** One backend message; the payload is buf[start, end). */
    function handle(type: number, buf: Buffer, start: number, end: number) {
      switch (type) {
        case 0x64: // 'd' CopyData
          if (failure) return;
          try {
            onData(buf, start, end);
          } catch (err) {
            // Stop reading: the rest of the stream has no one to go to.
            failure = err as Error;
            finish(failure);
          }
          return;
        case 0x52: // 'R'
          return auth(buf.subarray(start, end));
        case 0x5a: // 'Z' ReadyForQuery
          if (!copying) {
            copying = true;
            send(message('Q', cstr(copyStatement)));
          } else finish(failure);
          return;
        case 0x45: // 'E'
          failure ??= new Error(`PostgreSQL refused the COPY: ${errorText(buf.subarray(start, end))}`);
          if (!copying) finish(failure);
          return;
        case 0x48: // 'H' CopyOutResponse
          clearTimeout(timer);
          return;
        default: // S ParameterStatus, K BackendKeyData, N notice, c CopyDone, C CommandComplete …
          return;
      }
    }

    socket.on('connect', () => {
      socket.setNoDelay(true);
      send(startup(target, opts.settings ?? {}));
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        let buf = chunk;
        if (pending) {
          buf = Buffer.concat([pending, chunk]);
          pending = null;
        }
        let at = 0;
        while (!settled && at + 5 <= buf.length) {
          const len = buf.readInt32BE(at + 1);
          if (at + 1 + len > buf.length) break;
          handle(buf[at], buf, at + 5, at + 1 + len);
          at += 1 + len;
        }
        if (at < buf.length) pending = Buffer.from(buf.subarray(at));
      } catch (err) {
        finish(err as Error);
      }
    });
    socket.on('error', (err) =>
      finish(new Error(`Cannot read from PostgreSQL at ${target.host}:${target.port}: ${err.message}`)),
    );
    socket.on('close', () => finish(failure ?? new Error('PostgreSQL closed the connection during a COPY')));
  });
}
