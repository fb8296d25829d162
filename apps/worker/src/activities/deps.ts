import type { BlobStore } from '@photomaker/blobstore';
import type { JobEventLog, RedisClient } from '@photomaker/events';
import type { Logger } from '@photomaker/observability';
import type { RunwareClient } from '@photomaker/runware';
import type { UrlGuard } from '@photomaker/url-guard';
import type { Dispatcher } from 'undici';
import type { SigningSecrets } from '../delivery/signed-delivery.ts';
import type { WorkerMetrics } from '../metrics.ts';
import type { RunwareSocketLink } from '../runware-socket-link.ts';

export interface ActivitySettings {
  /** Base of absolute image links in webhook bodies (the API), e.g. http://127.0.0.1:4000. */
  publicUrl: string;
  /** Signs /images/... links (same secret as the API). */
  urlSecret: string;
  /** Lifetime of those links. */
  imageUrlTtlSeconds: number;
  /** Each tenant's webhook signing secrets (Standard Webhooks `webhook-signature`). */
  webhookSecrets: SigningSecrets;
  /** Jobs with at most this many images use sync delivery (one request, no polling). */
  syncMaxResults: number;
  /** Runware tasks of one multi-image job in flight at once (one task per image). */
  tasksInFlightPerJob: number;
  /** How long a cancelled job still collects the images Runware already runs (they are paid). */
  cancelDrainMs: number;
  /** Ask Runware for every image's cost, whatever the job asked: usage reports need it. */
  includeCost?: boolean;
  /** getResponse cadence: first wait, growth factor, cap. */
  poll: { initialMs: number; factor: number; maxMs: number };
  /** How long a Runware imageUUID is reused for the same reference bytes (Runware keeps 30 days). */
  referenceCacheTtlSeconds: number;
  /** Largest output image downloaded from Runware. */
  maxImageBytes: number;
  /**
   * Admission slots are asked for with an update (answered with the grant when a slot is free); false:
   * with a signal only (WORKER_ADMISSION_UPDATE). Unset: true.
   */
  admissionUpdate?: boolean;
}

/** What activities talk to; one set per worker process (pooled connections). */
export interface ActivityDeps {
  runware: RunwareClient;
  /** RUNWARE_TRANSPORT=websocket: the process's Runware WebSocket session (image results pushed). */
  runwareSocket?: RunwareSocketLink | undefined;
  redis: RedisClient;
  events: JobEventLog;
  blobs: BlobStore;
  /** Pool for downloading Runware outputs. */
  downloads: Dispatcher;
  /** SSRF guard for webhookURL / uploadEndpoint (its dispatcher pins checked addresses). */
  urlGuard: UrlGuard;
  deliveries: Dispatcher;
  metrics: WorkerMetrics;
  logger: Logger;
  settings: ActivitySettings;
}
