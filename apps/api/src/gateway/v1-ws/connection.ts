import { once } from 'node:events';
import type { Logger } from '@photomaker/observability';
import type { RunwareError } from '@photomaker/schema';
import { WebSocket } from 'ws';
import type { AdmissionGate } from '../../auth/admission.ts';
import type { Principal } from '../../auth/api-keys.ts';
import type { V1Tasks } from '../v1/tasks.ts';
import { envelope } from './frames.ts';
import { handshake } from './handshake.ts';
import { ResultPush, type ResultPushDeps } from './result-push.ts';
import { SessionFrames } from './session-frames.ts';
import type { SessionState, SessionStore, SessionTask } from './sessions.ts';
import type { SocketCounts } from './socket-limits.ts';
import type { CloseReason, V1SocketMetrics } from './socket-metrics.ts';

/** Close codes: 1012 (service restart) is one every Runware client reconnects on. */
export const CLOSE_CODES: Record<CloseReason, [number, string]> = {
  auth: [4403, 'authentication failed'],
  'auth-timeout': [4408, 'authentication timeout'],
  idle: [1000, 'idle timeout'],
  limit: [1013, 'too many connections'],
  'slow-reader': [1008, 'results not read'],
  shutdown: [1012, 'server restarting'],
  resumed: [4000, 'session resumed on another connection'],
  error: [1011, 'internal error'],
};

/**
 * How long a task whose results were all written stays in its session: a socket cut right after the
 * last write may not have delivered it, and a resume within this replays it.
 */
const SETTLE_GRACE_MS = 30_000;

/** A client that leaves this many bytes unread is cut off (it resumes and gets its results again). */
const SLOW_READER_BYTES = 64 * 1024 * 1024;

export interface ConnectionDeps {
  admission: Pick<AdmissionGate, 'authenticate' | 'charge'>;
  tasks: Pick<V1Tasks, 'runBatch'>;
  sessions: SessionStore;
  /** The sessions attached to a socket in this process (a resume elsewhere closes the old socket). */
  attached: Map<string, Connection>;
  perKey: SocketCounts;
  push: ResultPushDeps;
  metrics: V1SocketMetrics;
  logger: Logger;
  limits: {
    authTimeoutMs: number;
    idleMs: number;
    framesPerSecond: number;
    maxPendingTasks: number;
    maxTasks: number;
    maxSocketsPerKey: number;
  };
  /** The key is proven: the socket's pre-auth byte cap comes off. */
  authenticated(socket: WebSocket): void;
}

interface Bound {
  principal: Principal;
  session: SessionState;
  frames: SessionFrames;
}

/**
 * One socket on /v1: the handshake (first frame, within the auth deadline), then every frame through
 * SessionFrames, sync results pushed per task, idle close. What it holds is released when it closes.
 */
export class Connection {
  private readonly socket: WebSocket;
  private readonly ip: string | undefined;
  private readonly deps: ConnectionDeps;
  private bound: Bound | undefined;
  /** The handshake runs once; frames behind it wait for it. */
  private ready: Promise<void> | undefined;
  private readonly pushes = new Map<string, ResultPush>();
  private authTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private closing = false;
  /** The key whose socket slot this connection holds (released on close). */
  private keyId: string | undefined;
  private readonly abort = new AbortController();
  /** The session's detach in flight (shutdown waits for it before Redis goes). */
  private detaching: Promise<void> = Promise.resolve();

  /** Opened with `?dryRun=1` (legacy sdk-js's dry-run mode): every task is priced, none starts. */
  private readonly dryRun: boolean;

  constructor(socket: WebSocket, ip: string | undefined, deps: ConnectionDeps, dryRun = false) {
    this.socket = socket;
    this.ip = ip;
    this.deps = deps;
    this.dryRun = dryRun;
  }

