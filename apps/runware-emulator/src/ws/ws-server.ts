import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { EmulatorContext } from '../context.ts';
import { Connection, type ConnectionOptions } from './connection.ts';
import type { Sessions } from './sessions.ts';

/**
 * WebSocket on the same port as REST, at /v1. Of the query string (`?sdk=js&version=…`) only `dryRun=1`
 * counts (legacy sdk-js's dry-run mode): every task on that socket is validated and priced, never run.
 */
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
    const url = new URL(request.url ?? '/', 'http://emulator');
    const path = url.pathname.replace(/\/+$/, '');
    const dryRun = ['1', 'true'].includes(url.searchParams.get('dryRun')?.toLowerCase() ?? '');
    if (path !== '/v1') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      new Connection(ws, ctx, sessions, { ...options, dryRun }).start();
    });
  });
  return wss;
}
