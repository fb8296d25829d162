import { parseRunwareJson, stringifyRunwareJson } from '@photomaker/schema';
import WebSocket from 'ws';

export type Frame = { data?: Record<string, unknown>[]; errors?: Record<string, unknown>[]; error?: unknown };

/** A bare WebSocket test client: every frame recorded, frames awaited by predicate. */
export class WsClient {
  readonly frames: Frame[] = [];
  readonly socket: WebSocket;
  closed: Promise<{ code: number; reason: string }>;
  private waiters: { match: (frame: Frame) => boolean; resolve: (frame: Frame) => void }[] = [];
  private seen = 0;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    socket.on('message', (data) => {
      const frame = parseRunwareJson(data.toString()) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    });
  }

  static async connect(url: string): Promise<WsClient> {
    const socket = new WebSocket(url);
    const client = new WsClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  /** Connects and authenticates; returns the client and its connectionSessionUUID. */
  static async session(
    url: string,
    apiKey: string,
    resume?: string,
  ): Promise<{ client: WsClient; session: string }> {
    const client = await WsClient.connect(url);
    const reply = await client.request(
      [{ taskType: 'authentication', apiKey, ...(resume ? { connectionSessionUUID: resume } : {}) }],
      (frame) => frame.data?.[0]?.taskType === 'authentication' || Boolean(frame.errors),
    );
    const session = reply.data?.[0]?.connectionSessionUUID;
    if (typeof session !== 'string') throw new Error(`authentication failed: ${JSON.stringify(reply)}`);
    return { client, session };
  }

  send(tasks: unknown): void {
    this.socket.send(stringifyRunwareJson(tasks));
  }

  /** The next frame (including ones already received but not yet consumed) matching `match`. */
  next(match: (frame: Frame) => boolean = () => true, timeoutMs = 10_000): Promise<Frame> {
    const existing = this.frames.slice(this.seen).find(match);
    if (existing) {
      this.seen = this.frames.indexOf(existing) + 1;
      return Promise.resolve(existing);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (frame) => {
          clearTimeout(timer);
          this.seen = this.frames.indexOf(frame) + 1;
          resolve(frame);
        },
      });
    });
  }

  request(tasks: unknown, match: (frame: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const waiting = this.next(match, timeoutMs);
    this.send(tasks);
    return waiting;
  }

  /** Frames whose items or errors belong to `taskUUID`. */
  framesFor(taskUUID: string): Frame[] {
    return this.frames.filter(
      (frame) =>
        frame.data?.some((item) => item.taskUUID === taskUUID) ||
        frame.errors?.some((error) => error.taskUUID === taskUUID),
    );
  }

  close(): void {
    this.socket.close();
  }
}

export const forTask =
  (taskUUID: string) =>
  (frame: Frame): boolean =>
    Boolean(
      frame.data?.some((item) => item.taskUUID === taskUUID) ||
        frame.errors?.some((error) => error.taskUUID === taskUUID),
    );
