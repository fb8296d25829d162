import { integer } from '@photomaker/env';
import { z } from 'zod';

const limit = (fallback: number, description: string) =>
  integer(0).prefault(String(fallback)).describe(description);

/**
 * The /v1 WebSocket's own bounds (README "Runware-compatible gateway"). The bytes a socket may send
 * before its key, its auth deadline, the bytes of one frame and the tasks of one frame are the edge's and
 * the REST gateway's (PHOTOMAKER_ANONYMOUS_BODY_BYTES, PHOTOMAKER_WS_AUTH_TIMEOUT_MS,
 * PHOTOMAKER_MAX_BODY_BYTES, PHOTOMAKER_MAX_V1_TASKS).
 */
export const v1SocketEnv = z.object({
  PHOTOMAKER_V1_WS_IDLE_MS: limit(
    120_000,
    'A /v1 WebSocket that sends nothing (not even a ping) for this long is closed (ms; Runware: 120 s)',
  ),
  PHOTOMAKER_V1_WS_RESUME_MS: limit(
    120_000,
    'How long a /v1 WebSocket session (`connectionSessionUUID`) waits for a resume after its socket closed (ms)',
  ),
  PHOTOMAKER_V1_WS_FRAMES_PER_SECOND: limit(
    20,
    'Frames one /v1 WebSocket may send per second (burst: as many)',
  ),
  PHOTOMAKER_V1_WS_MAX_PENDING_TASKS: limit(
    64,
    'Sync tasks one /v1 WebSocket session may have waiting for pushed results',
  ),
  PHOTOMAKER_V1_WS_MAX_SOCKETS_PER_KEY: limit(
    32,
    'Open /v1 WebSockets per API key (per API process); 0: no cap',
  ),
  PHOTOMAKER_V1_WS_MAX_SOCKETS_PER_IP: limit(
    64,
    'Open /v1 WebSockets per client address (per API process); 0: no cap',
  ),
});

/** The parsed bounds of the /v1 WebSocket. */
export interface V1SocketLimits {
  idleMs: number;
  resumeMs: number;
  framesPerSecond: number;
  maxPendingTasks: number;
  maxSocketsPerKey: number;
  maxSocketsPerIp: number;
}

export function v1SocketLimitsOf(e: z.output<typeof v1SocketEnv>): V1SocketLimits {
  return {
    idleMs: e.PHOTOMAKER_V1_WS_IDLE_MS,
    resumeMs: e.PHOTOMAKER_V1_WS_RESUME_MS,
    framesPerSecond: e.PHOTOMAKER_V1_WS_FRAMES_PER_SECOND,
    maxPendingTasks: e.PHOTOMAKER_V1_WS_MAX_PENDING_TASKS,
    maxSocketsPerKey: e.PHOTOMAKER_V1_WS_MAX_SOCKETS_PER_KEY,
    maxSocketsPerIp: e.PHOTOMAKER_V1_WS_MAX_SOCKETS_PER_IP,
  };
}
