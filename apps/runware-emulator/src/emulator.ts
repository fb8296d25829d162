import { availableParallelism } from 'node:os';
import { createLogger, type Logger } from '@photomaker/observability';
import Fastify, { type FastifyError } from 'fastify';
import { DEV_API_KEY, KeyRing } from './auth.ts';
import { type LatencyModel, type LatencyPreset, resolveLatency } from './config/latency.ts';
import type { EmulatorContext } from './context.ts';
import type { DeliveryPolicy } from './delivery/http-delivery.ts';
import { Webhooks } from './delivery/webhooks.ts';
import { type FaultConfig, type FaultConfigInput, parseFaultConfig } from './faults/fault-config.ts';
import { FaultInjector } from './faults/fault-injector.ts';
import { GenerationRunner } from './generation/generation-runner.ts';
import { ReferenceCache } from './generation/reference-cache.ts';
import { Renderer } from './generation/renderer.ts';
import { Semaphore } from './generation/semaphore.ts';
import { inspect, registerAdminRoutes } from './http/admin-routes.ts';
import { registerImageRoutes } from './http/image-routes.ts';
import { registerRestRoute } from './http/rest-route.ts';
import { ImageStore } from './images/image-store.ts';
import { InputImages } from './images/input-images.ts';
import { Capacity } from './state/capacity.ts';
import { Ledger } from './state/ledger.ts';
import { TaskRegistry } from './state/task-registry.ts';
import { Sessions } from './ws/sessions.ts';
import { attachWebSocket } from './ws/ws-server.ts';

export { DEV_API_KEY } from './auth.ts';
export { LATENCY_PRESETS, type LatencyModel, type LatencyPreset } from './config/latency.ts';
export type { FaultConfig, FaultConfigInput } from './faults/fault-config.ts';

export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Base of the image URLs handed out; default http://<host>:<port>. */
  publicUrl?: string;
  /** Accepted API keys; default [DEV_API_KEY]. */
  apiKeys?: readonly string[];
  /** Account balance in USD; default 1000. */
  balance?: number;
  /** A preset or explicit knobs; default `none` (tests). The CLI defaults to `realistic`. */
  latency?: LatencyPreset | Partial<LatencyModel>;
  /** Concurrent generations per key before 429/503; default 32, refused with 429. */
  capacity?: { maxConcurrentPerKey?: number; status?: 429 | 503 };
  faults?: FaultConfigInput | FaultConfig;
  /** WebSocket: close sockets silent this long (default 120 s); keep undelivered frames this long (120 s). */
  idleTimeoutMs?: number;
  sessionBufferMs?: number;
  /** Webhook POST / uploadEndpoint PUT retries; default 5 attempts, 200 ms .. 5 s backoff, 10 s timeout. */
  delivery?: Partial<DeliveryPolicy>;
  /** Lifetime of image URLs when the task has no `ttl`; default 86400 s. */
  defaultTtlSeconds?: number;
  /** How long a REST sync request waits before answering `timeout` (the task keeps running); default 300 s. */
  syncTimeoutMs?: number;
  /** Largest request body / WS frame; default 64 MiB. */
  maxBodyBytes?: number;
  /** Largest input image fetched from a URL; default 20 MiB. */
  maxInputImageBytes?: number;
  /** Memory for stored images; default 1 GiB (oldest evicted first). */
  imageStoreBytes?: number;
  /** Renders at once; default the number of CPUs. */
  renderConcurrency?: number;
  logger?: Logger;
  /** Clock for image expiry (tests); default Date.now. */
  now?: () => number;
}

export interface Emulator {
  /** http://127.0.0.1:<port> */
  url: string;
  /** http://127.0.0.1:<port>/v1 (REST) and ws://127.0.0.1:<port>/v1 (WebSocket). */
  restUrl: string;
  wsUrl: string;
  host: string;
  port: number;
  context: EmulatorContext;
  /** The same view as GET /admin/inspect. */
  inspect(): Record<string, unknown>;
  close(): Promise<void>;
}

const SWEEP_MS = 60_000;
const TASK_RETENTION_MS = 24 * 60 * 60 * 1000;
const UPLOAD_TTL_SECONDS = 30 * 24 * 60 * 60;

