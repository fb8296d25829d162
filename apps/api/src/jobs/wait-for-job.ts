import { isTerminalStage, isTerminalStatus, type JobState } from '@photomaker/schema';
import type { EventHub } from '../events/event-hub.ts';
import type { JobService } from './job-service.ts';

/**
 * SYNC delivery: waits (bounded) for the job's terminal event on the shared event reader, then reads the
 * final state from the workflow. On timeout it returns the job as it stands (still running).
 */
export async function waitForJob(
  deps: { hub: EventHub; jobs: JobService },
  tenant: string,
  state: JobState,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<JobState> {
  if (isTerminalStatus(state.status)) return state;
  let sawTerminal = false;
  await new Promise<void>((resolve) => {
    let detach: () => void = () => undefined;
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      detach();
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    signal?.addEventListener('abort', done);
    detach = deps.hub.attach(state.jobId, state.seq, {
      deliver(events) {
        if (events.some((event) => isTerminalStage(event.stage))) {
          sawTerminal = true;
          done();
        }
      },
      fail: done,
    });
  });
  const latest = await deps.jobs.get(tenant, state.jobId);
  if (!latest) return state;
  // The terminal event can precede the workflow's own state by a moment; never report less than we saw.
  if (sawTerminal && !isTerminalStatus(latest.status)) {
    for (let i = 0; i < 20 && !isTerminalStatus(latest.status); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const again = await deps.jobs.get(tenant, state.jobId);
      if (again && isTerminalStatus(again.status)) return again;
    }
  }
  return latest;
}
