import type { Fault, FaultConfig } from './fault-config.ts';

/** Everything the faults drawn for one task ask for, with defaults filled in. */
export interface TaskFaults {
  error?: { status: number; code: string; message: string; retryAfterSeconds?: number };
  reset?: 'beforeWork' | 'afterAccept' | 'midBody';
  slowBodyMs?: number;
  duplicates?: number;
  stuckPolls?: number;
  invisiblePolls?: number;
  generationError?: { code: string; message: string; images?: number[] };
  webhook?: { delayMs: number; drop: boolean; failAttempts: number };
}

/** The config's values for faults that leave them out. */
export type FaultDefaults = Pick<FaultConfig, 'retryAfterSeconds' | 'slowBodyMs' | 'stuckPolls'>;

type FaultOf<K extends Fault['kind']> = Extract<Fault, { kind: K }>;
type Apply<K extends Fault['kind']> = (out: TaskFaults, fault: FaultOf<K>, defaults: FaultDefaults) => void;

/** 429 and 503 always carry a Retry-After, as Runware's do; other statuses only when the fault names one. */
function injectedError(fault: FaultOf<'error'>, defaults: FaultDefaults): NonNullable<TaskFaults['error']> {
  const retries = fault.status === 429 || fault.status === 503 || fault.retryAfterSeconds !== undefined;
  return {
    status: fault.status,
    code: fault.code,
    message: fault.message ?? `Injected fault: ${fault.code} (HTTP ${fault.status}).`,
    ...(retries ? { retryAfterSeconds: fault.retryAfterSeconds ?? defaults.retryAfterSeconds } : {}),
  };
}

/**
 * How each kind folds into the task's faults when several fire at once: the first error, reset and
 * generation error win; the largest delay, copy count and stuck count win; the last webhook fault wins.
 */
const APPLY: { [K in Fault['kind']]: Apply<K> } = {
  error: (out, fault, defaults) => {
    out.error ??= injectedError(fault, defaults);
  },
  reset: (out, fault) => {
    out.reset ??= fault.when ?? 'beforeWork';
  },
  slowBody: (out, fault, defaults) => {
    out.slowBodyMs = Math.max(out.slowBodyMs ?? 0, fault.ms ?? defaults.slowBodyMs);
  },
  duplicateFrames: (out, fault) => {
    out.duplicates = Math.max(out.duplicates ?? 0, fault.copies ?? 1);
  },
  stuck: (out, fault, defaults) => {
    out.stuckPolls = Math.max(out.stuckPolls ?? 0, fault.polls ?? defaults.stuckPolls);
  },
  invisible: (out, fault) => {
    out.invisiblePolls = Math.max(out.invisiblePolls ?? 0, fault.polls ?? 1);
  },
  generationError: (out, fault) => {
    out.generationError ??= {
      code: fault.code ?? 'inferenceError',
      message: fault.message ?? 'Injected fault: the generation failed on the inference server.',
      ...(fault.images ? { images: fault.images } : {}),
    };
  },
  webhook: (out, fault) => {
    out.webhook = {
      delayMs: fault.delayMs ?? 0,
      drop: fault.drop ?? false,
      failAttempts: fault.failAttempts ?? 0,
    };
  },
};

/** The faults drawn for one task, in draw order, folded into what the task's handlers act on. */
export function resolveFaults(faults: readonly Fault[], defaults: FaultDefaults): TaskFaults {
  const out: TaskFaults = {};
  for (const fault of faults) {
    // TypeScript cannot pair a union member with its own entry of the mapped type, hence the cast.
    (APPLY[fault.kind] as Apply<Fault['kind']>)(out, fault as never, defaults);
  }
  return out;
}
