import type { Link, Logger } from '@photomaker/observability';
import type { ReferenceCheckMode } from '@photomaker/schema';
import type { JobPriority } from '@photomaker/temporal';
import type { TenantWebhookSecrets } from '@photomaker/webhooks';
import type { TenantLimits } from '../auth/tenant-limits.ts';
import type { ImageUrls } from '../http/image-urls.ts';
import type { Erasure } from '../jobs/erasure.ts';
import type { EstimateJob } from '../jobs/estimate-job.ts';
import type { FollowJob } from '../jobs/follow-job.ts';
import type { ImageIntake } from '../jobs/image-intake.ts';
import type { JobList } from '../jobs/job-list.ts';
import type { JobReads } from '../jobs/job-reads.ts';
import type { JobRetries, RetryJob } from '../jobs/job-retries.ts';
import type { JobService } from '../jobs/job-service.ts';
import type { QueueStatuses } from '../jobs/queue-statuses.ts';
import type { SubmitJob } from '../jobs/submit-job.ts';
import type { UsageReport } from '../jobs/usage-report.ts';

/** What the resolvers use: the use cases and little else (tests pass fakes of exactly these). */
export interface GraphQLDeps {
  submit: Pick<SubmitJob, 'submit'>;
  /** estimatePhotoMaker: validation and price, nothing started. */
  estimate: Pick<EstimateJob, 'estimate'>;
  follow: Pick<FollowJob, 'follow'>;
  reads: Pick<JobReads, 'get'>;
  /** Queued jobs' place in the admission queue (batched and briefly cached; undefined when unknown). */
  queue: Pick<QueueStatuses, 'load'>;
  list: Pick<JobList, 'list'>;
  jobs: Pick<JobService, 'cancel' | 'checkReferenceImage'>;
  uploads: Pick<ImageIntake, 'upload'>;
  /** deleteJob / deleteReferenceImage. */
  erasure: Pick<Erasure, 'deleteJob' | 'deleteReferenceImage'>;
  imageUrls: Pick<ImageUrls, 'urlFor'>;
  /** Gauge of live jobEvents subscriptions. */
  subscriptions: { inc(): void; dec(): void };
  /** Each tenant's webhook signing secret (the caller learns its own). */
  webhookSecrets: Pick<TenantWebhookSecrets, 'current'>;
  /** Largest `first` of `jobs` (PHOTOMAKER_MAX_PAGE_SIZE). */
  pageSize: number;
  /** The `usage` query (durable usage records). */
  usage: Pick<UsageReport, 'report'>;
  /** retryJob, and the jobs that retry a job. */
  retry: Pick<RetryJob, 'retry'>;
  retries: Pick<JobRetries, 'list'>;
}

/** Per operation: who is calling (tenant from the API key), the request id, and the resolvers' deps. */
export interface GraphQLContext {
  tenant: string;
  /** The caller's API key id (a digest prefix, never the key): jobs it submits count under it in usage. */
  keyId?: string | undefined;
  /** An admin tenant's key: the usage query may read every tenant. */
  admin?: boolean | undefined;
  /** The tenant's effective limits, counted per job at submission (jobs/usage-ledger.ts). */
  limits: TenantLimits;
  /** The tenant's default job priority (tenants file `defaults.priority`, else env); NORMAL when unset. */
  defaultPriority?: JobPriority | undefined;
  /** The tenant's default reference check (tenants file `defaults.referenceCheck`, else env); OFF when unset. */
  defaultReferenceCheck?: ReferenceCheckMode | undefined;
  requestId: string;
  logger: Logger;
  deps: GraphQLDeps;
  transport: 'http' | 'ws';
  /** The caller's own trace (an HTTP `traceparent`), linked from a job's trace, never adopted. */
  traceLinks?: Link[];
}
