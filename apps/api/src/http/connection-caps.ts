import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { addressKey } from '../auth/address-limits.ts';

/**
 * Caps on open connections (HTTP keep-alive and WebSocket alike): in total through Node's own
 * `server.maxConnections` (sockets beyond it are dropped on accept), and per client address by counting
 * sockets on 'connection' and destroying the one over the cap before a byte is parsed.
 */
export function capConnections(
  server: Server,
  caps: { total: number; perAddress: number; onRefused?: (reason: 'per-address') => void },
): { open(address: string): number } {
  if (caps.total > 0) server.maxConnections = caps.total;
  const open = new Map<string, number>();
  if (caps.perAddress > 0) {
    server.on('connection', (socket: Socket) => {
      const address = addressKey(socket.remoteAddress);
      const count = (open.get(address) ?? 0) + 1;
      if (count > caps.perAddress) {
        caps.onRefused?.('per-address');
        socket.destroy();
        return;
      }
      open.set(address, count);
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left <= 0) open.delete(address);
        else open.set(address, left);
      });
    });
  }
  return { open: (address) => open.get(addressKey(address)) ?? 0 };
}
