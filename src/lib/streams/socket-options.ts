// How every page opens its Socket.IO connection. WebSocket first: the default (HTTP long-polling, then an
// upgrade) costs a few requests before the first frame, and a snapshot sent before the upgrade travels
// base64-encoded. Where a proxy blocks WebSocket, tryAllTransports falls back to long-polling.
import type { ManagerOptions, SocketOptions } from 'socket.io-client';

export const SOCKET_OPTIONS: Partial<ManagerOptions & SocketOptions> = {
  autoConnect: false,
  transports: ['websocket', 'polling'],
  tryAllTransports: true,
};
