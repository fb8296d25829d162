import type { RedisClient } from '@photomaker/events';
import { metricsAccess } from '@photomaker/observability';
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { EventHub } from '../events/event-hub.ts';
import type { ApiMetrics } from '../metrics.ts';
import { temporalReachable } from '../temporal/temporal-client.ts';
import { takeEventLoopDelayMaxMs } from './event-loop-gauge.ts';

export interface OpsDeps {
  temporal: Client;
  redis: Pick<RedisClient, 'ping'>;
  hub: Pick<EventHub, 'stats'>;
  metrics: Pick<ApiMetrics, 'registry'>;
}

export interface OpsOptions {
  /** Bearer token /metrics requires; unset: /metrics is not served on this public port. */
  metricsToken: string | undefined;
}

/**
 * /healthz (process up, with the longest event-loop block since the last /healthz), /readyz (Temporal and Redis reachable), /metrics
 * (Prometheus, token-bound).
 */
export function opsRoutes(services: OpsDeps, options: OpsOptions): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', eventLoopDelayMaxMs: takeEventLoopDelayMaxMs() });
  });
  router.get('/readyz', async (_req, res) => {
    const [temporal, redis] = await Promise.all([
      temporalReachable(services.temporal),
      Promise.race([
        services.redis
          .ping()
          .then((reply) => reply === 'PONG')
          .catch(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_000).unref()),
      ]),
    ]);
    const ready = temporal && redis;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', temporal, redis });
  });
  router.get('/metrics', async (req, res) => {
    const access = metricsAccess(req.headers.authorization, options.metricsToken, false);
    if (!access.ok) {
      if (access.status === 401) res.setHeader('www-authenticate', 'Bearer realm="metrics"');
      res.status(access.status).json({ error: access.message });
      return;
    }
    const { subscribers, jobs } = services.hub.stats;
    res.setHeader('content-type', services.metrics.registry.contentType);
    res.send(
      `${await services.metrics.registry.metrics()}\n# HELP photomaker_api_hub_jobs Jobs the event hub reads for local subscribers\n# TYPE photomaker_api_hub_jobs gauge\nphotomaker_api_hub_jobs ${jobs}\n# HELP photomaker_api_hub_sinks Local event sinks (subscriptions + sync waits)\n# TYPE photomaker_api_hub_sinks gauge\nphotomaker_api_hub_sinks ${subscribers}\n`,
    );
  });
  return router;
}
