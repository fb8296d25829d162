import { setTimeout as sleep } from 'node:timers/promises';
import { authenticationTaskSchema, parseRunwareJson, validateWith } from '@photomaker/schema';
import type { WebSocket } from 'ws';
import type { EmulatorContext } from '../context.ts';
import { runBatch } from '../dispatch/run-batch.ts';
import { envelope, frame } from '../protocol/envelope.ts';
import { failure, invalidApiKey, missingApiKey, requestError, type TaskFailure } from '../protocol/errors.ts';
import type { TaskOutcome } from '../protocol/outcome.ts';
import type { TaskEvent, TaskRecord } from '../state/task-registry.ts';
import type { Session, Sessions } from './sessions.ts';

export interface ConnectionOptions {
  idleTimeoutMs: number;
  /** The socket was opened with `?dryRun=1`: its tasks are priced, never run. */
  dryRun?: boolean;
}

function taskTypeOf(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const taskType = (raw as { taskType?: unknown }).taskType;
  return typeof taskType === 'string' ? taskType : undefined;
}

/**
 * One WebSocket on /v1. The first frame must authenticate (optionally resuming a session); then every
 * frame is a batch of tasks. Sync photoMaker results are pushed through the session as each image
 * finishes, so they survive a reconnect. Sockets with no inbound message for `idleTimeoutMs` are closed.
 */
export class Connection {
  private readonly socket: WebSocket;
  private readonly ctx: EmulatorContext;
  private readonly sessions: Sessions;
  private readonly options: ConnectionOptions;
  private session: Session | undefined;
  private idle: NodeJS.Timeout | undefined;

  constructor(socket: WebSocket, ctx: EmulatorContext, sessions: Sessions, options: ConnectionOptions) {
    this.socket = socket;
    this.ctx = ctx;
    this.sessions = sessions;
    this.options = options;
  }

  start(): void {
    this.touch();
    this.socket.on('message', (data, isBinary) => {
      this.touch();
      const text = isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString();
      // Frames are handled concurrently, like Runware: a slow task (a URL input being fetched) must not
      // hold back a ping. The handshake completes synchronously, before the next frame is read.
      this.onFrame(text).catch((error: unknown) =>
        this.ctx.logger.error({ err: error }, 'websocket frame failed'),
      );
    });
    this.socket.on('close', () => {
      if (this.idle) clearTimeout(this.idle);
      if (this.session) this.sessions.detach(this.session, this.socket);
    });
    this.socket.on('error', (error) => this.ctx.logger.warn({ err: error }, 'websocket error'));
  }

