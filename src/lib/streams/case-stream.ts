// Live case notices for the console and the case page: one Socket.IO connection that calls back on every
// `cases:changed` frame the server sends this user (staff get their own unit's only); and scheme changes
// for the performance page.
import { io, type Socket } from 'socket.io-client';
import { SOCKET_OPTIONS } from './socket-options';
import type { CaseFrame, ClientToServerEvents, ScoresChangedFrame, ServerToClientEvents } from './contract';

export interface CaseStream {
  /** True while connected. */
  readonly connected: boolean;
  stop(): void;
}

/**
 * Starts listening; call in the browser (onMount) and stop() on destroy. `onReconnect` runs on every
 * connection after the first: frames sent while the page was away (its node stopped, the network dropped)
 * are gone, so the page reads again what it shows.
 */
export function watchCases(
  onChange: (frame: CaseFrame) => void,
  onStatus?: (connected: boolean) => void,
  onReconnect?: () => void,
): CaseStream {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(SOCKET_OPTIONS);
  let connectedBefore = false;
  socket.on('cases:changed', onChange);
  socket.on('connect', () => {
    onStatus?.(true);
    if (connectedBefore) onReconnect?.();
    connectedBefore = true;
  });
  socket.on('disconnect', () => onStatus?.(false));
  socket.connect();
  return {
    get connected() {
      return socket.connected;
    },
    stop() {
      socket.removeAllListeners();
      socket.disconnect();
    },
  };
}

/**
 * Calls back when a scoring scheme version is stored on any node (rankings then change). Call in the
 * browser; stop() on destroy.
 */
export function watchScores(onChange: (frame: ScoresChangedFrame) => void): { stop(): void } {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(SOCKET_OPTIONS);
  socket.on('scores:changed', onChange);
  socket.connect();
  return {
    stop() {
      socket.removeAllListeners();
      socket.disconnect();
    },
  };
}
