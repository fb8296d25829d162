import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { EmulatorContext } from '../context.ts';
import { Connection, type ConnectionOptions } from './connection.ts';
import type { Sessions } from './sessions.ts';

/** WebSocket on the same port as REST, at /v1 (query strings such as ?sdk=js&version=… are ignored). */
export function attachWebSocket(
  server: Server,
  ctx: EmulatorContext,
  sessions: Sessions,
  options: ConnectionOptions & { maxPayloadBytes: number },
): WebSocketServer {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes,
    perMessageDeflate: false,
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://emulator').pathname.replace(/\/+$/, '');
    if (path !== '/v1') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      new Connection(ws, ctx, sessions, options).start();
    });
  });
  return wss;
}
