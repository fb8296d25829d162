import type { Logger } from '@photomaker/observability';
import { type QueueStatus, queueStatusesQuery } from '@photomaker/temporal';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import DataLoader from 'dataloader';

/** The admission workflow answers at most this many ids per query (admission-contract.ts). */
export const MAX_IDS_PER_QUERY = 500;
const DEFAULT_TTL_MS = 500;
const QUERY_TIMEOUT_MS = 2_000;
/** After a failed query, reads answer "unknown" at once for this long instead of each waiting to fail. */
const DEFAULT_BACKOFF_MS = 5_000;

/** Asks the admission workflow about some jobs (the one Temporal call; tests pass a fake). */
export type QueueStatusesSource = (jobIds: string[]) => Promise<QueueStatus[]>;

/**
 * The answer of the admission workflow `workflowId` (admissionWorkflowId of the jobs' task queue). Not
 * started yet (no job of this deployment ever had to wait): nothing is queued, so no status, nothing to warn.
 */
export function admissionQuery(client: Client, workflowId: string): QueueStatusesSource {
  return async (jobIds) => {
    try {
      return await client.connection.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
        client.workflow.getHandle(workflowId).query(queueStatusesQuery, jobIds),
      );
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return [];
      throw error;
    }
  };
}

/** DataLoader's cache, with entries that expire: a status is news for `ttlMs`, then asked again. */
class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  private readonly ttlMs: number;
  constructor(ttlMs: number) {
    this.ttlMs = ttlMs;
  }
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }
  set(key: string, value: V): void {
    this.entries.set(key, { value, until: Date.now() + this.ttlMs });
    // Bounded without a timer: whenever it grows, drop what has expired.
    if (this.entries.size > 10_000) this.sweep();
  }
  delete(key: string): void {
    this.entries.delete(key);
  }
  clear(): void {
    this.entries.clear();
  }
  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.until <= now) this.entries.delete(key);
  }
}

/**
 * Where queued jobs stand in the admission queue (position, estimated start and finish). Every lookup in
 * the same tick is one `queueStatuses` query (DataLoader: at most 500 ids each), and an answer is reused
 * for `ttlMs`, so a page of 100 queued jobs, its subscriptions' snapshots and the queue poller cost one
 * query. When the admission workflow is not there or does not answer, every status is `undefined` (the
 * fields read null): logged once per outage, never an error of the request, and for `backoffMs` after a
 * failure nobody waits on another query that would likely fail the same way (no worker answering: the
 * query's 2 s deadline).
 */
export class QueueStatuses {
  private readonly loader: DataLoader<string, QueueStatus | undefined>;
  private readonly source: QueueStatusesSource;
  private readonly logger: Logger;
  private readonly backoffMs: number;
  private failing = false;
  private quietUntil = 0;

  constructor(options: { source: QueueStatusesSource; logger: Logger; ttlMs?: number; backoffMs?: number }) {
    this.source = options.source;
    this.logger = options.logger;
    this.backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.loader = new DataLoader((ids) => this.batch(ids), {
      maxBatchSize: MAX_IDS_PER_QUERY,
      cacheMap: new ExpiringMap<Promise<QueueStatus | undefined>>(options.ttlMs ?? DEFAULT_TTL_MS),
    });
  }

  /** The job's queue status; undefined when admission does not know it (or cannot be asked). */
  load(jobId: string): Promise<QueueStatus | undefined> {
    return this.loader.load(jobId);
  }

  async loadMany(jobIds: readonly string[]): Promise<Map<string, QueueStatus>> {
    const statuses = await Promise.all(jobIds.map((id) => this.loader.load(id)));
    const found = new Map<string, QueueStatus>();
    for (const status of statuses) if (status) found.set(status.jobId, status);
    return found;
  }

  private async batch(ids: readonly string[]): Promise<(QueueStatus | undefined)[]> {
    if (Date.now() < this.quietUntil) return ids.map(() => undefined);
    let statuses: QueueStatus[];
    try {
      statuses = await this.source([...ids]);
    } catch (error) {
      this.quietUntil = Date.now() + this.backoffMs;
      if (!this.failing) {
        this.failing = true;
        this.logger.warn(
          { reason: reasonOf(error) },
          'admission queue not answering; queue positions and estimates read null until it does',
        );
      }
      return ids.map(() => undefined);
    }
    if (this.failing) {
      this.failing = false;
      this.logger.info('admission queue answering again');
    }
    const byId = new Map(statuses.map((status) => [status.jobId, status]));
    return ids.map((id) => byId.get(id));
  }
}

/** The SDK's error and what caused it ("Failed to query Workflow" alone says little). */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
