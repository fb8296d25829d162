import { Counter, Gauge, type Registry, withClosedLabels } from '@photomaker/observability';

/** Why the server closed a /v1 WebSocket (the close metric's closed label set). */
export const CLOSE_REASONS = [
  'auth',
  'auth-timeout',
  'idle',
  'limit',
  'slow-reader',
  'shutdown',
  'resumed',
  'error',
] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** What became of a frame a client sent (after authentication). */
export const FRAME_OUTCOMES = ['ok', 'invalid', 'rate-limited', 'refused'] as const;

/**
 * The /v1 WebSocket's metrics, in the API's registry. No label carries a key, a tenant or a session:
 * only closed sets. Its tasks count in `photomaker_api_v1_tasks_total` like REST's.
 */
export function createV1SocketMetrics(registry: Registry) {
  return {
    sockets: new Gauge({
      name: 'photomaker_api_v1_ws_sockets',
      help: 'Open /v1 WebSockets on this process (authenticated or not)',
      registers: [registry],
    }),
    sessions: withClosedLabels(
      new Counter({
        name: 'photomaker_api_v1_ws_sessions_total',
        help: '/v1 WebSocket authentications by whether they resumed a session',
        labelNames: ['resumed'] as const,
        registers: [registry],
      }),
      { resumed: ['true', 'false'] },
    ),
    frames: withClosedLabels(
      new Counter({
        name: 'photomaker_api_v1_ws_frames_total',
        help: 'Frames received on authenticated /v1 WebSockets by outcome',
        labelNames: ['outcome'] as const,
        registers: [registry],
      }),
      { outcome: [...FRAME_OUTCOMES] },
    ),
    pushed: new Counter({
      name: 'photomaker_api_v1_ws_results_pushed_total',
      help: 'Results (images and task errors) pushed to /v1 WebSockets, replays included',
      registers: [registry],
    }),
    closed: withClosedLabels(
      new Counter({
        name: 'photomaker_api_v1_ws_closed_total',
        help: '/v1 WebSockets the server closed, by reason',
        labelNames: ['reason'] as const,
        registers: [registry],
      }),
      { reason: [...CLOSE_REASONS] },
    ),
  };
}

export type V1SocketMetrics = ReturnType<typeof createV1SocketMetrics>;
