import { randomUUID } from 'node:crypto';
import {
  type PhotoMakerResult,
  photoMakerTaskSchema,
  stringifyRunwareJson,
  validateWith,
} from '@photomaker/schema';
import WebSocket from 'ws';
import type { PhotoMakerRequest } from './client-options.ts';
import type { RunwareEnvelope } from './envelope.ts';
import { transportErrorFrom, validationErrorFrom } from './error-mapping.ts';
import { RunwareTransportError } from './errors.ts';
import { inForm, type PhotoMakerForm } from './photomaker-form.ts';
import { DEFAULT_RETRY, type RetryPolicy, withRetries } from './retry.ts';
import { openSession } from './socket-session.ts';
import { type PendingTask, type SocketTaskOptions, SocketTasks } from './socket-tasks.ts';

export type { SocketTaskOptions } from './socket-tasks.ts';

export interface RunwareSocketOptions {
  /** WebSocket endpoint: `wss://ws-api.runware.ai/v1`, or the emulator's `ws://127.0.0.1:8787/v1`. */
  url: string;
  /** Sent in the authentication frame, the only place a WebSocket can carry it. */
  apiKey: string;
  /** Resume this earlier session: Runware replays results produced while it had no socket. */
  connectionSessionUUID?: string;
  /** From opening the socket to the authentication answer. Default 15 s. */
  authTimeoutMs?: number;
  /** Application-level `ping` cadence (Runware drops sockets idle for ~120 s). Default 30 s. */
  pingIntervalMs?: number;
  /** A `pong` later than this means a dead (half-open) socket: drop it and reconnect. Default 10 s. */
  pongTimeoutMs?: number;
  /** How long a task waits for its images before RunwareDeadlineError. Default 300 s. */
  taskTimeoutMs?: number;
  /** Reconnect after an unexpected close, re-authenticating with the session UUID. `false`: never. */
  reconnect?: Partial<RetryPolicy> | false;
  validate?: boolean;
  /** The form photoMaker tasks are sent in (see RunwareClientOptions.photoMakerForm). Default `task`. */
  photoMakerForm?: PhotoMakerForm;
  /** Largest frame accepted (20 base64 PNGs can share one). Default 512 MiB. */
  maxPayloadBytes?: number;
}

export type SocketState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

const DEFAULT_RECONNECT: RetryPolicy = {
  ...DEFAULT_RETRY,
  retries: Number.POSITIVE_INFINITY,
  maxDelayMs: 30_000,
};

