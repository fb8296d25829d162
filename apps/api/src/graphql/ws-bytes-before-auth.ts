import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';

/**
 * A cap on the bytes a WebSocket may send before it has authenticated. `maxPayload` is per server and
 * must allow an authenticated client's large mutation, so without this a socket without a key could have
 * `ws` buffer a 48 MiB `connection_init` frame. The raw socket's bytes are counted until the key is
 * proven; past the cap the socket is dropped (close 1009 is not sent: the peer is not waiting for it).
 */
export function capBytesBeforeAuth(
  wsServer: WebSocketServer,
  limitBytes: number,
): { authenticated(socket: WebSocket): void } {
  const counters = new WeakMap<WebSocket, () => void>();
  wsServer.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    let seen = 0;
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limitBytes) socket.terminate();
    };
    request.socket.on('data', onData);
    counters.set(socket, () => request.socket.removeListener('data', onData));
  });
  return {
    authenticated(socket) {
      counters.get(socket)?.();
      counters.delete(socket);
    },
  };
}
