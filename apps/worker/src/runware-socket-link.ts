import type { Logger } from '@photomaker/observability';
import { RunwareTransportError } from '@photomaker/runware';
import { RunwareSocket, type RunwareSocketOptions } from '@photomaker/runware/socket';

export interface SocketLinkOptions {
  /** Passed to each RunwareSocket (url, apiKey, photoMakerForm, reconnect policy, ...). */
  socket: RunwareSocketOptions;
  /** After a socket gave up (it could not connect), how long REST carries everything before a new try. */
  retryAfterMs: number;
  /** A task on a socket that has not been open for this long moves to REST (getTaskDetails, getResponse). */
  downGraceMs: number;
  logger: Logger;
}

/**
 * The worker process's one Runware WebSocket session, shared by every activity. `ready()` hands out the
 * socket only while it is open, so new image tasks go over REST whenever it is down; a socket that gave
 * up is replaced (a new session) after `retryAfterMs`. A dropped socket reconnects by itself and resumes
 * its session (RunwareSocket); `whileDown` lets a task leave it for REST when that takes too long.
 */
export class RunwareSocketLink {
  private readonly options: SocketLinkOptions;
  private socket: RunwareSocket | undefined;
  private nextTry = 0;
  private closed = false;
  private wasOpen = false;

  constructor(options: SocketLinkOptions) {
    this.options = options;
  }

  /** Authentications of the current socket (1 + its reconnects); 0 before it first opened. */
  get connections(): number {
    return this.socket?.connections ?? 0;
  }

  /** Opens the session (at start, so the first jobs can use it); settles once it is open or gave up. */
  start(): Promise<void> {
    if (!this.socket) this.replace();
    return (
      this.socket?.connect().then(
        () => undefined,
        () => undefined,
      ) ?? Promise.resolve()
    );
  }

  /** The open socket, or undefined: send over REST this time. */
  ready(): RunwareSocket | undefined {
    const socket = this.socket;
    if (socket?.state === 'open') {
      if (!this.wasOpen) this.options.logger.info('Runware WebSocket open: image tasks go over it');
      this.wasOpen = true;
      return socket;
    }
    if (this.wasOpen) {
      this.options.logger.warn({ state: socket?.state }, 'Runware WebSocket down: image tasks go over REST');
      this.wasOpen = false;
    }
    if (!socket || socket.state === 'closed') this.replace();
    return undefined;
  }

  /**
   * Calls `onDown` once `socket` has not been open for downGraceMs (it is reconnecting, or gave up).
   * Returns the function that stops watching.
   */
  whileDown(socket: RunwareSocket, onDown: (error: RunwareTransportError) => void): () => void {
    let downSince: number | undefined;
    const timer = setInterval(
      () => {
        if (socket.state === 'open') {
          downSince = undefined;
          return;
        }
        downSince ??= Date.now();
        if (Date.now() - downSince < this.options.downGraceMs) return;
        clearInterval(timer);
        onDown(
          new RunwareTransportError({
            message: `Runware WebSocket not open for ${this.options.downGraceMs} ms: continuing over REST`,
            category: 'network',
            retryable: true,
            code: 'socketDown',
          }),
        );
      },
      Math.max(20, Math.min(250, this.options.downGraceMs / 4)),
    );
    timer.unref();
    return () => clearInterval(timer);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.socket?.close();
  }

  private replace(): void {
    if (this.closed || Date.now() < this.nextTry) return;
    this.nextTry = Date.now() + this.options.retryAfterMs;
    const previous = this.socket;
    const socket = new RunwareSocket(this.options.socket);
    this.socket = socket;
    previous?.close().catch(() => undefined);
    socket.connect().then(
      () => this.ready(),
      (error: unknown) =>
        this.options.logger.warn(
          { err: error, retryInMs: this.options.retryAfterMs },
          'Runware WebSocket cannot connect: image tasks go over REST meanwhile',
        ),
    );
  }
}
