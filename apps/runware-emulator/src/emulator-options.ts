import type { Logger } from '@photomaker/observability';
import type { LatencyModel, LatencyPreset } from './config/latency.ts';
import type { DeliveryPolicy } from './delivery/http-delivery.ts';
import type { FaultConfig, FaultConfigInput } from './faults/fault-config.ts';

/** What `createEmulator` accepts; a leaf module so the CLI can build options without the composition root. */
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
  /** How long a WS sync task may take before its socket gets `timeout` (the task keeps running); default 120 s. */
  wsSyncTimeoutMs?: number;
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
