import type { RedisClient } from '@photomaker/events';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Requests per API key per window, counted in Redis so the limit holds across API replicas; an
 * in-memory limiter takes over while Redis is unreachable (limits then hold per process).
 */
export class RateLimit {
  private readonly limiter: RateLimiterRedis | undefined;

  constructor(options: { redis: RedisClient; points: number; windowSeconds: number }) {
    if (options.points <= 0) return;
    this.limiter = new RateLimiterRedis({
      storeClient: options.redis,
      keyPrefix: 'photomaker:ratelimit',
      points: options.points,
      duration: options.windowSeconds,
      insuranceLimiter: new RateLimiterMemory({ points: options.points, duration: options.windowSeconds }),
    });
  }

  async consume(keyId: string, points = 1): Promise<RateDecision> {
    if (!this.limiter) return { ok: true };
    try {
      await this.limiter.consume(keyId, points);
      return { ok: true };
    } catch (error) {
      if (error instanceof RateLimiterRes)
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) };
      throw error;
    }
  }
}
