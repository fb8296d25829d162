import type { JobEventLog } from '@photomaker/events';
import { GENERATE, type PlatformClient, smallTask } from '@photomaker/harness/client';
import type { EmulatorAdmin } from '@photomaker/runware-emulator/admin';
import { isTerminalStage, type JobEvent } from '@photomaker/schema';
import { fanoutEvent } from './fanout-phase.ts';

/** A real job the worker holds in Runware (the emulator is made slow), so the bench owns its stream. */
export interface HeldJob {
  jobId: string;
  runwareTaskUUID: string;
  last: JobEvent;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Started = { id: string; runwareTaskUUID: string };

async function startJobs(client: PlatformClient, referenceId: string, count: number): Promise<Started[]> {
  const started: Started[] = [];
  for (let i = 0; i < count; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, count - i) }, () =>
        client.http.post<{ generatePhotoMaker: Started }>(GENERATE, { input: smallTask(referenceId) }),
      ),
    );
    for (const result of batch) {
      const job = result.data?.generatePhotoMaker;
      if (!job) throw new Error(`fan-out job did not start: ${result.errors?.[0]?.message}`);
      started.push(job);
    }
  }
  return started;
}

/**
 * Starts `count` jobs while the emulator takes 30 minutes per image, and returns them once no job's stream
 * has grown for 3 s: each is then held in Runware (`submitted`) or waits for a slot that those hold
 * (`queued`), so the worker appends nothing and the streams are the bench's.
 */
export async function startHeldJobs(
  client: PlatformClient,
  emulator: EmulatorAdmin,
  log: JobEventLog,
  referenceId: string,
  count: number,
  say: (line: string) => void,
): Promise<HeldJob[]> {
  await emulator.setLatency({ requestMs: 0, imageMs: 30 * 60_000 });
  const started = await startJobs(client, referenceId, count);
  let lasts: (JobEvent | undefined)[] = [];
  let stable = 0;
  const deadline = Date.now() + 300_000;
  while (stable < 3 && Date.now() < deadline) {
    await sleep(1_000);
    const next = await Promise.all(started.map((job) => log.last(job.id)));
    stable = next.every((event, i) => event?.seq === lasts[i]?.seq) ? stable + 1 : 0;
    lasts = next;
    const submitted = next.filter((event) => event?.stage === 'submitted').length;
    const logged = next.filter(Boolean).length;
    say(`${started.length} jobs: ${submitted} held in Runware, ${logged} with events (stable ${stable} s)`);
  }
  return started.flatMap((job, i) => {
    // A job waiting for a slot may have logged nothing yet: its stream starts at seq 1.
    const last = lasts[i] ?? ({ jobId: job.id, seq: 0, stage: 'queued' } as JobEvent);
    return isTerminalStage(last.stage) ? [] : [{ jobId: job.id, runwareTaskUUID: job.runwareTaskUUID, last }];
  });
}

/** Appends the next event to each job at once; returns each append's time (epoch ms) by `jobId:seq`. */
export async function appendToAll(log: JobEventLog, jobs: HeldJob[]): Promise<Record<string, number>> {
  const appendedAt: Record<string, number> = {};
  await Promise.all(
    jobs.map((job) => {
      const event = fanoutEvent(job, job.last.seq + 1, false);
      job.last = event;
      appendedAt[`${job.jobId}:${event.seq}`] = performance.timeOrigin + performance.now();
      return log.append(event);
    }),
  );
  return appendedAt;
}
