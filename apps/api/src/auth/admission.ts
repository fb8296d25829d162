import type { Logger } from '@photomaker/observability';
import type { RateDecision } from '../guards/rate-limit.ts';
import { type AddressDecision, type AddressLimits, addressKey } from './address-limits.ts';
import type { Principal } from './api-keys.ts';

/** Key -> principal (the tenant directory; a fixed ApiKeyStore in tests). */
export interface KeyIdentifier {
  identify(key: string | undefined | null): Principal | undefined;
}

export type Transport = 'http' | 'ws' | 'v1';

/** What a caller presents. */
export interface Credentials {
  apiKey: string | undefined;
  transport: Transport;
  /** The peer's address (socket.remoteAddress): failed authentications are limited per address. */
  ip?: string | undefined;
}

/**
 * Why a caller is refused. Each transport maps it to its own protocol's error: GraphQL extensions.code +
 * HTTP status, a /v1 Runware error + HTTP status, or a graphql-ws close code / subscribe error.
 */
export type Refusal =
  | { kind: 'unauthenticated'; reason: 'missing-key' | 'invalid-key' }
  | { kind: 'rate-limited'; retryAfterSeconds: number }
  /**
   * The caller's address is limited before any key is known: too many failed authentications (blocked
   * with a growing delay) or too many requests without a key header.
   */
  | { kind: 'address-limited'; reason: 'failed-auth' | 'anonymous'; retryAfterSeconds: number }
  /** The limiter could not decide (Redis and its in-memory insurance both failed). */
  | { kind: 'unavailable' };

export type Admission = { ok: true; principal: Principal } | { ok: false; refusal: Refusal };

function addressLimited(
  reason: 'failed-auth' | 'anonymous',
  decision: AddressDecision,
): { ok: false; refusal: Refusal } | undefined {
  if (decision.ok) return undefined;
  return {
    ok: false,
    refusal: { kind: 'address-limited', reason, retryAfterSeconds: decision.retryAfterSeconds },
  };
}

/**
 * The one gate of every transport: (caller address) -> API key -> tenant principal -> per-key rate limit.
 * The address limits (address-limits.ts) run first and only in memory, so a caller without a valid key
 * costs a hash at most and a guesser is slowed down by a growing block.
 *
 * Failure policy: when the limiter itself fails, the request is refused (`unavailable`), on every
 * transport. Failing open would turn a limiter outage into unlimited generation (each job spends money at
 * Runware), and the limiter already falls back to per-process in-memory counting while Redis is down, so
 * this only triggers when even that fails: a refusal a client retries is the cheaper mistake.
 */
export class AdmissionGate {
  private readonly keys: KeyIdentifier;
  private readonly limiter: { consume(keyId: string): Promise<RateDecision> };
  private readonly onRateLimited: () => void;
  private readonly logger: Logger;
  private readonly addresses: AddressLimits | undefined;

  constructor(deps: {
    keys: KeyIdentifier;
    /** Per-address limits; without them (in-process tests), nothing is limited per address. */
    addresses?: AddressLimits;
    limiter: { consume(keyId: string): Promise<RateDecision> };
    /** Counts refusals by the rate limit (metrics). */
    onRateLimited: () => void;
    logger: Logger;
  }) {
    this.keys = deps.keys;
    this.limiter = deps.limiter;
    this.onRateLimited = deps.onRateLimited;
    this.logger = deps.logger;
    this.addresses = deps.addresses;
  }

  /**
   * A request that arrives without a key header (/v1 may carry its key in the body): charged against
   * its address before the body is read. Refused: `address-limited`.
   */
  admitAnonymous(ip: string | undefined): { ok: true } | { ok: false; refusal: Refusal } {
    if (!this.addresses) return { ok: true };
    return addressLimited('anonymous', this.addresses.chargeAnonymous(addressKey(ip))) ?? { ok: true };
  }

  /**
   * Key check only (graphql-ws connects once, then each subscribe is charged with `charge`). A blocked
   * address is refused before its key is compared, and that attempt counts as one more failure: guessing
   * through a block is impossible, and hammering only lengthens it.
   */
  authenticate(credentials: Credentials): Admission {
    const address = addressKey(credentials.ip);
    if (this.addresses && !this.addresses.blocked(address).ok) {
      const refused = addressLimited('failed-auth', this.addresses.recordFailure(address));
      if (refused) return refused;
    }
    const principal = credentials.apiKey ? this.keys.identify(credentials.apiKey) : undefined;
    if (principal) {
      this.addresses?.recordSuccess(address);
      return { ok: true, principal };
    }
    const failed = this.addresses?.recordFailure(address);
    const limited = failed && addressLimited('failed-auth', failed);
    if (limited) return limited;
    return {
      ok: false,
      refusal: { kind: 'unauthenticated', reason: credentials.apiKey ? 'invalid-key' : 'missing-key' },
    };
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

/** The words every transport uses for an `address-limited` refusal (names the limit and the rule). */
export function addressLimitMessage(refusal: Extract<Refusal, { kind: 'address-limited' }>): string {
  const wait = `retry in ${refusal.retryAfterSeconds} s`;
  return refusal.reason === 'failed-auth'
    ? `Too many failed authentications from this address: blocked, and each further attempt doubles the block; ${wait}`
    : `Too many requests without an Authorization header from this address (PHOTOMAKER_ANONYMOUS_RATE_LIMIT); send Authorization: Bearer <key> or ${wait}`;
}
