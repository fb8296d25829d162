import type { EmulatorContext } from './context.ts';
import { createContext, resetState } from './create-context.ts';
import type { EmulatorOptions } from './emulator-options.ts';
import { inspect, registerAdminRoutes } from './http/admin-routes.ts';
import { createHttpApp } from './http/http-app.ts';
import { registerImageRoutes } from './http/image-routes.ts';
import { registerRestRoute } from './http/rest-route.ts';
import { Sessions } from './ws/sessions.ts';
import { attachWebSocket } from './ws/ws-server.ts';

export { DEV_API_KEY } from './auth.ts';
export { LATENCY_PRESETS, type LatencyModel, type LatencyPreset } from './config/latency.ts';
export type { EmulatorOptions } from './emulator-options.ts';
export type { FaultConfig, FaultConfigInput } from './faults/fault-config.ts';

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
const DEFAULT_PORT = 8787;

/** The host part of this emulator's own URLs: a wildcard bind is reached on loopback, IPv6 in brackets. */
function urlHostOf(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Builds and starts an emulator; resolves once it listens. */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  let publicUrl = options.publicUrl ?? '';
  const ctx = createContext(options, () => publicUrl);
  const sessions = new Sessions(options.sessionBufferMs ?? 120_000);

  const app = createHttpApp(ctx.logger, maxBodyBytes);
  registerRestRoute(app, ctx);
  registerImageRoutes(app, ctx);
  registerAdminRoutes(app, ctx, { sessions, reset: () => resetState(ctx) });
  const wss = attachWebSocket(app.server, ctx, sessions, {
    idleTimeoutMs: options.idleTimeoutMs ?? 120_000,
    maxPayloadBytes: maxBodyBytes,
  });

  await app.listen({ host, port: options.port ?? DEFAULT_PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_PORT);
  const urlHost = urlHostOf(host);
  const url = `http://${urlHost}:${port}`;
  publicUrl = (publicUrl || url).replace(/\/+$/, '');

  const sweeper = setInterval(() => {
    ctx.images.sweep();
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
