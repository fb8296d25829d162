import { z } from 'zod';

/** Which tasks a fault applies to. Every given field must match; an empty match matches every task. */
const faultMatchSchema = z.strictObject({
  taskType: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  transport: z.enum(['rest', 'ws']).optional(),
  taskUUID: z.string().optional(),
  // Dry runs (X-Runware-Dry-Run) draw only entries with `dryRun: true`; real tasks only the others, so a
  // price check never consumes a fault meant for a real run.
  dryRun: z.boolean().optional(),
});

/** What happens to a matching task. */
const faultSchema = z.discriminatedUnion('kind', [
  // The task is answered with this Runware error and nothing runs (e.g. 503 serviceUnavailable, 504 timeout).
  z.strictObject({
    kind: z.literal('error'),
    status: z.int().min(400).max(599),
    code: z.string().min(1),
    message: z.string().optional(),
    retryAfterSeconds: z.number().min(0).optional(),
  }),
  // The connection is reset: before any work (nothing accepted), right after the task was accepted and
  // charged (no answer at all), or in the middle of writing the answer body (REST; on WS = afterAccept).
  z.strictObject({
    kind: z.literal('reset'),
    when: z.enum(['beforeWork', 'afterAccept', 'midBody']).optional(),
  }),
  // The answer trickles out over `ms` (REST body in chunks; WS frames of the task held back by `ms`).
  z.strictObject({ kind: z.literal('slowBody'), ms: z.int().min(0).optional() }),
  // Every WS frame and webhook POST of the task is sent `copies` extra times; REST result items repeated.
  z.strictObject({ kind: z.literal('duplicateFrames'), copies: z.int().min(1).max(10).optional() }),
  // getResponse reports every generation of the task as `processing` for the next `polls` polls.
  z.strictObject({ kind: z.literal('stuck'), polls: z.int().min(1).optional() }),
  // The accepted task is not yet visible to getResponse (Runware's race between accepting a task and
  // its state being readable): `taskNotFound` for the next `polls` polls.
  z.strictObject({ kind: z.literal('invisible'), polls: z.int().min(1).optional() }),
  // The listed generations (0-based; all when omitted) fail with this code. Failed generations are not charged.
  z.strictObject({
    kind: z.literal('generationError'),
    code: z.string().min(1).optional(),
    message: z.string().optional(),
    images: z.array(z.int().min(0)).optional(),
  }),
  // Webhook delivery of the task: held back `delayMs`; dropped (never POSTed) when `drop`; or the first
  // `failAttempts` POSTs of each result treated as if the target had answered 500 (so it is retried and
  // the target receives the same result again).
  z.strictObject({
    kind: z.literal('webhook'),
    delayMs: z.int().min(0).optional(),
    drop: z.boolean().optional(),
    failAttempts: z.int().min(1).max(20).optional(),
  }),
]);

export const scriptedFaultSchema = z.strictObject({
  match: faultMatchSchema.optional(),
  /** How many matching tasks get this fault; consumed in order. */
  count: z.int().min(1).default(1),
  fault: faultSchema,
});

export const rateFaultSchema = z.strictObject({
  match: faultMatchSchema.optional(),
  probability: z.number().min(0).max(1),
  fault: faultSchema,
});

export const faultConfigSchema = z.strictObject({
  /** Seed of the RNG that draws the probability faults (reproducible chaos runs); random when absent. */
  seed: z.int().optional(),
  /** Defaults for faults that leave them out. */
  retryAfterSeconds: z.number().min(0).default(1),
  slowBodyMs: z.int().min(0).default(2_000),
  stuckPolls: z.int().min(1).default(3),
  scripted: z.array(scriptedFaultSchema).default([]),
  rates: z.array(rateFaultSchema).default([]),
});

export type FaultMatch = z.output<typeof faultMatchSchema>;
export type Fault = z.output<typeof faultSchema>;

export type ScriptedFault = z.output<typeof scriptedFaultSchema>;

export type FaultConfig = z.output<typeof faultConfigSchema>;
export type FaultConfigInput = z.input<typeof faultConfigSchema>;

export class FaultConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultConfigError';
  }
}

/** Parses a fault config; errors name the offending path. */
export function parseFaultConfig(input: unknown): FaultConfig {
  const result = faultConfigSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new FaultConfigError(`invalid fault config: ${issues.join('; ')}`);
}

export function parseFaultConfigJson(text: string): FaultConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FaultConfigError(`fault config is not JSON: ${(error as Error).message}`);
  }
  return parseFaultConfig(value);
}
