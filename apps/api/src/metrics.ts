import {
  Counter,
  createMetricsRegistry,
  Gauge,
  Histogram,
  LATENCY_BUCKETS,
  type Registry,
  withClosedLabels,
} from '@photomaker/observability';
import {
  BOOLEANS,
  HTTP_METHODS,
  HTTP_ROUTES,
  httpStatus,
  INPUT_ERROR_CODES,
  OPERATION_NAMES,
  OPERATION_OUTCOMES,
  OPERATION_TYPES,
  RELOAD_OUTCOMES,
  SUBMIT_VIA,
  TASK_OUTCOMES,
  TASK_TYPES,
  TRANSPORTS,
} from './metric-labels.ts';

/** The API's Prometheus metrics (served at /metrics); every label takes values from a closed set. */
export function createApiMetrics() {
  const registry: Registry = createMetricsRegistry('api');
  return {
    registry,
    httpDuration: withClosedLabels(
      new Histogram({
        name: 'photomaker_api_http_request_duration_seconds',
        help: 'HTTP request duration by route and status',
        labelNames: ['method', 'route', 'status'] as const,
        buckets: LATENCY_BUCKETS,
        registers: [registry],
      }),
      { method: HTTP_METHODS, route: HTTP_ROUTES, status: httpStatus },
    ),
    graphqlOperations: withClosedLabels(
      new Counter({
        name: 'photomaker_api_graphql_operations_total',
        help: 'GraphQL operations by type, name and outcome',
        labelNames: ['transport', 'type', 'name', 'outcome'] as const,
        registers: [registry],
      }),
      { transport: TRANSPORTS, type: OPERATION_TYPES, name: OPERATION_NAMES, outcome: OPERATION_OUTCOMES },
    ),
    jobsStarted: withClosedLabels(
      new Counter({
        name: 'photomaker_api_jobs_started_total',
        help: 'Jobs started (created=false: idempotent replays)',
        labelNames: ['via', 'created'] as const,
        registers: [registry],
      }),
      { via: SUBMIT_VIA, created: BOOLEANS },
    ),
    inputRejected: withClosedLabels(
      new Counter({
        name: 'photomaker_api_input_rejected_total',
        help: 'Requests refused for bad input, by Runware code',
        labelNames: ['via', 'code'] as const,
        registers: [registry],
      }),
      { via: SUBMIT_VIA, code: INPUT_ERROR_CODES },
    ),
    tenantReloads: withClosedLabels(
      new Counter({
        name: 'photomaker_api_tenant_reloads_total',
        help: 'Reloads of the tenants file by outcome (rejected: the previous tenants stay in force)',
        labelNames: ['outcome'] as const,
        registers: [registry],
      }),
      { outcome: RELOAD_OUTCOMES },
    ),
    rateLimited: new Counter({
      name: 'photomaker_api_rate_limited_total',
      help: 'Requests refused by the per-key rate limit',
      registers: [registry],
    }),
    subscriptions: new Gauge({
      name: 'photomaker_api_active_subscriptions',
      help: 'Active jobEvents subscriptions on this process',
      registers: [registry],
    }),
    eventDelivery: new Histogram({
      name: 'photomaker_api_event_delivery_seconds',
      help: 'Age of a job event when the hub hands it to local subscribers (worker append -> fan-out)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
    v1Tasks: withClosedLabels(
      new Counter({
        name: 'photomaker_api_v1_tasks_total',
        help: '/v1 gateway tasks by taskType and outcome',
        labelNames: ['taskType', 'outcome'] as const,
        registers: [registry],
      }),
      { taskType: TASK_TYPES, outcome: TASK_OUTCOMES },
    ),
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
