import type { Logger } from '@photomaker/observability';
import type { RunwareError } from '@photomaker/schema';
import type { AdmissionGate } from '../../auth/admission.ts';
import type { Principal } from '../../auth/api-keys.ts';
import { refusalOf } from '../v1/body-admission.ts';
import { type Item, runwareError, type TaskOutcome } from '../v1/results.ts';
import type { AcceptedTask, V1Tasks } from '../v1/tasks.ts';
import { asTask, envelope, errorsForEach, parseFrame } from './frames.ts';
import { authError } from './handshake.ts';
import type { SessionState, SessionStore } from './sessions.ts';
import { FrameBudget } from './socket-limits.ts';
import type { V1SocketMetrics } from './socket-metrics.ts';

/** Tasks answered at once, without starting a job: not counted against the pending-results bound. */
const LIGHT_TASKS = new Set(['ping', 'getResponse', 'imageUpload', 'authentication']);

export interface SessionFramesDeps {
  admission: Pick<AdmissionGate, 'authenticate' | 'charge'>;
  tasks: Pick<V1Tasks, 'runBatch'>;
  sessions: Pick<SessionStore, 'track'>;
  metrics: V1SocketMetrics;
  logger: Logger;
  limits: { framesPerSecond: number; maxPendingTasks: number; maxTasks: number };
  principal: Principal;
  session: SessionState;
  ip: string | undefined;
  /** Aborted when the socket closes. */
  signal: AbortSignal;
  /** The socket was opened with `?dryRun=1`: its tasks are priced, none starts. */
  dryRun?: boolean;
  /** Sync tasks this socket is pushing results for now. */
  pending(): number;
  send(frame: string): Promise<boolean>;
  /** A sync task's job started and the session tracks it: push its results. */
  accepted(task: AcceptedTask): void;
}

/**
 * The frames of an authenticated session: bounded (frames per second, tasks per frame, pending sync
 * tasks, the key's rate limit per frame), then the /v1 task dispatch REST uses (V1Tasks), with sync
 * tasks handed back for pushing instead of waited for. `authentication` and `ping` are answered here.
 */
export class SessionFrames {
  private readonly deps: SessionFramesDeps;
  private readonly budget: FrameBudget;
  private frameCount = 0;

  constructor(deps: SessionFramesDeps) {
    this.deps = deps;
    this.budget = new FrameBudget(deps.limits.framesPerSecond);
  }

  async handle(text: string): Promise<void> {
    const { metrics } = this.deps;
    const tasks = parseFrame(text);
    if (!Array.isArray(tasks)) {
      metrics.frames.inc({ outcome: 'invalid' });
      await this.deps.send(envelope([], [tasks]));
      return;
    }
    if (!this.budget.take()) {
      metrics.frames.inc({ outcome: 'rate-limited' });
      const message = `At most ${this.deps.limits.framesPerSecond} frames per second (PHOTOMAKER_V1_WS_FRAMES_PER_SECOND).`;
      const error = runwareError('rateLimitExceeded', message, { retryAfter: 1 });
      await this.deps.send(envelope([], errorsForEach(tasks.slice(0, this.deps.limits.maxTasks), error)));
      return;
    }
    await this.handleTasks(tasks);
  }

  /** A frame's tasks (also the tasks after the handshake in the first frame). */
  async handleTasks(tasks: unknown[]): Promise<void> {
    const data: Item[] = [];
    const errors: RunwareError[] = [];
    const rest: unknown[] = [];
    // A frame over the task cap goes whole to the dispatch, which refuses it whole (as REST does).
    const split = tasks.length <= this.deps.limits.maxTasks;
    for (const task of tasks) {
      const taskType = asTask(task).taskType;
      if (split && taskType === 'ping') data.push({ taskType: 'ping', pong: true });
      else if (split && taskType === 'authentication') this.reauthenticate(task, data, errors);
      else rest.push(task);
    }
    const accepted: AcceptedTask[] = [];
    if (rest.length > 0) {
      const outcome = await this.run(rest, accepted).catch((error: unknown) => {
        // Each task still gets an answer, so no client waits for one that never comes.
        this.deps.logger.error({ err: error }, 'v1 websocket frame failed (masked)');
        return {
          data: [],
          errors: errorsForEach(rest, runwareError('internalServerError', 'Internal server error.')),
        };
      });
      data.push(...outcome.data);
      errors.push(...outcome.errors);
    }
    if (data.length > 0 || errors.length > 0) await this.deps.send(envelope(data, errors));
    for (const task of accepted) this.deps.accepted(task);
  }

  /** A repeated authentication answers the session when the key is still the same tenant's. */
  private reauthenticate(task: unknown, data: Item[], errors: RunwareError[]): void {
    const apiKey = asTask(task).apiKey;
    const admitted = this.deps.admission.authenticate({
      apiKey: typeof apiKey === 'string' ? apiKey : undefined,
      transport: 'v1',
      ip: this.deps.ip,
    });
    if (admitted.ok && admitted.principal.tenant === this.deps.session.tenant) {
      data.push({ taskType: 'authentication', connectionSessionUUID: this.deps.session.uuid });
      return;
    }
    errors.push(
      admitted.ok
        ? runwareError('invalidApiKey', 'This key is not the session’s.', {
            taskType: 'authentication',
            parameter: 'apiKey',
          })
        : authError(admitted.refusal),
    );
  }

  /** Bounds, the key's rate limit (one frame: one request), then the shared dispatch. */
  private async run(tasks: unknown[], accepted: AcceptedTask[]): Promise<TaskOutcome> {
    const { metrics, limits, principal } = this.deps;
    const starting = tasks.filter((task) => !LIGHT_TASKS.has(String(asTask(task).taskType))).length;
    if (starting > 0 && this.deps.pending() + starting > limits.maxPendingTasks) {
      metrics.frames.inc({ outcome: 'refused' });
      const message = `At most ${limits.maxPendingTasks} tasks may wait for results on one connection (PHOTOMAKER_V1_WS_MAX_PENDING_TASKS).`;
      const error = runwareError('rateLimitExceeded', message, {
        limitName: 'pendingTasks',
        limit: limits.maxPendingTasks,
        retryAfter: 1,
      });
      return { data: [], errors: errorsForEach(tasks, error) };
    }
    const charged = await this.deps.admission.charge(principal, 'v1');
    if (!charged.ok) {
      metrics.frames.inc({ outcome: 'refused' });
      return { data: [], errors: errorsForEach(tasks, refusalOf(charged.refusal).error) };
    }
    metrics.frames.inc({ outcome: 'ok' });
    const tracking: Promise<void>[] = [];
    const outcome = await this.deps.tasks.runBatch(tasks, {
      tenant: principal.tenant,
      keyId: principal.keyId,
      limits: principal.limits,
      defaultPriority: principal.defaults?.priority,
      defaultReferenceCheck: principal.defaults?.referenceCheck,
      requestId: `${this.deps.session.uuid}:${++this.frameCount}`,
      signal: this.deps.signal,
      transport: 'ws',
      ...(this.deps.dryRun ? { dryRun: true } : {}),
      push: (task) => {
        accepted.push(task);
        tracking.push(this.deps.sessions.track(this.deps.session.uuid, task));
      },
    });
    await Promise.all(tracking);
    // A batch refused whole by a tenant limit: each task gets the error under its own taskUUID, so each
    // of the client's waiters ends (REST answers the whole request instead).
    const [refusal] = outcome.errors;
    if (outcome.retryAfterSeconds !== undefined && refusal)
      return { data: [], errors: errorsForEach(tasks, refusal) };
    return outcome;
  }
}
