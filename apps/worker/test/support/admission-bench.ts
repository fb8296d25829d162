import { randomUUID } from 'node:crypto';
import type { JobState } from '@photomaker/schema';
import {
  admissionWorkflowId,
  type JobAdmission,
  type PhotoMakerJobInput,
  queueStatusesQuery,
  type SlotRequest,
  WORKFLOW_TYPE,
  workflowIdForJob,
} from '@photomaker/temporal';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';
import { PhotoMakerWorkers } from '../../src/worker.ts';
import type { AdmissionWorkflowInput } from '../../src/workflows/admission/workflow.ts';
import { admissionTaskQueue } from '../../src/workflows/task-queues.ts';
import { task } from './job-runner.ts';
import { rateLimited, type StepScript, StubActivities } from './stub-activities.ts';
import { createTimeSkippingEnv } from './time-skipping.ts';

// The admission workflow with the real job workflow (stub Runware steps) asking it for slots, on either
// server: the dev server (real time: order, continueAsNew, signals, cancel) or the time-skipping one
// (timers: the hold limit, a deadline). Each helper waits in real time with a limit, and says where a
// job or the queue stood when it gave up.

export const MINUTE = 60_000;

type Statuses = Awaited<ReturnType<AdmissionBench['statuses']>>;

export class AdmissionBench {
  readonly taskQueue = `photomaker-admission-${randomUUID().slice(0, 8)}`;
  /** Jobs whose Runware step waits (heartbeating) until taken out of this set. */
  readonly held = new Set<string>();
  readonly stubs: StubActivities;
  private running: Promise<void> | undefined;
  private workers: PhotoMakerWorkers | undefined;

  readonly env: TestWorkflowEnvironment;

  private constructor(env: TestWorkflowEnvironment) {
    this.env = env;
    const held = this.held;
    // Makes the job's two images, after waiting while the test holds it; a single-image job is rate limited.
    const step: StepScript = async (call, fake) => {
      if (call.numberResults === 1) throw rateLimited(10 * 60 * MINUTE);
      const ctx = Context.current();
      while (held.has(call.jobId)) {
        ctx.heartbeat();
        await ctx.sleep(20);
      }
      return fake.images(2, { done: true });
    };
    this.stubs = new StubActivities({ steps: [step] });
    this.stubs.total = 2;
  }

  /**
   * Workers on a fresh task queue, and its admission workflow started by the test (the first job's
   * signalWithStart would start it otherwise) with the given settings.
   */
  static async start(
    server: 'dev' | 'time-skipping',
    config: NonNullable<AdmissionWorkflowInput['config']>,
  ): Promise<AdmissionBench> {
    const env =
      server === 'dev'
        ? await TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress') })
        : await createTimeSkippingEnv();
    const bench = new AdmissionBench(env);
    bench.workers = await PhotoMakerWorkers.create({
      connection: env.nativeConnection,
      taskQueue: bench.taskQueue,
      dataConverter: {},
      activities: bench.stubs.activities(),
      workflows: { workflowBundle: { codePath: inject('workflowBundlePath') } },
      tuning: { shutdownGraceMs: 500 },
    });
    bench.running = bench.workers.run();
    const input: AdmissionWorkflowInput = { config };
    await env.client.workflow.start('photoMakerAdmission', {
      taskQueue: admissionTaskQueue(bench.taskQueue),
      workflowId: admissionWorkflowId(bench.taskQueue),
      args: [input],
    });
    return bench;
  }

  async close(): Promise<void> {
    this.workers?.shutdown();
    await this.running?.catch(() => undefined);
    await this.env.teardown();
  }

  admission(): WorkflowHandle {
    return this.env.client.workflow.getHandle(admissionWorkflowId(this.taskQueue));
  }

  /** Jobs in the order their first Runware step ran. */
  firstCalls(): string[] {
    return [...new Set(this.stubs.calls.map((call) => call.jobId))];
  }

