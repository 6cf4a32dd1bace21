// Live case notices for the console and the case page: one Socket.IO connection that calls back on every
// `cases:changed` frame the server sends this user (staff get their own unit's only).
import { io, type Socket } from 'socket.io-client';
import type { CaseFrame, ClientToServerEvents, ServerToClientEvents } from './contract';

export interface CaseStream {
  /** True while connected. */
  readonly connected: boolean;
  stop(): void;
}

/** Starts listening; call in the browser (onMount) and stop() on destroy. */
export function watchCases(
  onChange: (frame: CaseFrame) => void,
  onStatus?: (connected: boolean) => void,
): CaseStream {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ autoConnect: false });
  socket.on('cases:changed', onChange);
  socket.on('connect', () => onStatus?.(true));
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
