import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST a webhook receiver got. */
export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A webhook receiver on loopback (a free port): every request's headers and body, in arrival order.
 * The URL guard refuses loopback unless the API is told to allow it (PHOTOMAKER_ALLOW_PRIVATE_URLS).
 */
export async function startHookReceiver(): Promise<{
  url: string;
  hooks: ReceivedHook[];
  close: () => void;
}> {
  const hooks: ReceivedHook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      hooks.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    hooks,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