/** Builds and starts an emulator; resolves once it listens. */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? createLogger({ service: 'runware-emulator' });
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const images = new ImageStore(options.imageStoreBytes ?? 1024 * 1024 * 1024, options.now);
  const references = new ReferenceCache();
  const ledger = new Ledger(options.balance ?? 1000);
  const capacity = new Capacity(options.capacity?.maxConcurrentPerKey ?? 32);
  const faults = new FaultInjector(parseFaultConfig(options.faults ?? {}));
  const delivery: DeliveryPolicy = {
    attempts: 5,
    minDelayMs: 200,
    maxDelayMs: 5_000,
    timeoutMs: 10_000,
    ...options.delivery,
  };
  const webhooks = new Webhooks(delivery, logger);
  let publicUrl = options.publicUrl ?? '';
  const runner = new GenerationRunner({
    renderer: new Renderer(references),
    renderSlots: new Semaphore(options.renderConcurrency ?? availableParallelism()),
    images,
    ledger,
    capacity,
    webhooks,
    uploadPolicy: delivery,
    logger,
    publicUrl: () => publicUrl,
    defaultTtlSeconds: options.defaultTtlSeconds ?? 86_400,
  });
  const ctx: EmulatorContext = {
    logger,
    keys: new KeyRing(options.apiKeys && options.apiKeys.length > 0 ? options.apiKeys : [DEV_API_KEY]),
    tasks: new TaskRegistry(),
    ledger,
    capacity,
    capacityStatus: options.capacity?.status ?? 429,
    faults,
    images,
    inputs: new InputImages(images, {
      uploadTtlSeconds: UPLOAD_TTL_SECONDS,
      fetchTimeoutMs: 15_000,
      maxBytes: options.maxInputImageBytes ?? 20 * 1024 * 1024,
    }),
    references,
    runner,
    webhooks,
    latency: resolveLatency(options.latency),
    syncTimeoutMs: options.syncTimeoutMs ?? 300_000,
    publicUrl: () => publicUrl,
  };
  const sessions = new Sessions(options.sessionBufferMs ?? 120_000);

  const app = Fastify({ logger: false, bodyLimit: maxBodyBytes, forceCloseConnections: true });
  app.removeAllContentTypeParsers();
  // /v1 bodies stay text: they are parsed losslessly (seeds up to 2^63-1). Admin bodies are plain JSON.
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    if (request.url.startsWith('/v1')) return done(null, body);
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      const error = new Error('the body is not valid JSON') as FastifyError;
      error.statusCode = 400;
      done(error, undefined);
    }
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) logger.error({ err: error, url: request.url }, 'request failed');
    if (request.url.startsWith('/v1')) {
      const code =
        status === 413 ? 'payloadTooLarge' : status >= 500 ? 'internalServerError' : 'invalidRequestBody';
      return reply.code(status).send({ errors: [{ code, message: error.message }] });
    }
    return reply
      .code(status)
      .send({ error: status >= 500 ? 'internal' : 'badRequest', message: error.message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: 'notFound', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
  app.get('/health', async () => ({ ok: true }));
  registerRestRoute(app, ctx);
  registerImageRoutes(app, ctx);
  const reset = () => {
    ctx.tasks.clear();
    ledger.reset();
    capacity.clear();
    faults.reset();
    images.clear();
    references.clear();
  };
  registerAdminRoutes(app, ctx, { sessions, reset });
  const wss = attachWebSocket(app.server, ctx, sessions, {
    idleTimeoutMs: options.idleTimeoutMs ?? 120_000,
    maxPayloadBytes: maxBodyBytes,
  });

  await app.listen({ host, port: options.port ?? 8787 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 8787);
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  if (!publicUrl) publicUrl = url;
  publicUrl = publicUrl.replace(/\/+$/, '');

  const sweeper = setInterval(() => {
    images.sweep();
    ctx.tasks.sweep(TASK_RETENTION_MS);
  }, SWEEP_MS);
  sweeper.unref();

  let closing: Promise<void> | undefined;
  return {
    url,
    restUrl: `${url}/v1`,
    wsUrl: `ws://${urlHost}:${port}/v1`,
    host,
    port,
    context: ctx,
    inspect: () => inspect(ctx, sessions),
    close: () => {
      closing ??= (async () => {
        clearInterval(sweeper);
        ctx.tasks.clear();
        sessions.clear();
        for (const client of wss.clients) client.terminate();
        wss.close();
        await app.close();
      })();
      return closing;
    },
  };
}
