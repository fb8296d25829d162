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
  REDIS_CLUSTER_NODES: z
    .string()
    .trim()
    .refine((value) => value.split(',').every((node) => /^[^\s:,]+:\d{1,5}$/.test(node.trim())), {
      error: 'must be host:port[,host:port...]',
    })
    .optional()
    .describe('Redis Cluster seeds `host:port,...`; `REDIS_URL` then gives only scheme and credentials')
    .meta({ defaultText: 'unset (one node)' }),
});
