import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** Takes over one path's WebSocket upgrades (the handshake, or an HTTP refusal on the raw socket). */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** An HTTP refusal written on a socket that asked for an upgrade (no WebSocket is opened). */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * One `upgrade` listener for the whole server, dispatching by exact path. Several `ws` servers attached
 * to one HTTP server each answer every other path with 400 (that is how `/v1` upgrades used to fail);
 * here each path has one owner, and an unknown path is a 404.
 */
export function routeUpgrades(server: Server, routes: Readonly<Record<string, UpgradeHandler>>): void {
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://api').pathname;
    const handler = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (handler) handler(request, socket, head);
    else refuseUpgrade(socket, 404, 'Not Found');
  });
}