  start(): void {
    this.authTimer = setTimeout(() => this.close('auth-timeout'), this.deps.limits.authTimeoutMs);
    this.touch();
    this.socket.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      this.touch();
      const text = Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8');
      this.onFrame(text).catch((error: unknown) =>
        this.deps.logger.error({ err: error }, 'v1 websocket frame failed'),
      );
    });
    this.socket.on('close', () => this.onClosed());
    // A client's protocol error (a frame over the cap, a bad opcode): ws closes the socket; not ours to
    // warn about.
    this.socket.on('error', (error) => this.deps.logger.info({ err: error }, 'v1 websocket error'));
  }

  /** Closes with the reason's code (counted); pushes stop, the session waits for a resume. */
  close(reason: CloseReason): void {
    if (this.closing) return;
    this.closing = true;
    this.deps.metrics.closed.inc({ reason });
    const [code, text] = CLOSE_CODES[reason];
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code, text);
    else this.socket.terminate();
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close('idle'), this.deps.limits.idleMs);
    this.idleTimer.unref();
  }

  private async onFrame(text: string): Promise<void> {
    if (!this.ready) {
      this.ready = this.authenticate(text);
      return this.ready;
    }
    await this.ready;
    if (this.bound) await this.bound.frames.handle(text);
  }

  private async authenticate(text: string): Promise<void> {
    const verdict = handshake(this.deps.admission, text, this.ip);
    if (!verdict.ok) {
      await this.send(verdict.frame);
      return this.close('auth');
    }
    clearTimeout(this.authTimer);
    const { principal } = verdict;
    if (!this.deps.perKey.take(principal.keyId)) {
      const limit = this.deps.limits.maxSocketsPerKey;
      const message = `At most ${limit} open /v1 WebSockets per API key (PHOTOMAKER_V1_WS_MAX_SOCKETS_PER_KEY).`;
      const error: RunwareError = { code: 'rateLimitExceeded', message, taskType: 'authentication' };
      await this.send(envelope([], [error]));
      return this.close('limit');
    }
    this.keyId = principal.keyId;
    this.deps.authenticated(this.socket);
    const opened = await this.deps.sessions
      .open(principal.tenant, verdict.resumeUUID)
      .catch((error: unknown) => {
        this.deps.logger.error({ err: error }, 'v1 websocket: opening a session failed');
        return undefined;
      });
    if (!opened) {
      const message = 'Sessions are unavailable; retry shortly.';
      await this.send(envelope([], [{ code: 'serviceUnavailable', message, taskType: 'authentication' }]));
      return this.close('error');
    }
    const { state, resumed } = opened;
    const frames = new SessionFrames({
      ...this.deps,
      principal,
      session: state,
      ip: this.ip,
      signal: this.abort.signal,
      dryRun: this.dryRun,
      pending: () => this.pushes.size,
      send: (frame) => this.send(frame),
      accepted: (task) => this.follow(task),
    });
    // Closed while the session was opening: it waits for a resume like any other.
    if (this.closing) return this.detach(state.uuid);
    this.bound = { principal, session: state, frames };
    this.takeOver(state.uuid);
    this.deps.metrics.sessions.inc({ resumed: String(resumed) });
    await this.send(envelope([{ taskType: 'authentication', connectionSessionUUID: state.uuid }]));
    for (const task of state.tasks) this.follow(task);
    if (verdict.rest.length > 0) await frames.handleTasks(verdict.rest);
  }

  /** This socket now holds the session; one that held it in this process is closed (Runware does so). */
  private takeOver(uuid: string): void {
    const previous = this.deps.attached.get(uuid);
    this.deps.attached.set(uuid, this);
    if (previous && previous !== this) previous.close('resumed');
  }

  /** Pushes a tracked task's results; once all are written the session stops tracking it. */
  private follow(task: SessionTask): void {
    const bound = this.bound;
    if (!bound || this.closing || this.pushes.has(task.jobId)) return;
    const push = new ResultPush(this.deps.push, bound.session.tenant, task, {
      send: (frame) => this.send(frame),
    });
    this.pushes.set(task.jobId, push);
    push
      .run()
      .then((end) => {
        this.pushes.delete(task.jobId);
        if (end !== 'settled') return;
        const settle = () =>
          this.deps.sessions
            .settle(bound.session.uuid, task.jobId)
            .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'v1 websocket: settle failed'));
        setTimeout(settle, SETTLE_GRACE_MS).unref();
      })
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'v1 websocket push failed'));
  }

  /** Resolves true once written; false when the socket is gone. A client that does not read is cut off. */
  send(frame: string): Promise<boolean> {
    if (this.socket.readyState !== WebSocket.OPEN) return Promise.resolve(false);
    if (this.socket.bufferedAmount > SLOW_READER_BYTES) {
      this.close('slow-reader');
      return Promise.resolve(false);
    }
    return new Promise((resolve) => this.socket.send(frame, (error) => resolve(!error)));
  }

  private onClosed(): void {
    this.closing = true;
    this.abort.abort();
    clearTimeout(this.authTimer);
    clearTimeout(this.idleTimer);
    for (const push of this.pushes.values()) push.stop();
    this.pushes.clear();
    if (this.keyId !== undefined) this.deps.perKey.release(this.keyId);
    this.keyId = undefined;
    if (this.bound) this.release(this.bound.session.uuid);
  }

  /** Lets go of the session (if this socket still holds it): it waits `resumeMs` for a resume. */
  private release(uuid: string): void {
    if (this.deps.attached.get(uuid) !== this) return;
    this.deps.attached.delete(uuid);
    this.detach(uuid);
  }

  private detach(uuid: string): void {
    this.detaching = this.deps.sessions
      .detach(uuid)
      .catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'v1 websocket: session detach failed'),
      );
  }

  /** Resolves once the socket has closed and its session was handed back to Redis for a resume. */
  async ended(): Promise<void> {
    if (this.socket.readyState !== WebSocket.CLOSED) await once(this.socket, 'close');
    await this.detaching;
  }
}
