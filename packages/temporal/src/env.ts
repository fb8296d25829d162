import { z } from 'zod';
import { TASK_QUEUE } from './contract.ts';

// Node-only entry (`@photomaker/temporal/env`): zod stays out of the workflow-safe root entry.

const hostPort = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$|^\[[0-9a-fA-F:]+\]:[0-9]{1,5}$/, {
    error: 'must be host:port, e.g. temporal.example.com:7233',
  });

/** Where a Temporal client or worker connects. */
export const temporalEnv = z.object({
  TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233').describe('Temporal frontend (`host:port`)'),
  TEMPORAL_NAMESPACE: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._-]{1,255}$/, { error: 'must be a Temporal namespace name' })
    .default('default')
    .describe('Temporal namespace'),
});

/** The task queue the worker polls (the API starts workflows on `TASK_QUEUE`). */
export const taskQueueEnv = z.object({
  TEMPORAL_TASK_QUEUE: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .default(TASK_QUEUE)
    .describe('Temporal task queue the worker polls'),
});
