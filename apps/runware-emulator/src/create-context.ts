import { availableParallelism } from 'node:os';
import { createLogger } from '@photomaker/observability';
import { DEV_API_KEY, KeyRing } from './auth.ts';
import { resolveLatency } from './config/latency.ts';
import type { EmulatorContext } from './context.ts';
import type { DeliveryPolicy } from './delivery/http-delivery.ts';
import { Webhooks } from './delivery/webhooks.ts';
import type { EmulatorOptions } from './emulator-options.ts';
import { parseFaultConfig } from './faults/fault-config.ts';
import { FaultInjector } from './faults/fault-injector.ts';
import { GenerationRunner } from './generation/generation-runner.ts';
import { ReferenceCache } from './generation/reference-cache.ts';
import { Renderer } from './generation/renderer.ts';
import { Semaphore } from './generation/semaphore.ts';
import { ImageStore } from './images/image-store.ts';
import { InputImages } from './images/input-images.ts';
import { Capacity } from './state/capacity.ts';
import { Ledger } from './state/ledger.ts';
import { TaskRegistry } from './state/task-registry.ts';
import { UsageBook } from './state/usage-book.ts';

const UPLOAD_TTL_SECONDS = 30 * 24 * 60 * 60;

/** The state an emulator keeps between requests, built from its options with the documented defaults. */
function createState(options: EmulatorOptions) {
  return {
    images: new ImageStore(options.imageStoreBytes ?? 1024 * 1024 * 1024, options.now),
    references: new ReferenceCache(),
    ledger: new Ledger(options.balance ?? 1000),
    usage: new UsageBook(options.now),
    capacity: new Capacity(options.capacity?.maxConcurrentPerKey ?? 32),
    faults: new FaultInjector(parseFaultConfig(options.faults ?? {})),
    delivery: {
      attempts: 5,
      minDelayMs: 200,
      maxDelayMs: 5_000,
      timeoutMs: 10_000,
      ...options.delivery,
    } satisfies DeliveryPolicy,
  };
}

function apiKeys(options: EmulatorOptions): readonly string[] {
  return options.apiKeys && options.apiKeys.length > 0 ? options.apiKeys : [DEV_API_KEY];
}

/** Everything a request handler needs, wired once per emulator; `publicUrl` is known only once it listens. */
export function createContext(options: EmulatorOptions, publicUrl: () => string): EmulatorContext {
  const logger = options.logger ?? createLogger({ service: 'runware-emulator' });
  const { images, references, ledger, usage, capacity, faults, delivery } = createState(options);
  const webhooks = new Webhooks(delivery, logger);
  const runner = new GenerationRunner({
    renderer: new Renderer(references),
    renderSlots: new Semaphore(options.renderConcurrency ?? availableParallelism()),
    images,
    ledger,
    usage,
    capacity,
    webhooks,
    uploadPolicy: delivery,
    logger,
    publicUrl,
    defaultTtlSeconds: options.defaultTtlSeconds ?? 86_400,
  });
  return {
    logger,
    keys: new KeyRing(apiKeys(options)),
    tasks: new TaskRegistry(),
    ledger,
    usage,
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
    wsSyncTimeoutMs: options.wsSyncTimeoutMs ?? 120_000,
    publicUrl,
  };
}

/** Everything back to how the process started (POST /admin/reset). */
export function resetState(ctx: EmulatorContext): void {
  ctx.tasks.clear();
  ctx.ledger.reset();
  ctx.usage.clear();
  ctx.capacity.clear();
  ctx.faults.reset();
  ctx.images.clear();
  ctx.references.clear();
}
