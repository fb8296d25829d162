import { setTimeout as sleep } from 'node:timers/promises';
import { buildWorkerBundle, PIECE_NAMES, Platform } from '@photomaker/harness';
import { JOB, PlatformClient, pngDataUri, referencePng } from '@photomaker/harness/client';
import { EmulatorAdmin } from '@photomaker/runware-emulator/admin';
import { buildChecks, type DisruptionOutcome, type JobState, type SubmittedJob } from './checks.ts';
import { chaosFaults, planJob } from './faults.ts';
import type { ChaosReport } from './report.ts';
import { buildSchedule, type Disruption } from './schedule.ts';
import { type Submitter, submitJob } from './submit.ts';
import { SubscriberPool } from './subscriber.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

/** What every disruption run (chaos here, the cluster run in tools/cluster) is given. */
export interface RunOptions {
  jobs: number;
  /** Seconds over which jobs are submitted and disruptions happen. */
  durationSeconds: number;
  /** Seconds to wait after the schedule for every job to end. */
  settleSeconds: number;
  /** Emulator latency preset or JSON knobs. */
  latency: string;
  /** Build the worker's workflow bundle first (turbo, cached). */
  build: boolean;
  log: (line: string) => void;
  onProcessLine?: (name: string, line: string) => void;
}

export interface ChaosOptions extends RunOptions {
  /** Seconds between worker SIGKILLs (0: never). */
  killEvery: number;
  seed: number;
  /** Multiplies every fault probability. */
  faultScale: number;
}

/** Seconds since the run's clock started, for log lines. */
interface RunClock {
  start: number;
  elapsed: () => string;
}

const startClock = (): RunClock => {
  const start = performance.now();
  return { start, elapsed: () => ((performance.now() - start) / 1000).toFixed(1) };
};

/** What a disruption needs from the stack: restart one process (structural, so any stack fits). */
interface Restartable {
  restart(name: Disruption['target'], how: 'kill' | 'stop'): Promise<{ downMs: number }>;
}

/** Plays the schedule against the stack; a process that does not come back is recorded, not thrown. */
async function disrupt(
  stack: Restartable,
  schedule: Disruption[],
  clock: RunClock,
  log: (line: string) => void,
): Promise<DisruptionOutcome[]> {
  const disruptions: DisruptionOutcome[] = [];
  for (const d of schedule) {
    const wait = d.at * 1000 - (performance.now() - clock.start);
    if (wait > 0) await sleep(wait);
    log(`t=${clock.elapsed()}s ${d.how === 'kill' ? 'SIGKILL' : 'restart'} ${d.target}`);
    try {
      const { downMs } = await stack.restart(d.target, d.how === 'kill' ? 'kill' : 'stop');
      disruptions.push({ ...d, downMs });
    } catch (error) {
      disruptions.push({ ...d, downMs: -1, error: (error as Error).message });
      log(`  ${d.target} did not come back: ${(error as Error).message}`);
    }
  }
  return disruptions;
}

/** Submits the jobs evenly over the first 80 % of the run. */
async function submitAll(submitter: Submitter, options: ChaosOptions, clock: RunClock) {
  const submitWindow = options.durationSeconds * 0.8 * 1000;
  const submissions: Promise<SubmittedJob>[] = [];
  for (let i = 0; i < options.jobs; i++) {
    const due = (i * submitWindow) / options.jobs;
    const wait = due - (performance.now() - clock.start);
    if (wait > 0) await sleep(wait);
    submissions.push(submitJob(submitter, planJob(i)));
  }
  return Promise.all(submissions);
}

/** Each job's final state as the API reports it (a few tries: the API may have just restarted). */
async function readStates(client: PlatformClient, submitted: SubmittedJob[]): Promise<Map<string, JobState>> {
  const states = new Map<string, JobState>();
  for (const s of submitted) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = await client.http
        .post<{ job: JobState | null }>(JOB, { id: s.jobId })
        .catch(() => undefined);
      if (result?.data?.job) {
        states.set(s.jobId, result.data.job);
        break;
      }
      await sleep(500);
    }
  }
  return states;
}

const countStatus = (states: Map<string, JobState>, status: string) =>
  [...states.values()].filter((s) => s.status === status).length;

/** The running pieces of one chaos run. */
interface RunPieces {
  options: ChaosOptions;
  stack: Restartable;
  client: PlatformClient;
  subscribers: SubscriberPool;
  receiver: WebhookReceiver;
  emulator: EmulatorAdmin;
  hookUrl: string;
}

