import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsAccess, type Registry } from '@photomaker/observability';
import { request } from 'undici';

export interface HttpServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** When set, /metrics needs `Authorization: Bearer <token>`; unset, it is open (this port is private). */
  metricsToken?: string | undefined;
  /** Temporal SDK core metrics (Prometheus text), appended to /metrics when set. */
  coreMetricsUrl?: string | undefined;
  /** /healthz: 200 while this returns ok. */
  health: () => { ok: boolean; details: Record<string, unknown> };
  /** Handles /codec/* (returns false for other paths). */
  codec: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

export interface RunningHttpServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

async function coreMetrics(url: string): Promise<string> {
  try {
    const response = await request(url, { headersTimeout: 2_000, bodyTimeout: 2_000 });
    const text = await response.body.text();
    return response.statusCode === 200 ? text : '';
  } catch {
    return '';
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** /metrics: ours and Temporal core's, behind PHOTOMAKER_METRICS_TOKEN when it is set. */
async function serveMetrics(options: HttpServerOptions, req: IncomingMessage, res: ServerResponse) {
  const access = metricsAccess(req.headers.authorization, options.metricsToken, true);
  if (!access.ok) {
    sendJson(res, access.status, { error: access.message }, { 'www-authenticate': 'Bearer realm="metrics"' });
    return;
  }
  const [own, core] = await Promise.all([
    options.registry.metrics(),
    options.coreMetricsUrl ? coreMetrics(options.coreMetricsUrl) : Promise.resolve(''),
  ]);
  res.writeHead(200, { 'content-type': options.registry.contentType });
  res.end(core ? `${own}\n${core}` : own);
}

async function route(options: HttpServerOptions, req: IncomingMessage, res: ServerResponse) {
  const path = (req.url ?? '/').split('?')[0];
  if (await options.codec(req, res)) return;
  if (req.method === 'GET' && path === '/metrics') return serveMetrics(options, req, res);
  if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) {
    const { ok, details } = options.health();
    return sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', ...details });
  }
  sendJson(res, 404, { error: 'not found: try /metrics, /healthz, /codec/decode, /codec/encode' });
}

/** The worker's HTTP side: /metrics (ours + Temporal core), /healthz, /codec/{decode,encode}. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const server = createServer((req, res) => {
    route(options, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: error instanceof Error ? error.message : 'internal error' }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
