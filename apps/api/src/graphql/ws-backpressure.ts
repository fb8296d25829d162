import { WebSocket } from 'ws';

/**
 * The close code of a graphql-ws socket whose reader fell behind (README "Slow subscribers"): the client
 * reconnects and resubscribes with afterSeq = the last seq it saw, and gets every later event. Not in
 * graphql-ws's list of fatal codes, so its client retries on it.
 */
export const SLOW_CONSUMER_CLOSE = 4008;
const SLOW_CONSUMER_REASON = 'slow consumer: resubscribe with afterSeq';

/** Bytes a socket may have waiting in the API's memory (ws + the socket's write queue) before it is dropped. */
export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024;

/** After the close frame is queued, how long a socket that still does not read keeps its backlog. */
const CLOSE_GRACE_MS = 5_000;

/**
 * A `ws` socket for graphql-ws with a bound on what it buffers. graphql-ws awaits each `send`'s callback
 * before it pulls the next result; `ws` calls it only once the bytes reach the kernel, so a reader that
 * stops reading stalled its subscriptions and grew their event queues instead. Here `send` answers at
 * once and the backlog is counted in bytes: past `maxBufferedBytes` the socket is closed with
 * SLOW_CONSUMER_CLOSE (after the backlog, so a client that resumes reading sees every frame then the
 * code) and destroyed CLOSE_GRACE_MS later if it still does not read. A subclass, not a wrapper per
 * socket: no closure per connection.
 */
export function boundedSocketClass(
  maxBufferedBytes: number,
  onSlow: (socket: WebSocket) => void,
): typeof WebSocket {
  return class BoundedSocket extends WebSocket {
    private dropping = false;

    override send(data: unknown, ...rest: unknown[]): void {
      const callback = rest.at(-1) as ((error?: Error) => void) | undefined;
      if (this.dropping || this.readyState !== WebSocket.OPEN) {
        if (typeof callback === 'function') callback();
        return;
      }
      const args = typeof callback === 'function' ? rest.slice(0, -1) : rest;
      (super.send as (data: unknown, ...rest: unknown[]) => void)(data, ...args);
      if (typeof callback === 'function') callback();
      if (this.bufferedAmount > maxBufferedBytes) this.dropSlow();
    }

    private dropSlow(): void {
      this.dropping = true;
      onSlow(this);
      this.close(SLOW_CONSUMER_CLOSE, SLOW_CONSUMER_REASON);
      setTimeout(() => {
        if (this.readyState !== WebSocket.CLOSED) this.terminate();
      }, CLOSE_GRACE_MS).unref();
    }
  } as unknown as typeof WebSocket;
}