/** What the run did: the jobs it submitted and the disruptions it played. */
interface Played {
  submitted: SubmittedJob[];
  schedule: Disruption[];
  disruptions: DisruptionOutcome[];
  submitRetries: number;
}

/** Submits the jobs while the schedule disrupts the stack, then waits for every job to end. */
async function play({ options, stack, client, subscribers, hookUrl }: RunPieces): Promise<Played> {
  const { log } = options;
  const referenceId = await client.uploadReference(pngDataUri(await referencePng()));
  const runId = `${options.seed}-${Date.now().toString(36)}`;
  const submitter: Submitter = { client, subscribers, referenceId, hookUrl, runId, retries: 0 };
  const clock = startClock();
  const schedule = buildSchedule(options.durationSeconds, options.killEvery);
  const disrupting = disrupt(stack, schedule, clock, log);
  const submitted = await submitAll(submitter, options, clock);
  log(`t=${clock.elapsed()}s all ${submitted.length} jobs submitted (${submitter.retries} submit retries)`);
  const disruptions = await disrupting;
  log(`t=${clock.elapsed()}s schedule done; waiting up to ${options.settleSeconds}s for every job to end`);
  await Promise.race([Promise.all(submitted.map((s) => s.done)), sleep(options.settleSeconds * 1000)]);
  // Deliveries of webhook jobs run before their terminal event; give late retries a moment anyway.
  await sleep(1_000);
  log(`t=${clock.elapsed()}s checking`);
  return { submitted, schedule, disruptions, submitRetries: submitter.retries };
}

/** Checks every promise against what the API, the subscribers, the receiver and the emulator saw. */
async function judge(pieces: RunPieces, played: Played, began: number): Promise<ChaosReport> {
  const { client, subscribers, receiver, emulator } = pieces;
  const { submitted, disruptions } = played;
  const states = await readStates(client, submitted);
  const inspect = await emulator.inspect();
  const checks = buildChecks({
    submitted,
    states,
    subscribers,
    receiver,
    tasks: inspect.tasks,
    ledgerCharges: inspect.ledger.charges,
    disruptions,
    schedule: played.schedule,
  });
  return {
    checks,
    ok: checks.every((c) => c.ok),
    jobs: submitted.length,
    succeeded: countStatus(states, 'SUCCEEDED'),
    failed: countStatus(states, 'FAILED'),
    disruptions,
    faultsInjected: inspect.faultsInjected,
    resumes: [...subscribers.records.values()].reduce((sum, r) => sum + r.subscriptions - 1, 0),
    webhookDeliveries: receiver.deliveries.length,
    submitRetries: played.submitRetries,
    durationSeconds: Math.round((performance.now() - began) / 1000),
  };
}

/**
 * One chaos run: jobs submitted with idempotency keys while live subscribers watch them and a schedule
 * kills and restarts processes, with the emulator injecting faults throughout. Then every promise the
 * platform makes is checked (see `checks`).
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const began = performance.now();
  const { log } = options;
  if (options.build) {
    log('building the worker workflow bundle (turbo, cached)');
    await buildWorkerBundle();
  }
  const stack = new Platform({
    pieces: PIECE_NAMES,
    name: 'chaos',
    tenant: 'bench',
    persistent: true,
    emulator: {
      latency: options.latency,
      args: [
        '--capacity',
        '100000',
        '--faults',
        JSON.stringify(chaosFaults(options.seed, options.faultScale)),
      ],
    },
    rateLimited: false,
    env: {
      // SIGTERM restarts (none in the default schedule) should not wait 30 s for in-flight activities.
      worker: { WORKER_SHUTDOWN_GRACE: '2s' },
    },
    ...(options.onProcessLine ? { onLine: options.onProcessLine } : {}),
  });
  log(`starting the stack with persistence (data in ${stack.dataDir})`);
  await stack.start();
  const client = new PlatformClient(stack.apiUrl, stack.apiKey);
  // The receiver verifies with the secret the tenant learns from the API, as a real receiver would.
  const receiver = new WebhookReceiver(await client.webhookSigningSecret());
  const hookUrl = await receiver.start();
  const subscribers = new SubscriberPool(stack.apiUrl, stack.apiKey);
  const emulator = new EmulatorAdmin(stack.emulatorUrl);
  const pieces: RunPieces = { options, stack, client, subscribers, receiver, emulator, hookUrl };
  try {
    return await judge(pieces, await play(pieces), began);
  } finally {
    await subscribers.close();
    await client.close();
    await receiver.close();
    await stack.stop();
  }
}
