import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-client.ts';

/**
 * A Lua script run by its SHA1 (EVALSHA) instead of sending its text with every call as EVAL does:
 * fewer bytes per call, and Redis no longer hashes the text each time. A node that does not know it yet
 * (first call, restart, failover, SCRIPT FLUSH) answers NOSCRIPT: then one EVAL runs it and caches it.
 * Plain EVALSHA, not ioredis' defineCommand: a command defined while an auto-pipeline is pending is
 * missing from that pipeline (ioredis then throws out of its callback, an uncaught exception), and a
 * defined command's first argument is its key count, by which a cluster's auto-pipeline would route it.
 */
export class LuaScript {
  private readonly lua: string;
  private readonly sha: string;

  constructor(lua: string) {
    this.lua = lua;
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(
    redis: RedisClient,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}
