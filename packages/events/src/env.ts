import { z } from 'zod';

/** The Redis holding the job event streams. */
export const redisEnv = z.object({
  REDIS_URL: z
    .string()
    .trim()
    .refine((value) => /^rediss?:\/\/[^\s]+$/.test(value) && URL.canParse(value), {
      error: 'must be a redis:// or rediss:// URL',
    })
    .default('redis://127.0.0.1:6380')
    .describe('Redis of the job event streams (`redis://` or `rediss://`)'),
});
