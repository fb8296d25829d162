import type { Logger } from '@photomaker/observability';
import type { RateDecision } from '../guards/rate-limit.ts';
import type { ApiKeyStore, Principal } from './api-keys.ts';

export type Transport = 'http' | 'ws' | 'v1';

/** What a caller presents. Later additions (client IP for per-IP limits, ...) are more optional fields. */
export interface Credentials {
  apiKey: string | undefined;
  transport: Transport;
}

/**
 * Why a caller is refused. Each transport maps it to its own protocol's error: GraphQL extensions.code +
 * HTTP status, a /v1 Runware error + HTTP status, or a graphql-ws close code / subscribe error.
 */
export type Refusal =
  | { kind: 'unauthenticated'; reason: 'missing-key' | 'invalid-key' }
  | { kind: 'rate-limited'; retryAfterSeconds: number }
  /** The limiter could not decide (Redis and its in-memory insurance both failed). */
  | { kind: 'unavailable' };

export type Admission = { ok: true; principal: Principal } | { ok: false; refusal: Refusal };

/**
 * The one gate of every transport: API key -> tenant principal -> per-key rate limit.
 *
 * Failure policy: when the limiter itself fails, the request is refused (`unavailable`), on every
 * transport. Failing open would turn a limiter outage into unlimited generation (each job spends money at
 * Runware), and the limiter already falls back to per-process in-memory counting while Redis is down, so
 * this only triggers when even that fails: a refusal a client retries is the cheaper mistake.
 */
export class AdmissionGate {
  private readonly keys: Pick<ApiKeyStore, 'identify'>;
  private readonly limiter: { consume(keyId: string): Promise<RateDecision> };
  private readonly onRateLimited: () => void;
  private readonly logger: Logger;

  constructor(deps: {
    keys: Pick<ApiKeyStore, 'identify'>;
    limiter: { consume(keyId: string): Promise<RateDecision> };
    /** Counts refusals by the rate limit (metrics). */
    onRateLimited: () => void;
    logger: Logger;
  }) {
    this.keys = deps.keys;
    this.limiter = deps.limiter;
    this.onRateLimited = deps.onRateLimited;
    this.logger = deps.logger;
  }

  /** Key check only (graphql-ws connects once, then each subscribe is charged with `charge`). */
  authenticate(credentials: Credentials): Admission {
    if (!credentials.apiKey)
      return { ok: false, refusal: { kind: 'unauthenticated', reason: 'missing-key' } };
    const principal = this.keys.identify(credentials.apiKey);
    if (!principal) return { ok: false, refusal: { kind: 'unauthenticated', reason: 'invalid-key' } };
    return { ok: true, principal };
  }

  /** One request (or one subscribe) of an authenticated principal against its rate limit. */
  async charge(principal: Principal, transport: Transport): Promise<Admission> {
    let decision: RateDecision;
    try {
      decision = await this.limiter.consume(principal.keyId);
    } catch (error) {
      this.logger.error(
        { transport, reason: error instanceof Error ? error.message : String(error) },
        'rate limiter failed; refusing the request',
      );
      return { ok: false, refusal: { kind: 'unavailable' } };
    }
    if (decision.ok) return { ok: true, principal };
    this.onRateLimited();
    return { ok: false, refusal: { kind: 'rate-limited', retryAfterSeconds: decision.retryAfterSeconds } };
  }

  /** Key, then rate limit: a principal, or a typed refusal. */
  async admit(credentials: Credentials): Promise<Admission> {
    const authenticated = this.authenticate(credentials);
    if (!authenticated.ok) return authenticated;
    return this.charge(authenticated.principal, credentials.transport);
  }
}
