import type { Logger } from '@photomaker/observability';
import type { KeyRing } from './auth.ts';
import type { LatencyModel } from './config/latency.ts';
import type { Webhooks } from './delivery/webhooks.ts';
import type { FaultInjector } from './faults/fault-injector.ts';
import type { GenerationRunner } from './generation/generation-runner.ts';
import type { ReferenceCache } from './generation/reference-cache.ts';
import type { ImageStore } from './images/image-store.ts';
import type { InputImages } from './images/input-images.ts';
import type { Capacity } from './state/capacity.ts';
import type { Ledger } from './state/ledger.ts';
import type { TaskRegistry } from './state/task-registry.ts';
import type { UsageBook } from './state/usage-book.ts';

/** Everything a request handler needs; one per emulator instance. */
export interface EmulatorContext {
  logger: Logger;
  keys: KeyRing;
  tasks: TaskRegistry;
  ledger: Ledger;
  /** What was charged per day, model and key (accountManagement usage reports). */
  usage: UsageBook;
  capacity: Capacity;
  capacityStatus: 429 | 503;
  faults: FaultInjector;
  images: ImageStore;
  inputs: InputImages;
  references: ReferenceCache;
  runner: GenerationRunner;
  webhooks: Webhooks;
  /** Mutable at run time through the admin API. */
  latency: LatencyModel;
  syncTimeoutMs: number;
  /** How long a WS sync task may take before its socket gets `timeout` (the task keeps running). */
  wsSyncTimeoutMs: number;
  publicUrl: () => string;
}

/** Who sent a batch and how: REST or a WebSocket session. */
export interface CallContext {
  transport: 'rest' | 'ws';
  keyIndex: number;
  /** `X-Runware-Dry-Run: 1` (REST) or `?dryRun=1` on the socket's URL: validate and price, run nothing. */
  dryRun?: boolean;
}
