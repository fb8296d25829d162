import { createHash } from 'node:crypto';
import { abOff } from './ab-switch.ts';
import type { RedisClient } from './redis-client.ts';

type Defined = Record<string, (...args: (string | number)[]) => Promise<unknown>>;

/**
 * A Lua script run by its SHA1 (EVALSHA; ioredis loads it once on NOSCRIPT) instead of sending its text
 * with every call as EVAL does: fewer bytes per call, and Redis no longer hashes the text each time. The
 * command's name is the script's digest, so scripts built per key layout never share a name.
 */
export class LuaScript {
  private readonly lua: string;
  private readonly name: string;

  constructor(lua: string) {
    this.lua = lua;
    this.name = `photomakerLua${createHash('sha1').update(lua).digest('hex')}`;
  }

  run(redis: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    if (abOff('evalsha')) return redis.eval(this.lua, keys.length, ...keys, ...args);
    if (!(this.name in redis)) redis.defineCommand(this.name, { lua: this.lua });
    const command = (redis as unknown as Defined)[this.name];
    if (!command) throw new Error(`script ${this.name} is not defined`);
    return command.call(redis, keys.length, ...keys, ...args);
  }
}
