import { isTerminalStage, isTerminalStatus, type JobState } from '@photomaker/schema';
import type { FollowJob, FollowOptions } from './follow-job.ts';

export interface WaitDeps {
  follow: Pick<FollowJob, 'follow'>;
  read: (tenant: string, jobId: string) => Promise<JobState | undefined>;
}

/**
 * SYNC delivery: follows the job (bounded by `timeoutMs` and `signal`) until it ends, then reads its final
 * state. On timeout it returns the job as it stands (still running).
 */
export async function waitForJob(
  deps: WaitDeps,
  tenant: string,
  state: JobState,
  timeoutMs: number,
  options: Pick<FollowOptions, 'logger'> & { signal?: AbortSignal | undefined },
): Promise<JobState> {
  if (isTerminalStatus(state.status)) return state;
  const sawTerminal = await followToTheEnd(deps, tenant, state, timeoutMs, options);
  const latest = await deps.read(tenant, state.jobId);
  if (!latest) return state;
  // The terminal event can precede the workflow's own state by a moment; never report less than we saw.
  if (sawTerminal && !isTerminalStatus(latest.status)) {
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const again = await deps.read(tenant, state.jobId);
      if (again && isTerminalStatus(again.status)) return again;
    }
  }
  return latest;
}

/** true when the job reached a terminal state before the time ran out or the caller went away. */
async function followToTheEnd(
  deps: WaitDeps,
  tenant: string,
  state: JobState,
  timeoutMs: number,
  options: Pick<FollowOptions, 'logger'> & { signal?: AbortSignal | undefined },
): Promise<boolean> {
  const { signal, logger } = options;
  if (signal?.aborted) return false;
  const stream = await deps.follow.follow(tenant, state.jobId, { afterSeq: state.seq, logger });
  if (!stream) return false;
  const stop = () => void stream.return?.();
  const timer = setTimeout(stop, timeoutMs);
  signal?.addEventListener('abort', stop);
  let ended = false;
  try {
    for await (const item of stream) {
      if (item.kind === 'queue') continue;
      const terminal =
        item.kind === 'snapshot' ? isTerminalStatus(item.state.status) : isTerminalStage(item.event.stage);
      if (terminal) ended = true;
    }
  } catch {
    // The hub gave up on this job (Redis gone): answer with what a read says now.
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
  }
  return ended;
}
