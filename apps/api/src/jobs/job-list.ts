import { createHash } from 'node:crypto';
import type { JobState, JobStatus } from '@photomaker/schema';
import { jobIdFromWorkflowId, SEARCH_ATTRIBUTES, WORKFLOW_TYPE } from '@photomaker/temporal';
import type { Client } from '@temporalio/client';
import { InvalidInputError } from './input-error.ts';
import { isInvalidArgument } from './job-workflow.ts';

export interface JobPage {
  nodes: JobState[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface ListJobsOptions {
  first: number;
  after?: string | null | undefined;
  status?: JobStatus | null | undefined;
}

interface Cursor {
  /** Temporal's page token (base64). */
  t: string;
  /** The filter the token belongs to. */
  f: string;
}

/**
 * A tenant's jobs, newest first, from Temporal visibility; each page's jobs are read like `job(id)`.
 * Servers with Elasticsearch visibility take `ORDER BY StartTime DESC`; the SQL visibility of the dev
 * server refuses ORDER BY and orders running jobs first (newest first), then closed ones by close time:
 * we ask once and fall back.
 */
export class JobList {
  private readonly client: Client;
  private readonly read: (tenant: string, jobId: string) => Promise<JobState | undefined>;
  private orderBySupported: boolean | undefined;

  constructor(options: {
    client: Client;
    read: (tenant: string, jobId: string) => Promise<JobState | undefined>;
  }) {
    this.client = options.client;
    this.read = options.read;
  }

  async list(tenant: string, options: ListJobsOptions): Promise<JobPage> {
    let filter = `WorkflowType='${WORKFLOW_TYPE}' AND ${SEARCH_ATTRIBUTES.tenant.name}='${tenant}'`;
    if (options.status) filter += ` AND ${SEARCH_ATTRIBUTES.status.name}='${options.status}'`;
    const filterKey = createHash('sha256').update(JSON.stringify(filter)).digest('hex').slice(0, 16);
    const nextPageToken = options.after ? pageTokenOf(options.after, filterKey) : undefined;
    const response = await this.listPage(filter, options.first, nextPageToken);
    const states = await Promise.all(
      (response.executions ?? []).map(async (execution) => {
        const jobId = jobIdFromWorkflowId(execution.execution?.workflowId ?? '');
        return jobId ? this.read(tenant, jobId).catch(() => undefined) : undefined;
      }),
    );
    const nodes = states.filter((state): state is JobState => state !== undefined);
    const token =
      response.nextPageToken && response.nextPageToken.length > 0 ? response.nextPageToken : undefined;
    return {
      nodes,
      hasNextPage: token !== undefined,
      endCursor: token ? encodeCursor({ t: Buffer.from(token).toString('base64'), f: filterKey }) : null,
    };
  }

  private async listPage(filter: string, pageSize: number, nextPageToken: Uint8Array | undefined) {
    const request = (query: string) =>
      this.client.workflowService.listWorkflowExecutions({
        namespace: this.client.options.namespace,
        pageSize,
        query,
        ...(nextPageToken ? { nextPageToken } : {}),
      });
    if (this.orderBySupported !== false) {
      try {
        const response = await request(`${filter} ORDER BY StartTime DESC`);
        this.orderBySupported = true;
        return response;
      } catch (error) {
        if (this.orderBySupported === true || !isInvalidArgument(error)) throw error;
        this.orderBySupported = false;
      }
    }
    return request(filter);
  }
}

/** The Temporal page token of a cursor, refused when it belongs to another filter (or is no cursor). */
function pageTokenOf(after: string, filterKey: string): Uint8Array {
  const cursor = decodeCursor(after);
  if (!cursor || cursor.f !== filterKey) {
    throw InvalidInputError.of(
      'invalidAfter',
      'after',
      "Invalid value for 'after': not a cursor of this list.",
    );
  }
  return Buffer.from(cursor.t, 'base64');
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string): Cursor | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Cursor>;
    return typeof value.t === 'string' && typeof value.f === 'string'
      ? { t: value.t, f: value.f }
      : undefined;
  } catch {
    return undefined;
  }
}
