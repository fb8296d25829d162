import { applyJobEvent, isTerminalStage, isTerminalStatus, type JobState } from '@photomaker/schema';
import type { FollowJob, FollowOptions, JobEventItem } from './follow-job.ts';

export interface WaitDeps {
  follow: Pick<FollowJob, 'follow'>;
  read: (tenant: string, jobId: string) => Promise<JobState | undefined>;
  /** The caller knows the job's state already (it just started it): following does not read it again. */
  known?: boolean;
}

/**
 * SYNC delivery: follows the job (bounded by `timeoutMs` and `signal`) until it ends, then its final
 * state: the followed snapshot folded with every event after it when they ran gap-free to a terminal
 * status (what a read would fold from the same stream), else a read.
 * On timeout it returns the job as it stands (still running).
 */
export async function waitForJob(
  deps: WaitDeps,
  tenant: string,
  state: JobState,
  timeoutMs: number,
  options: Pick<FollowOptions, 'logger'> & { signal?: AbortSignal | undefined },
): Promise<JobState> {
  if (isTerminalStatus(state.status)) return state;
  const { ended, folded } = await followToTheEnd(deps, tenant, state, timeoutMs, options);
  if (ended && folded && isTerminalStatus(folded.status)) return folded;
  const latest = await deps.read(tenant, state.jobId);
  if (!latest) return state;
  // The terminal event can precede the workflow's own state by a moment; never report less than we saw.
  if (ended && !isTerminalStatus(latest.status)) {
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const again = await deps.read(tenant, state.jobId);
      if (again && isTerminalStatus(again.status)) return again;
    }
  }
  return latest;
}

/**
 * `ended`: the job reached a terminal state before the time ran out or the caller went away. `folded`:
 * the last snapshot with every event after it applied, undefined once an event did not follow on.
 */
async function followToTheEnd(
  deps: WaitDeps,
  tenant: string,
  state: JobState,
  timeoutMs: number,
  options: Pick<FollowOptions, 'logger'> & { signal?: AbortSignal | undefined },
): Promise<{ ended: boolean; folded: JobState | undefined }> {
  const { signal, logger } = options;
  if (signal?.aborted) return { ended: false, folded: undefined };
  const known = deps.known ? { known: state } : {};
  const stream = await deps.follow.follow(tenant, state.jobId, { afterSeq: state.seq, logger, ...known });
  if (!stream) return { ended: false, folded: undefined };
  const stop = () => void stream.return?.();
  const timer = setTimeout(stop, timeoutMs);
  signal?.addEventListener('abort', stop);
  let ended = false;
  let folded: JobState | undefined;
  try {
    for await (const item of stream) {
      if (item.kind === 'queue') continue;
      folded = foldItem(folded, item);
      const terminal =
        item.kind === 'snapshot' ? isTerminalStatus(item.state.status) : isTerminalStage(item.event.stage);
      if (terminal) ended = true;
    }
  } catch {
    // The hub gave up on this job (Redis gone): answer with what a read says now.
    folded = undefined;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
  }
  return { ended, folded };
}

/** A snapshot replaces the state; an event that follows on is applied; any other breaks the fold. */
function foldItem(folded: JobState | undefined, item: JobEventItem): JobState | undefined {
  if (item.kind === 'snapshot') return item.state;
  if (item.kind !== 'event' || !folded || item.event.seq !== folded.seq + 1) return undefined;
  return applyJobEvent(folded, item.event);
}