  private touch(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      this.ctx.logger.info({ session: this.session?.uuid }, 'closing idle websocket');
      this.socket.close(1000, 'idle timeout');
    }, this.options.idleTimeoutMs);
    this.idle.unref();
  }

  /** Straight to this socket (handshake answers): not buffered for a session. */
  private direct(value: object): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(frame(value));
  }

  private async onFrame(text: string): Promise<void> {
    let tasks: unknown;
    try {
      tasks = parseRunwareJson(text);
    } catch {
      this.direct(envelope([], [requestError('invalidJson', 'The frame is not valid JSON.')]));
      return;
    }
    if (!Array.isArray(tasks)) {
      this.direct(
        envelope([], [requestError('invalidRequestBody', 'A frame must be a JSON array of task objects.')]),
      );
      return;
    }
    if (!this.session) {
      if (taskTypeOf(tasks[0]) !== 'authentication') {
        const errors = (tasks.length > 0 ? tasks : [{}]).map((raw) =>
          missingApiKey({
            taskType: taskTypeOf(raw) ?? 'authentication',
            taskUUID: (raw as { taskUUID?: string } | null)?.taskUUID,
          }),
        );
        this.direct(envelope([], errors));
        return;
      }
      if (!this.authenticate(tasks[0])) return;
      tasks = tasks.slice(1);
      if ((tasks as unknown[]).length === 0) return;
    }
    await this.runTasks(tasks as unknown[]);
  }

  /** Answers the handshake; on success binds (or resumes) the session and replays its buffer. */
  private authenticate(raw: unknown): boolean {
    const checked = validateWith(authenticationTaskSchema, raw, { taskType: 'authentication' });
    const key = checked.ok ? checked.value.apiKey : undefined;
    const verdict = this.ctx.keys.check(key);
    if (!verdict.ok) {
      const problem =
        verdict.reason === 'missing'
          ? missingApiKey({ taskType: 'authentication' })
          : invalidApiKey({ taskType: 'authentication' });
      // The new TS SDK reads a singular `error` during the handshake; everyone else reads `errors`.
      this.direct({ ...envelope([], [problem]), error: problem.error });
      return false;
    }
    const resumeUUID = checked.ok ? checked.value.connectionSessionUUID : undefined;
    const { session, resumed } = this.sessions.open(verdict.keyIndex, resumeUUID);
    this.session = session;
    this.direct({ data: [{ taskType: 'authentication', connectionSessionUUID: session.uuid }] });
    const replay = session.buffer.length;
    this.sessions.attach(session, this.socket);
    this.ctx.logger.info(
      { session: session.uuid, resumed, replayedFrames: replay },
      'websocket authenticated',
    );
    return true;
  }

  private async runTasks(tasks: unknown[]): Promise<void> {
    const session = this.session as Session;
    const result = await runBatch(
      this.ctx,
      tasks,
      { transport: 'ws', keyIndex: session.keyIndex, dryRun: this.options.dryRun ?? false },
      {
        onAuthentication: (raw) => this.reauthenticate(raw, session),
        onSyncAccepted: (record) => this.pushResults(record, session),
      },
    );
    if (result.reset === 'beforeWork') {
      this.socket.terminate();
      return;
    }
    if (result.reset) this.socket.terminate();
    const data = result.outcomes.flatMap((outcome) => outcome.data);
    const errors = result.outcomes.flatMap((outcome) => outcome.errors);
    if (data.length === 0 && errors.length === 0) return;
    const copies = 1 + Math.max(0, ...result.outcomes.map((outcome) => outcome.faults.duplicates ?? 0));
    if (result.slowBodyMs > 0) await sleep(result.slowBodyMs);
    const text = frame(envelope(data, errors));
    for (let i = 0; i < copies; i++) this.sessions.send(session, text);
  }

  private reauthenticate(raw: unknown, session: Session): TaskOutcome {
    const checked = validateWith(authenticationTaskSchema, raw, { taskType: 'authentication' });
    const verdict = this.ctx.keys.check(checked.ok ? checked.value.apiKey : undefined);
    if (!verdict.ok)
      return { data: [], errors: [invalidApiKey({ taskType: 'authentication' })], ok: false, faults: {} };
    return {
      data: [{ taskType: 'authentication', connectionSessionUUID: session.uuid }],
      errors: [],
      ok: true,
      faults: {},
    };
  }

  /**
   * Sync delivery on WS: one frame per finished image, through the session (buffered if disconnected).
   * Within Runware's WS sync budget (~120 s): past it the socket gets a `timeout` error for the task and
   * no more of its images; the task keeps running and getResponse returns all of them.
   */
  private pushResults(record: TaskRecord, session: Session): void {
    const copies = 1 + (record.faults.duplicates ?? 0);
    const delay = record.faults.slowBodyMs ?? 0;
    const budget = setTimeout(() => {
      record.listeners.delete(listener);
      this.sessions.send(session, frame(envelope([], [syncTimeout(record)])));
    }, this.ctx.wsSyncTimeoutMs);
    budget.unref();
    const listener = (event: TaskEvent) => {
      if (event.kind === 'done') {
        clearTimeout(budget);
        record.listeners.delete(listener);
        return;
      }
      const { slot } = event;
      const errors: TaskFailure[] = slot.error ? [failure(slot.error)] : [];
      const text = frame(envelope(slot.result ? [slot.result] : [], errors));
      const send = () => {
        for (let i = 0; i < copies; i++) this.sessions.send(session, text);
      };
      if (delay > 0) setTimeout(send, delay).unref();
      else send();
    };
    record.listeners.add(listener);
  }
}

/** Runware's answer to a sync task that outlived the WS sync budget (the REST route's, same words). */
function syncTimeout(record: TaskRecord): TaskFailure {
  return failure(
    {
      code: 'timeout',
      message:
        'The sync request ran out of time; the task keeps running. Read its results with getResponse and this taskUUID.',
      taskType: record.taskType,
      taskUUID: record.taskUUID,
    },
    504,
  );
}
