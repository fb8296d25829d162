import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LuaScript, masterConnections, type RedisClient } from '../src/index.ts';
import { BACKENDS, type Backend, startBackend } from './support/backends.ts';

const INCR = new LuaScript(`return redis.call('INCRBY', KEYS[1], ARGV[1])`);

/** Total calls of a command on every master (INFO commandstats). */
async function calls(redis: RedisClient, command: string): Promise<number> {
  let total = 0;
  for (const node of masterConnections(redis)) {
    const info = await node.info('commandstats');
    total += Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
  }
  return total;
}

describe.each(BACKENDS)('LuaScript on a %s', (kind) => {
  let backend: Backend;
  let redis: RedisClient;

  beforeAll(async () => {
    backend = await startBackend(kind);
    redis = backend.client;
  });

  afterAll(() => backend.stop());

  it('runs by SHA once loaded, and loads itself again after the script cache is flushed', async () => {
    const key = '{lua-test}:n';
    expect(await INCR.run(redis, [key], [2])).toBe(2);
    const evalsBefore = await calls(redis, 'eval');
    const shasBefore = await calls(redis, 'evalsha');
    expect(await INCR.run(redis, [key], [3])).toBe(5);
    expect(await calls(redis, 'evalsha')).toBe(shasBefore + 1);
    expect(await calls(redis, 'eval')).toBe(evalsBefore);
    for (const node of masterConnections(redis)) await node.script('FLUSH');
    expect(await INCR.run(redis, [key], [4])).toBe(9);
  });
});
