// Socket.IO on the app's HTTP server: authenticates each connection with the session cookie, then
// wires the sensor feed, the live alarm feed and the hotline ticker.
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type {
  CaseFrame,
  ClientToServerEvents,
  ScoresChangedFrame,
  ServerToClientEvents,
  TicketFrame,
} from '../../src/lib/streams/contract';
import { alarmFeedRepository } from '../db/repositories/alarm-feed.repository';
import { can } from '../domain/roles';
import { SESSION_COOKIE } from '../http/session-cookie';
import { foreignHandshake } from './socket-origin';
import { DISPLAY_COOKIE } from '../http/display-access';
import { isDisplaySession } from '../services/display-token.service';
import type { SessionUser } from '../services/auth.service';
import type { App } from '../app';
import { AlarmFeed } from './alarm-feed';
import { SensorHub } from './sensor-hub';

interface SocketData {
  user: SessionUser;
}

/** What nodes tell each other through the adapter (besides the browsers' rooms). */
interface InterNodeEvents {
  /** These sensors' rule overrides changed: forget their cached rules. */
  'rules:invalidate': (codes: string[]) => void;
}

export type Io = Server<ClientToServerEvents, ServerToClientEvents, InterNodeEvents, SocketData>;

const TICKET_ROOM = 'tickets';
/** Everyone who sees all cases; staff join their department's room instead. */
const CASES_ROOM = 'cases:all';
const departmentRoom = (id: number) => `cases:dept:${id}`;
/** A wall display's sockets, on every node: a revocation disconnects the room cluster-wide. */
const displayRoom = (tokenId: number) => `display:${tokenId}`;
/** How often open wall-display sockets are checked against their tokens (a revocation on another node). */
const DISPLAY_RECHECK_MS = 30_000;

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

/** The Socket.IO server on `server` (its adapter may be replaced before attachRealtime). */
export function createIo(server: HttpServer, publicOrigin = process.env.ORIGIN): Io {
  return new Server(server, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    // A page of another site may not open a socket carrying a user's cookie (see socket-origin.ts).
    allowRequest: (req, callback) => {
      const why = foreignHandshake({ origin: req.headers.origin, host: req.headers.host }, publicOrigin);
      callback(why, why === null);
    },
  });
}

export interface Realtime {
  io: Io;
  hub: SensorHub;
  /** Alarm changes from the shared database, pushed to every subscribed browser of this node. */
  alarmFeed: AlarmFeed;
  publishTicket(t: TicketFrame): void;
  publishCase(c: CaseFrame): void;
  /** A scoring scheme version was stored: every open performance page reloads. */
  publishScores(f: ScoresChangedFrame): void;
  /**
   * This node is stopping: tells its browsers, then closes their connections (not a Socket.IO disconnect,
   * which would stop the client from reconnecting), so they reconnect through the balancer elsewhere.
   */
  drain(reconnectInMs: number): void;
  close(): Promise<void>;
}

