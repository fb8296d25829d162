import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@photomaker/observability';
import { stringifyRunwareJson } from '@photomaker/schema';
import type { TaskFaults } from '../faults/resolve-faults.ts';
import type { TaskRecord } from '../state/task-registry.ts';
import { type DeliveryPolicy, deliver } from './http-delivery.ts';

/**
 * Webhook delivery: one POST per result (or per failed generation, as `{errors:[...]}`), the same JSON as
 * a sync response, retried with backoff until a 2xx or the attempts run out. Faults can delay, drop or
 * duplicate deliveries. `pending()` lets shutdown and tests wait for deliveries in flight.
 */
export class Webhooks {
  private readonly policy: DeliveryPolicy;
  private readonly logger: Logger;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(policy: DeliveryPolicy, logger: Logger) {
    this.policy = policy;
    this.logger = logger;
  }

  send(
    url: string,
    body: { data?: unknown[]; errors?: unknown[] },
    record: TaskRecord,
    faults: TaskFaults,
  ): void {
    const job = this.run(url, stringifyRunwareJson(body), record, faults);
    this.inFlight.add(job);
    void job.finally(() => this.inFlight.delete(job));
  }

  private async run(url: string, body: string, record: TaskRecord, faults: TaskFaults): Promise<void> {
    if (faults.webhook?.drop) {
      record.webhook.dropped += 1;
      return;
    }
    if (faults.webhook?.delayMs) await sleep(faults.webhook.delayMs);
    const copies = 1 + (faults.duplicates ?? 0);
    for (let copy = 0; copy < copies; copy++) {
      const outcome = await deliver(
        { method: 'POST', url, body, contentType: 'application/json' },
        this.policy,
        () => {
          record.webhook.attempts += 1;
        },
        faults.webhook?.failAttempts ?? 0,
      );
      if (outcome.ok) record.webhook.delivered += 1;
      else {
        record.webhook.failed += 1;
        this.logger.warn(
          { taskUUID: record.taskUUID, attempts: outcome.attempts, lastStatus: outcome.lastStatus },
          'webhook delivery gave up',
        );
      }
    }
  }

  async pending(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
