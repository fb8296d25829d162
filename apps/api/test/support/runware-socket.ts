import { once } from 'node:events';
import { parseRunwareJson, stringifyRunwareJson } from '@photomaker/schema';
import WebSocket from 'ws';

export type Frame = { data?: Record<string, unknown>[]; errors?: Record<string, unknown>[]; error?: unknown };

/**
 * A bare Runware WebSocket client for protocol tests: sends task arrays, and hands out every frame the
 * server sends in order (`next` waits for the first one matching, consuming the ones before it).
 */
export class RunwareSocket {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  private readonly waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      this.frames.push(parseRunwareJson(data.toString()) as Frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const wake of this.waiters.splice(0)) wake();
    });
    ws.on('error', () => undefined);
  }

  static async open(apiUrl: string, path = '/v1'): Promise<RunwareSocket> {
    const ws = new WebSocket(`${apiUrl.replace(/^http/, 'ws')}${path}`);
    const socket = new RunwareSocket(ws);
    await once(ws, 'open');
    return socket;
  }

  /** Opens and authenticates; resolves with the socket and its session UUID. */
  static async session(
    apiUrl: string,
    apiKey: string,
    resume?: string,
  ): Promise<{ socket: RunwareSocket; uuid: string }> {
    const socket = await RunwareSocket.open(apiUrl);
    socket.send([
      { taskType: 'authentication', apiKey, ...(resume ? { connectionSessionUUID: resume } : {}) },
    ]);
    const frame = await socket.next(
      (f) => f.data?.[0]?.taskType === 'authentication' || f.errors !== undefined,
    );
    const uuid = frame.data?.[0]?.connectionSessionUUID;
    if (typeof uuid !== 'string') throw new Error(`authentication failed: ${JSON.stringify(frame)}`);
    return { socket, uuid };
  }

  send(tasks: unknown): void {
    this.ws.send(typeof tasks === 'string' ? tasks : stringifyRunwareJson(tasks));
  }

  /** The first received frame matching `match` (earlier frames are consumed); rejects after `timeoutMs`. */
  async next(match: (frame: Frame) => boolean = () => true, timeoutMs = 30_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex(match);
      if (index >= 0) return this.frames.splice(0, index + 1)[index] as Frame;
      if (this.closed)
        throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) before a match`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching frame within ${timeoutMs} ms: ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves with the close code and reason once the server closed the socket. */
  async closedBy(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (!this.closed) throw new Error(`not closed within ${timeoutMs} ms`);
    return this.closed;
  }

  close(): void {
    this.ws.terminate();
  }
}

/** The items of a frame for one taskUUID that carry an image. */
export const imagesOf = (frame: Frame, taskUUID: string) =>
  (frame.data ?? []).filter((item) => item.taskUUID === taskUUID && typeof item.imageUUID === 'string');
