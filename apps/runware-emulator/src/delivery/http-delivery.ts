import pRetry from 'p-retry';

/** How the emulator retries its own outbound calls (webhook POSTs, uploadEndpoint PUTs). */
export interface DeliveryPolicy {
  attempts: number;
  minDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export interface DeliveryOutcome {
  ok: boolean;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
}

class DeliveryFailed extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'DeliveryFailed';
    this.status = status;
  }
}

/**
 * One HTTP call, retried with exponential backoff and jitter on anything but a 2xx (Runware retries
 * webhooks until the endpoint answers 2xx). Never throws: the outcome says what happened.
 */
export async function deliver(
  request: { method: 'POST' | 'PUT'; url: string; body: string | Buffer; contentType: string },
  policy: DeliveryPolicy,
  onAttempt?: (ok: boolean) => void,
  /** Fault injection: the first N answers count as failures whatever the target said. */
  failFirst = 0,
): Promise<DeliveryOutcome> {
  let attempts = 0;
  let lastStatus: number | undefined;
  let lastError: string | undefined;
  try {
    await pRetry(
      async () => {
        attempts += 1;
        let response: Response;
        try {
          response = await fetch(request.url, {
            method: request.method,
            headers: { 'content-type': request.contentType, 'user-agent': 'runware-emulator' },
            body: request.body,
            signal: AbortSignal.timeout(policy.timeoutMs),
          });
        } catch (error) {
          lastError = (error as Error).name === 'TimeoutError' ? 'timed out' : 'connection failed';
          onAttempt?.(false);
          throw new DeliveryFailed(lastError);
        }
        lastStatus = response.status;
        await response.body?.cancel();
        const ok = response.status >= 200 && response.status < 300 && attempts > failFirst;
        onAttempt?.(ok);
        if (!ok) {
          lastError =
            attempts <= failFirst
              ? `HTTP ${response.status} (counted as failed by a fault)`
              : `HTTP ${response.status}`;
          throw new DeliveryFailed(lastError, response.status);
        }
      },
      {
        retries: Math.max(0, policy.attempts - 1),
        minTimeout: policy.minDelayMs,
        maxTimeout: policy.maxDelayMs,
        factor: 2,
        randomize: true,
      },
    );
    return { ok: true, attempts, ...(lastStatus !== undefined ? { lastStatus } : {}) };
  } catch {
    return {
      ok: false,
      attempts,
      ...(lastStatus !== undefined ? { lastStatus } : {}),
      ...(lastError !== undefined ? { lastError } : {}),
    };
  }
}