  /** A job asking for a slot (limit 1 unless `extra` says), or, with `extra` null, one that never asks. */
  async startJob(tenant: string, extra: Partial<JobAdmission> | null = {}, cancelAfterMs?: number) {
    const now = await this.env.currentTimeMs();
    const input: PhotoMakerJobInput = {
      jobId: randomUUID(),
      tenant,
      task: task({ numberResults: extra ? 2 : 1 }),
      runwareTaskUUID: randomUUID(),
      createdAt: new Date(now).toISOString(),
      ...(extra
        ? { admission: { priority: 'NORMAL' as const, weight: 1, maxRunningJobs: 1, ...extra } }
        : {}),
      ...(cancelAfterMs !== undefined ? { cancelAt: new Date(now + cancelAfterMs).toISOString() } : {}),
    };
    const handle = await this.env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: this.taskQueue,
      workflowId: workflowIdForJob(input.jobId),
      args: [input],
    });
    return { input, handle };
  }

  /**
   * The outcome once the workflow closed, polled in real time: awaiting result() lets a time-skipping
   * server skip time while a job still works, past its timeouts.
   */
  async closedOutcome(handle: WorkflowHandle, limitMs = 30_000): Promise<JobState | WorkflowFailedError> {
    const until = Date.now() + limitMs;
    while ((await handle.describe()).status.name === 'RUNNING') {
      if (Date.now() > until)
        throw new Error(`still running after ${limitMs} ms:\n${await this.whereStuck(handle)}`);
      await pause();
    }
    return (handle.result() as Promise<JobState>).catch((error: unknown) => {
      if (error instanceof WorkflowFailedError) return error;
      throw error;
    });
  }

  statuses(ids: string[]) {
    return this.admission().query(queueStatusesQuery, ids);
  }

  /** Polls (real time) until the query answers what `ready` wants. */
  async untilStatuses(ids: string[], ready: (s: Statuses) => boolean, limitMs = 30_000): Promise<Statuses> {
    const until = Date.now() + limitMs;
    for (;;) {
      const s = await this.statuses(ids);
      if (ready(s)) return s;
      if (Date.now() > until)
        throw new Error(
          `queue not as wanted after ${limitMs} ms: ${JSON.stringify(s)}\n${await this.whereStuck()}`,
        );
      await pause();
    }
  }

  /** Polls (real time) until the job's slot request, a local activity, is recorded (patches are markers too). */
  async untilSlotRequested(handle: WorkflowHandle, limitMs = 30_000): Promise<void> {
    const until = Date.now() + limitMs;
    for (;;) {
      const { events } = await handle.fetchHistory();
      if (events?.some((event) => event.markerRecordedEventAttributes?.markerName === 'core_local_activity'))
        return;
      if (Date.now() > until)
        throw new Error(`no slot request after ${limitMs} ms:\n${await this.whereStuck(handle)}`);
      await pause();
    }
  }

  slotRequest(jobId: string, tenant: string, maxRunningJobs: number): SlotRequest {
    return {
      jobId,
      tenant,
      priority: 'NORMAL',
      weight: 1,
      maxRunningJobs,
      service: { model: 'm', width: 128, height: 128, numberResults: 1 },
      requestedAt: new Date().toISOString(),
    };
  }

  /** What a job that did not end waits for, and the admission workflow's last events. */
  private async whereStuck(job?: WorkflowHandle): Promise<string> {
    const lines = [`server time ${new Date(await this.env.currentTimeMs()).toISOString()}`];
    for (const [name, handle] of [
      ['job', job],
      ['admission', this.admission()],
    ] as const) {
      if (!handle) continue;
      const { raw } = await handle.describe();
      const pending = raw.pendingActivities?.map((a) => [a.activityType?.name, a.state, a.attempt]);
      lines.push(
        `${name} run ${raw.workflowExecutionInfo?.execution?.runId}: activities ${JSON.stringify(pending)}, ` +
          `workflow task ${JSON.stringify(raw.pendingWorkflowTask ?? null)}`,
      );
      const { events } = await handle.fetchHistory();
      for (const event of (events ?? []).slice(-20)) {
        const kind = Object.keys(event).find(
          (key) => key.endsWith('Attributes') && event[key as keyof typeof event],
        );
        const detail = JSON.stringify(event[kind as keyof typeof event] ?? {}).slice(0, 160);
        lines.push(`  ${event.eventId} ${kind} ${detail}`);
      }
    }
    return lines.join('\n');
  }
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
