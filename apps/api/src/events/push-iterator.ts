/** A subscriber that cannot keep up: its queue outgrew the limit. It should resume with afterSeq. */
export class SlowSubscriberError extends Error {
  constructor(limit: number) {
    super(`subscriber fell more than ${limit} events behind; resubscribe with afterSeq to resume`);
    this.name = 'SlowSubscriberError';
  }
}

/**
 * A push -> pull queue exposed as an AsyncIterableIterator. Unlike an async generator, `return()` takes
 * effect at once even while a consumer waits in `next()`, so an unsubscribe always runs `onClose`
 * (no leaked hub registrations for clients that leave a quiet job).
 */
export class PushIterator<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private ended = false;
  private closed = false;
  private failure: unknown;
  private readonly limit: number;
  private readonly onClose: () => void;
  private readonly overflow: () => unknown;

  constructor(options: { limit: number; onClose: () => void; overflow?: () => unknown }) {
    this.limit = options.limit;
    this.onClose = options.onClose;
    this.overflow = options.overflow ?? (() => new SlowSubscriberError(options.limit));
  }

  get isClosed(): boolean {
    return this.closed || this.ended;
  }

  push(value: T): void {
    if (this.ended || this.closed) return;
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve({ value, done: false });
      return;
    }
    this.queue.push(value);
    if (this.queue.length > this.limit) this.fail(this.overflow());
  }

  /** No more values: the consumer drains what is queued, then completes. */
  end(): void {
    if (this.ended || this.closed) return;
    this.ended = true;
    this.onClose();
    if (this.waiter && this.queue.length === 0) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  fail(error: unknown): void {
    if (this.ended || this.closed) return;
    this.failure = error;
    this.queue.length = 0;
    this.ended = true;
    this.onClose();
    if (this.waiter) {
      const { reject } = this.waiter;
      this.waiter = undefined;
      reject(error);
    }
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.queue.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.failure !== undefined) {
      const error = this.failure;
      this.failure = undefined;
      return Promise.reject(error);
    }
    if (this.ended || this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.closed) {
      this.closed = true;
      this.queue.length = 0;
      if (!this.ended) this.onClose();
      this.ended = true;
      if (this.waiter) {
        const { resolve } = this.waiter;
        this.waiter = undefined;
        resolve({ value: undefined, done: true });
      }
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
