import type { AccountDetailsResult, PhotoMakerResult, UsageActivityResult } from '@photomaker/schema';
import {
  type AccountCallOptions,
  getAccountDetails,
  getUsageActivity,
  type UsageActivityQuery,
} from './account.ts';
import type {
  DryRunEstimate,
  PhotoMakerRequest,
  PhotoMakerRun,
  RunPhotoMakerOptions,
  RunwareClientOptions,
  WaitOptions,
} from './client-options.ts';
import { DRY_RUN_HEADER, type DryRunOptions, estimateFrom } from './dry-run.ts';
import type { FlowPort } from './flows/flow-port.ts';
import { runPhotoMaker } from './flows/run-photomaker.ts';
import { waitForResults } from './flows/wait-for-results.ts';
import { RunwareRestClient } from './rest-client.ts';
import { type ResultBatch, type WatchOptions, watchSnapshots } from './watch-results.ts';

export type { AccountCallOptions, UsageActivityQuery } from './account.ts';
export type * from './client-options.ts';

/**
 * The Runware client: the single REST calls of RunwareRestClient plus the flows built on them, all of
 * which poll through one engine (`watchResults`).
 */
export class RunwareClient extends RunwareRestClient {
  /** The building blocks the flows need, without making them public API. */
  private readonly port: FlowPort = {
    settings: this.settings,
    withPolicy: (options, attempt) => this.withPolicy(options, attempt),
    photoMakerTask: (task, deliveryMethod, options) => this.photoMakerTask(task, deliveryMethod, options),
    sendSync: (wire, options, collector, onAccepted) => this.sendSync(wire, options, collector, onAccepted),
    sendAsync: (wire, options) => this.sendAsync(wire, options),
    pollSnapshot: (taskUUID) => (signal, remainingMs) => this.pollSnapshot(taskUUID, signal, remainingMs),
  };

  /** `RUNWARE_BASE_URL` (default: the emulator on 127.0.0.1:8787) and `RUNWARE_API_KEY`. */
  static fromEnv(
    env: NodeJS.ProcessEnv = process.env,
    options: Partial<RunwareClientOptions> = {},
  ): RunwareClient {
    const apiKey = options.apiKey ?? env.RUNWARE_API_KEY;
    if (!apiKey) throw new TypeError('RUNWARE_API_KEY is not set: the Runware (or emulator) API key');
    return new RunwareClient({
      ...options,
      baseUrl: options.baseUrl ?? env.RUNWARE_BASE_URL ?? 'http://127.0.0.1:8787/v1',
      apiKey,
    });
  }

  /** accountManagement `getDetails`: the account's balance, its keys (masked) and usage totals. */
  accountDetails(options: AccountCallOptions = {}): Promise<AccountDetailsResult> {
    return getAccountDetails((tasks, o) => this.request(tasks, o), this.settings.apiKey, options);
  }

  /**
   * accountManagement `getUsageActivity`: requests, results (images) and spend per UTC day, model or
   * key over a window of at most 30 days; what reconciles our own usage records with Runware's bill.
   */
  usageActivity(query: UsageActivityQuery, options: AccountCallOptions = {}): Promise<UsageActivityResult> {
    return getUsageActivity((tasks, o) => this.request(tasks, o), this.settings.apiKey, query, options);
  }

  /**
   * The one getResponse polling engine: a ResultBatch per answered poll (`fresh` images not in `known`
   * nor in an earlier batch), until the batch that is `done`; stop iterating at any time. Retryable poll
   * failures only slow the cadence (never below Retry-After); permanent ones throw; failed generations
   * are data (`errors`). No deadline unless `deadlineMs` is given.
   */
  watchResults(taskUUID: string, options: WatchOptions): AsyncGenerator<ResultBatch, void, undefined> {
    const { poll, ...rest } = options;
    return watchSnapshots(this.port.pollSnapshot(taskUUID), {
      ...rest,
      taskUUID,
      policy: { ...this.settings.poll, ...poll },
    });
  }

  /**
   * Polls getResponse with backoff until `numberResults` images succeeded; dedupes by imageUUID;
   * retryable poll failures only slow it down; stops on `signal`; RunwareDeadlineError at the deadline.
   */
  waitForResults(taskUUID: string, options: WaitOptions): Promise<PhotoMakerResult[]> {
    return waitForResults(this.port, taskUUID, options);
  }

  /**
   * Runware's price for a photoMaker task without running it (`X-Runware-Dry-Run: 1`): validated like a
   * submission (locally, then by Runware, whose errors throw as they would for a real send); nothing is
   * run or charged, and the taskUUID stays free. Retryable failures are retried like any quick call.
   */
  async dryRun(task: PhotoMakerRequest, options: DryRunOptions = {}): Promise<DryRunEstimate> {
    const wire = this.photoMakerTask(task, 'sync', options);
    const taskUUID = wire.taskUUID as string;
    return this.withPolicy(options, async () => {
      const response = await this.request([wire], {
        signal: options.signal,
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        headers: DRY_RUN_HEADER,
      });
      return estimateFrom(response, taskUUID, this.settings.apiKey);
    });
  }

  /**
   * The flow that never pays twice: send with a fixed taskUUID; on a transport failure re-send the SAME
   * taskUUID; once Runware says `conflictTaskUUID` (or acknowledges an async task) poll getResponse.
   */
  runPhotoMaker(task: PhotoMakerRequest, options: RunPhotoMakerOptions = {}): Promise<PhotoMakerRun> {
    return runPhotoMaker(this.port, task, options);
  }
}