export function attachRealtime(server: HttpServer, app: App, io?: Io): Realtime {
  io ??= createIo(server);
  const hub = new SensorHub(
    io,
    app.repos.sensorFeed,
    { pollMs: app.config.REALTIME_POLL_MS, resumeMaxChanges: app.config.RESUME_MAX_CHANGES },
    app.log,
  );
  const alarmFeed = new AlarmFeed(
    io,
    alarmFeedRepository(app.db),
    { pollMs: app.config.REALTIME_POLL_MS },
    app.log,
  );

  io.use((socket, next) => {
    const cookies = socket.request.headers.cookie;
    const token = readCookie(cookies, SESSION_COOKIE);
    app.auth
      .userForToken(token, new Date())
      // A wall display signs in with its display token (the same rule as the HTTP hook).
      .then((user) => user ?? app.displayTokens.sessionUser(readCookie(cookies, DISPLAY_COOKIE), new Date()))
      .then((user) => {
        if (!user) return next(new Error('unauthorized: sign in first'));
        socket.data.user = user;
        next();
      })
      .catch((err: Error) => next(new Error(`session check failed: ${err.message}`)));
  });

  io.on('connection', (socket) => {
    const user = socket.data.user;
    socket.emit('hello', {
      serverTime: new Date().toISOString(),
      user: { username: user.username, displayName: user.displayName, role: user.role },
    });
    if (isDisplaySession(user)) void socket.join(displayRoom(user.displayTokenId));
    if (can(user, 'tickets:view')) void socket.join(TICKET_ROOM);
    if (user.role === 'staff') {
      if (user.departmentId !== null) void socket.join(departmentRoom(user.departmentId));
    } else if (can(user, 'cases:view') || can(user, 'wall:view')) void socket.join(CASES_ROOM);
    socket.on('sensors:subscribe', (req, ack) => {
      if (typeof ack !== 'function') return;
      if (!can(user, 'map:view')) return ack({ ok: false, error: 'forbidden' });
      void hub.subscribe(socket, req ?? {}, ack);
    });
    socket.on('alarms:subscribe', (ack) => {
      if (typeof ack !== 'function') return;
      if (!can(user, 'map:view')) return ack({ ok: false, error: 'forbidden' });
      void alarmFeed.subscribe(socket, ack);
    });
    socket.on('sensors:viewport', (req, ack) => {
      void hub.viewport(socket, req?.bbox ?? null).then(() => {
        if (typeof ack === 'function') ack();
      });
    });
    socket.on('disconnect', () => hub.forget(socket.id));
  });

  // A revoked display token ends its sockets on every node (through the adapter); the periodic recheck
  // below catches a revocation whose notice was lost (a node restarting at that moment).
  const endDisplay = (tokenId: number) => io.in(displayRoom(tokenId)).disconnectSockets(true);
  app.events.on('displayRevoked', endDisplay);
  // Rule overrides changed through another node: this node's ingest forgets those sensors' rules too.
  const clustered = app.node.adapter !== 'none';
  const shareRules = (codes: string[]) => {
    if (clustered) io.serverSideEmit('rules:invalidate', codes);
  };
  app.events.on('rulesChanged', shareRules);
  io.on('rules:invalidate', (codes) => {
    if (!Array.isArray(codes)) return;
    const list = codes.filter((c) => typeof c === 'string');
    app.ingest.sensors.invalidate(list);
    app.log.info('sensor rules changed on another node: cache forgotten', { sensors: list.length });
  });
  const recheck = setInterval(() => {
    const ids = new Set<number>();
    for (const s of io.of('/').sockets.values())
      if (isDisplaySession(s.data.user)) ids.add(s.data.user.displayTokenId);
    if (ids.size === 0) return;
    app.displayTokens
      .usable([...ids], new Date())
      .then((ok) => ids.forEach((id) => ok.has(id) || io.local.in(displayRoom(id)).disconnectSockets(true)))
      .catch((err: Error) => app.log.warn('display token recheck failed', { error: err.message }));
  }, DISPLAY_RECHECK_MS);
  recheck.unref();

  hub.start();
  alarmFeed.start();
  return {
    io,
    hub,
    alarmFeed,
    publishTicket: (t) => io.to(TICKET_ROOM).emit('hotline:ticket', t),
    publishCase: (c) => {
      const rooms = c.departmentId === null ? [CASES_ROOM] : [CASES_ROOM, departmentRoom(c.departmentId)];
      io.to(rooms).emit('cases:changed', c);
    },
    publishScores: (f) => io.emit('scores:changed', f),
    drain(reconnectInMs) {
      io.local.emit('server:draining', { reconnectInMs });
      for (const s of io.of('/').sockets.values()) s.conn.close();
    },
    async close() {
      clearInterval(recheck);
      app.events.off('displayRevoked', endDisplay);
      app.events.off('rulesChanged', shareRules);
      await hub.stop();
      await alarmFeed.stop();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}