/** `http://host/v1` -> `ws://host/v1` (the emulator serves both on one port). */
export function socketUrlFrom(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/**
 * Runware over one WebSocket: authenticates first, keeps the socket alive with `ping`, routes results by
 * taskUUID, and after a drop reconnects with the stored `connectionSessionUUID` so results produced
 * meanwhile are replayed. Tasks in flight are re-sent with the same taskUUID; a conflict then means
 * the first send landed, and the images come from the replay (or a getResponse on the socket).
 */
export class RunwareSocket {
  private readonly options: Required<Omit<RunwareSocketOptions, 'connectionSessionUUID' | 'reconnect'>>;
  private readonly reconnect: RetryPolicy | false;
  private session: string | undefined;
  private ws: WebSocket | undefined;
  private current: Promise<void> | undefined;
  private stateValue: SocketState = 'idle';
  private readonly tasks: SocketTasks;
  private readonly outbox: string[] = [];
  private readonly closing = new AbortController();
  private pingTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  private readonly pongWaiters: (() => void)[] = [];
  private connectionsOpened = 0;

  constructor(options: RunwareSocketOptions) {
    if (!options.apiKey) throw new TypeError('RunwareSocket: apiKey is required');
    this.options = {
      url: options.url,
      apiKey: options.apiKey,
      authTimeoutMs: options.authTimeoutMs ?? 15_000,
      pingIntervalMs: options.pingIntervalMs ?? 30_000,
      pongTimeoutMs: options.pongTimeoutMs ?? 10_000,
      taskTimeoutMs: options.taskTimeoutMs ?? 300_000,
      validate: options.validate ?? true,
      photoMakerForm: options.photoMakerForm ?? 'task',
      maxPayloadBytes: options.maxPayloadBytes ?? 512 * 1024 * 1024,
    };
    this.reconnect = options.reconnect === false ? false : { ...DEFAULT_RECONNECT, ...options.reconnect };
    this.session = options.connectionSessionUUID;
    this.tasks = new SocketTasks(options.apiKey);
  }

  /** The session to resume with (Runware's `connectionSessionUUID`), once authenticated. */
  get connectionSessionUUID(): string | undefined {
    return this.session;
  }

  get state(): SocketState {
    return this.stateValue;
  }

  /** Successful authentications so far (1 + reconnects). */
  get connections(): number {
    return this.connectionsOpened;
  }

  /** Opens and authenticates (retrying connection failures per the reconnect policy). */
  connect(): Promise<void> {
    if (this.stateValue === 'closed') return Promise.reject(this.closedError());
    if (!this.current) {
      this.stateValue = 'connecting';
      this.current = this.establish();
    }
    return this.current;
  }

  /**
   * A photoMaker task delivered on this socket (deliveryMethod sync): `onResult` per image as Runware
   * pushes it, deduplicated by imageUUID; resolves with all `numberResults` images.
   */
  async photoMaker(task: PhotoMakerRequest, options: SocketTaskOptions = {}): Promise<PhotoMakerResult[]> {
    const taskUUID = task.taskUUID ?? randomUUID();
    let frame: Record<string, unknown> = {
      ...task,
      taskType: 'photoMaker',
      taskUUID,
      deliveryMethod: 'sync',
    };
    if (options.validate ?? this.options.validate) {
      const checked = validateWith(photoMakerTaskSchema, frame, { taskType: 'photoMaker', taskUUID });
      if (!checked.ok) {
        throw validationErrorFrom(checked.errors, {
          taskUUID,
          taskType: 'photoMaker',
          apiKey: this.options.apiKey,
        });
      }
      frame = checked.value as Record<string, unknown>;
    }
    frame = inForm(frame, this.options.photoMakerForm);
    const numberResults = typeof frame.numberResults === 'number' ? frame.numberResults : 1;
    const done = this.tasks.track(taskUUID, numberResults, frame, this.taskOptions(options));
    done.catch(() => undefined); // the caller gets the rejection; this only marks it handled meanwhile
    await this.connect().catch(() => undefined); // a failed connect rejects `done` through the task registry
    // Connecting sends queued tasks as soon as it authenticates; otherwise send it now.
    const pending = this.tasks.get(taskUUID);
    if (pending && pending.sentOn === undefined) this.sendTask(pending);
    return done;
  }

  /**
   * Waits for the images of a task sent earlier (e.g. on a socket that dropped): with a resumed
   * `connectionSessionUUID` Runware replays what it could not deliver.
   */
  async watch(
    taskUUID: string,
    options: SocketTaskOptions & { numberResults: number },
  ): Promise<PhotoMakerResult[]> {
    const done = this.tasks.track(taskUUID, options.numberResults, undefined, this.taskOptions(options));
    done.catch(() => undefined);
    await this.connect().catch(() => undefined);
    return done;
  }

  /** Round trip of Runware's application-level ping. */
  async ping(): Promise<void> {
    await this.connect();
    await this.pingOnce();
  }

  /** Closes for good: no reconnect; tasks still waiting reject with a retryable `socketClosed`. */
  async close(): Promise<void> {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.closing.abort(this.closedError());
    this.stopPinger();
    this.tasks.rejectAll(this.closedError());
    const ws = this.ws;
    this.ws = undefined;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 2_000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.close(1000, 'client closing');
    });
  }

  // --- connection -----------------------------------------------------------------------------

  private async establish(): Promise<void> {
    const reconnect = this.reconnect === false ? { ...DEFAULT_RETRY, retries: 0 } : this.reconnect;
    // A first connection fails fast (wrong URL or key); an established session keeps trying.
    const policy =
      this.connectionsOpened === 0 ? { ...reconnect, retries: Math.min(reconnect.retries, 2) } : reconnect;
    try {
      await withRetries(() => this.openOnce(), policy, this.closing.signal);
    } catch (error) {
      if (this.stateValue !== 'closed') this.stateValue = 'closed';
      this.tasks.rejectAll(error);
      throw error;
    }
  }

  private openOnce(): Promise<void> {
    return openSession(
      {
        url: this.options.url,
        apiKey: this.options.apiKey,
        authTimeoutMs: this.options.authTimeoutMs,
        maxPayloadBytes: this.options.maxPayloadBytes,
        session: this.session,
        signal: this.closing.signal,
      },
      {
        onOpen: (ws, session) => {
          const resumed = this.session !== undefined && this.session === session;
          this.session = session;
          this.attach(ws, resumed);
        },
        onFrame: (envelope) => this.dispatch(envelope),
        onDrop: (ws) => this.onDrop(ws),
      },
    );
  }

  /** `resumed`: Runware accepted our earlier connectionSessionUUID, so it replays what we missed. */
  private attach(ws: WebSocket, resumed: boolean): void {
    this.ws = ws;
    this.stateValue = 'open';
    this.connectionsOpened += 1;
    this.startPinger();
    for (const frame of this.outbox.splice(0)) ws.send(frame);
    for (const task of this.tasks.all()) {
      if (!task.frame || task.sentOn === this.connectionsOpened) continue;
      if (task.sentOn === undefined) {
        this.sendTask(task); // queued while connecting: its first send
        continue;
      }
      if (!resumed) {
        // A new session: results of tasks sent on the old one are pushed there, never here.
        task.reject(this.sessionLostError(task.taskUUID));
        continue;
      }
      // Written to a connection that dropped, it may or may not have landed: ask getResponse first, so
      // a task Runware holds is never submitted again; `taskNotFound` then sends it (dispatch).
      task.probing = true;
      task.sentOn = this.connectionsOpened;
      ws.send(stringifyRunwareJson([{ taskType: 'getResponse', taskUUID: task.taskUUID }]));
    }
  }

  private onDrop(ws: WebSocket): void {
    if (ws !== this.ws) return;
    this.ws = undefined;
    this.stopPinger();
    if (this.stateValue === 'closed') return;
    if (this.reconnect === false) {
      this.stateValue = 'closed';
      const error = transportErrorFrom(new Error('socket closed'), { code: 'connectionReset' });
      this.tasks.rejectAll(error);
      return;
    }
    this.stateValue = 'reconnecting';
    this.current = this.establish();
    this.current.catch(() => undefined);
  }

  private sendTask(task: PendingTask): void {
    if (!task.frame) return;
    if (this.stateValue === 'open' && this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(stringifyRunwareJson([task.frame]));
      task.sentOn = this.connectionsOpened;
    } else {
      task.sentOn = undefined; // attach() sends it once authenticated
    }
  }

  private sendFrame(tasks: object[]): void {
    const text = stringifyRunwareJson(tasks);
    if (this.stateValue === 'open' && this.ws?.readyState === WebSocket.OPEN) this.ws.send(text);
    else this.outbox.push(text);
  }

  // --- keep-alive -----------------------------------------------------------------------------

  private startPinger(): void {
    this.stopPinger();
    this.pingTimer = setInterval(() => {
      this.pingOnce().catch(() => undefined);
    }, this.options.pingIntervalMs);
    this.pingTimer.unref();
  }

  private stopPinger(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
  }

  private pingOnce(): Promise<void> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(this.closedError());
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Half-open socket: no pong. Terminating fires 'close', which reconnects.
        reject(
          transportErrorFrom(new Error('no pong'), {
            taskType: 'ping',
            code: 'pongTimeout',
            category: 'timeout',
          }),
        );
        ws.terminate();
      }, this.options.pongTimeoutMs);
      this.pongWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      ws.send(stringifyRunwareJson([{ taskType: 'ping', ping: true }]));
    });
  }

  /** A frame after authentication: pongs to the pinger, everything else to its task. */
  private dispatch(envelope: RunwareEnvelope): void {
    const { pongs, askState, send } = this.tasks.route(envelope);
    for (let n = 0; n < pongs; n++) this.pongWaiters.shift()?.();
    for (const taskUUID of askState) this.sendFrame([{ taskType: 'getResponse', taskUUID }]);
    for (const taskUUID of send) {
      const task = this.tasks.get(taskUUID);
      if (!task) continue;
      // Should the lost frame still land, the same taskUUID makes this a conflict, not a second charge.
      task.resent = true;
      this.sendTask(task);
    }
  }

  private taskOptions(options: SocketTaskOptions): SocketTaskOptions & { timeoutMs: number } {
    return { ...options, timeoutMs: options.timeoutMs ?? this.options.taskTimeoutMs };
  }

  private sessionLostError(taskUUID: string): RunwareTransportError {
    return new RunwareTransportError({
      message: `Runware socket: a new session after a reconnect; task ${taskUUID} must be polled (getResponse)`,
      category: 'network',
      retryable: true,
      code: 'sessionLost',
      taskUUID,
      taskType: 'photoMaker',
    });
  }

  private closedError(): RunwareTransportError {
    return new RunwareTransportError({
      message: 'Runware socket closed by the client',
      category: 'network',
      retryable: true,
      code: 'socketClosed',
    });
  }
}
