import type { IncomingMessage } from 'node:http';
import type { RedisClient } from '@photomaker/events';
import type { Registry } from '@photomaker/observability';
import { type WebSocket, WebSocketServer } from 'ws';
import { addressKey } from '../../auth/address-limits.ts';
import type { AdmissionGate } from '../../auth/admission.ts';
import { capBytesBeforeAuth } from '../../graphql/ws-bytes-before-auth.ts';
import { refuseUpgrade, type UpgradeHandler } from '../../http/upgrade-routes.ts';
import type { FollowJob } from '../../jobs/follow-job.ts';
import { V1Results } from '../v1/results.ts';
import { type V1TaskDeps, V1Tasks } from '../v1/tasks.ts';
import { Connection } from './connection.ts';
import { SessionStore } from './sessions.ts';
import type { V1SocketLimits } from './socket-env.ts';
import { SocketCounts } from './socket-limits.ts';
import { createV1SocketMetrics } from './socket-metrics.ts';

/** How long a shutdown waits for sockets to close and sessions to be handed back. */
const SHUTDOWN_WAIT_MS = 2_000;

export interface V1SocketDeps extends Omit<V1TaskDeps, 'syncWaitMs' | 'maxTasks' | 'uploads'> {
  admission: Pick<AdmissionGate, 'authenticate' | 'charge'>;
  follow: Pick<FollowJob, 'follow'>;
  /** Sessions, and the imageUpload taskUUIDs REST shares. */
  redis: RedisClient;
  registry: Registry;
  socket: V1SocketLimits;
  /** The REST gateway's bounds a frame shares: bytes of one frame, tasks of one frame, sync wait. */
  limits: { bodyBytes: number; v1Tasks: number; syncWaitMs: number };
  /** Before the key: bytes a socket may send, and how long it has to authenticate. */
  edge: { anonymousBodyBytes: number; wsAuthTimeoutMs: number };
}

/**
 * Runware's WebSocket protocol on /v1 (same port and path as the REST gateway): a thin adapter over the
 * same task dispatch (V1Tasks) and job core as REST and GraphQL. Bounded before the key (bytes, time,
 * sockets per address) and after (frame bytes, frames per second, tasks per frame, pending sync tasks,
 * sockets per key). `close()` (shutdown) closes every socket with 1012, on which clients reconnect and
 * resume their sessions on another replica.
 */
export function attachV1Socket(deps: V1SocketDeps): { upgrade: UpgradeHandler; close(): Promise<void> } {
  const metrics = createV1SocketMetrics(deps.registry);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: deps.limits.bodyBytes,
    perMessageDeflate: false,
  });
  const preAuth = capBytesBeforeAuth(wss, deps.edge.anonymousBodyBytes);
  const perIp = new SocketCounts(deps.socket.maxSocketsPerIp);
  const tasks = new V1Tasks({
    ...deps,
    uploads: deps.redis,
    syncWaitMs: deps.limits.syncWaitMs,
    maxTasks: deps.limits.v1Tasks,
  });
  const connections = new Set<Connection>();
  const connectionDeps = {
    admission: deps.admission,
    tasks,
    sessions: new SessionStore(deps.redis, { resumeMs: deps.socket.resumeMs }),
    attached: new Map<string, Connection>(),
    perKey: new SocketCounts(deps.socket.maxSocketsPerKey),
    push: {
      follow: deps.follow,
      results: new V1Results(deps),
      logger: deps.logger,
      onPushed: (count: number) => metrics.pushed.inc(count),
    },
    metrics,
    logger: deps.logger,
    limits: {
      ...deps.socket,
      authTimeoutMs: deps.edge.wsAuthTimeoutMs,
      maxTasks: deps.limits.v1Tasks,
    },
    authenticated: (socket: WebSocket) => preAuth.authenticated(socket),
  };
  let closing = false;

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const ip = request.socket.remoteAddress;
    const connection = new Connection(socket, ip, connectionDeps, dryRunRequested(request.url));
    connections.add(connection);
    metrics.sockets.inc();
    socket.on('close', () => {
      connections.delete(connection);
      metrics.sockets.dec();
    });
    connection.start();
  });

  return {
    upgrade(request, socket, head) {
      const address = addressKey(request.socket.remoteAddress);
      if (closing) return refuseUpgrade(socket, 503, 'Service Unavailable');
      if (!perIp.take(address)) return refuseUpgrade(socket, 429, 'Too Many Requests');
      // The raw socket closes after a refused handshake and after the WebSocket's end alike.
      socket.once('close', () => perIp.release(address));
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
    },
    async close() {
      closing = true;
      const open = [...connections];
      for (const connection of open) connection.close('shutdown');
      // Sessions are handed back to Redis (for a resume elsewhere) before the process lets Redis go;
      // a client that never answers the close is not waited for past the bound.
      const ended = Promise.all(open.map((connection) => connection.ended()));
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref())]);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** `?dryRun=1` on the socket's URL (Runware's legacy sdk-js dry-run mode). */
function dryRunRequested(url: string | undefined): boolean {
  const value = new URL(url ?? '/', 'http://api').searchParams.get('dryRun')?.toLowerCase();
  return value === '1' || value === 'true';
}
