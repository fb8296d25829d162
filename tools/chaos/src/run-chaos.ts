import { buildWorkerBundle, PIECE_NAMES, Platform } from '@photomaker/harness';
import {
  GENERATE,
  JOB,
  PlatformClient,
  pngDataUri,
  referencePng,
  smallTask,
  TERMINAL_STATUSES,
  TransportError,
} from '@photomaker/harness/client';
import { EmulatorAdmin } from '@photomaker/runware-emulator/admin';
import { chaosFaults, type JobPlan, planJob, REFUSED_MODEL } from './faults.ts';
import { buildSchedule, type Disruption } from './schedule.ts';
import { SubscriberPool } from './subscriber.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

export interface ChaosOptions {
  jobs: number;
  /** Seconds between worker SIGKILLs (0: never). */
  killEvery: number;
  /** Seconds over which jobs are submitted and disruptions happen. */
  durationSeconds: number;
  /** Seconds to wait after the schedule for every job to end. */
  settleSeconds: number;
  seed: number;
  /** Multiplies every fault probability. */
  faultScale: number;
  /** Emulator latency preset or JSON knobs. */
  latency: string;
  build: boolean;
  log: (line: string) => void;
  onProcessLine?: (name: string, line: string) => void;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ChaosReport {
  checks: CheckResult[];
  ok: boolean;
  jobs: number;
  succeeded: number;
  failed: number;
  disruptions: (Disruption & { downMs: number; error?: string })[];
  faultsInjected: Record<string, number>;
  resumes: number;
  webhookDeliveries: number;
  submitRetries: number;
  durationSeconds: number;
}

export interface SubmittedJob {
  plan: JobPlan;
  jobId: string;
  done: Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True for answers worth retrying with the same idempotency key: the API or something behind it is down. */
function retryable(status: number | undefined, code: unknown): boolean {
  if (status === undefined || status >= 500 || status === 429) return true;
  return code === 'INTERNAL_SERVER_ERROR' || code === 'RATE_LIMITED';
}

/**
 * One chaos run: jobs submitted with idempotency keys while live subscribers watch them and a schedule
 * kills and restarts processes, with the emulator injecting faults throughout. Then every promise the
 * platform makes is checked (see `checks`).
 */
async function webhookSigningSecret(client: PlatformClient): Promise<string> {
  const result = await client.http.post<{ webhookSigningSecret: string }>('{ webhookSigningSecret }', {});
  const secret = result.data?.webhookSigningSecret;
  if (!secret)
    throw new Error(`webhookSigningSecret failed (${result.status}): ${JSON.stringify(result.errors)}`);
  return secret;
}

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
  const receiver = new WebhookReceiver(await webhookSigningSecret(client));
  const hookUrl = await receiver.start();
  const subscribers = new SubscriberPool(stack.apiUrl, stack.apiKey);
  const emulator = new EmulatorAdmin(stack.emulatorUrl);
  const runId = `${options.seed}-${Date.now().toString(36)}`;
  const disruptions: ChaosReport['disruptions'] = [];
  const submitted: SubmittedJob[] = [];
  let submitRetries = 0;
  try {
    const referenceId = await client.uploadReference(pngDataUri(await referencePng()));
    const start = performance.now();
    const elapsed = () => (performance.now() - start) / 1000;

    const schedule = buildSchedule(options.durationSeconds, options.killEvery);
    const disrupt = (async () => {
      for (const d of schedule) {
        const wait = d.at * 1000 - (performance.now() - start);
        if (wait > 0) await sleep(wait);
        log(`t=${elapsed().toFixed(1)}s ${d.how === 'kill' ? 'SIGKILL' : 'restart'} ${d.target}`);
        try {
          const { downMs } = await stack.restart(d.target, d.how === 'kill' ? 'kill' : 'stop');
          disruptions.push({ ...d, downMs });
        } catch (error) {
          disruptions.push({ ...d, downMs: -1, error: (error as Error).message });
          log(`  ${d.target} did not come back: ${(error as Error).message}`);
        }
      }
    })();

    const submitWindow = options.durationSeconds * 0.8 * 1000;
    const submitOne = async (plan: JobPlan): Promise<SubmittedJob> => {
      const input = {
        ...smallTask(referenceId),
        numberResults: plan.numberResults,
        ...(plan.webhook ? { webhookURL: hookUrl } : {}),
        ...(plan.shouldFail ? { model: REFUSED_MODEL } : {}),
      };
      const idempotencyKey = `chaos-${runId}-${plan.index}`;
      for (let attempt = 0; ; attempt++) {
        try {
          const result = await client.http.post<{ generatePhotoMaker: { id: string } }>(GENERATE, {
            input,
            idempotencyKey,
          });
          const id = result.data?.generatePhotoMaker?.id;
          if (id) return { plan, jobId: id, done: subscribers.watch(id) };
          const code = result.errors?.[0]?.extensions?.code;
          if (!retryable(result.status, code) || attempt > 200)
            throw new Error(`job ${plan.index}: ${result.status} ${code}: ${result.errors?.[0]?.message}`);
        } catch (error) {
          if (!(error instanceof TransportError) || attempt > 200) throw error;
        }
        submitRetries += 1;
        await sleep(Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)));
      }
    };
    const submissions: Promise<SubmittedJob>[] = [];
    for (let i = 0; i < options.jobs; i++) {
      const due = (i * submitWindow) / options.jobs;
      const wait = due - (performance.now() - start);
      if (wait > 0) await sleep(wait);
      submissions.push(submitOne(planJob(i)));
    }
    submitted.push(...(await Promise.all(submissions)));
    log(
      `t=${elapsed().toFixed(1)}s all ${submitted.length} jobs submitted (${submitRetries} submit retries)`,
    );
    await disrupt;
    log(
      `t=${elapsed().toFixed(1)}s schedule done; waiting up to ${options.settleSeconds}s for every job to end`,
    );
    await Promise.race([Promise.all(submitted.map((s) => s.done)), sleep(options.settleSeconds * 1000)]);
    // Deliveries of webhook jobs run before their terminal event; give late retries a moment anyway.
    await sleep(1_000);
    log(`t=${elapsed().toFixed(1)}s checking`);

    const states = new Map<
      string,
      { status: string; images: { index: number; imageUUID: string }[]; error: { code: string } | null }
    >();
    for (const s of submitted) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const result = await client.http
          .post<{
            job: {
              status: string;
              images: { index: number; imageUUID: string }[];
              error: { code: string } | null;
            } | null;
          }>(JOB, { id: s.jobId })
          .catch(() => undefined);
        if (result?.data?.job) {
          states.set(s.jobId, result.data.job);
          break;
        }
        await sleep(500);
      }
    }
    const inspect = await emulator.inspect();
    const report = buildChecks({
      submitted,
      states,
      subscribers,
      receiver,
      tasks: inspect.tasks,
      ledgerCharges: inspect.ledger.charges,
      disruptions,
      schedule,
    });
    const resumes = [...subscribers.records.values()].reduce((sum, r) => sum + r.subscriptions - 1, 0);
    const succeeded = [...states.values()].filter((s) => s.status === 'SUCCEEDED').length;
    return {
      checks: report,
      ok: report.every((c) => c.ok),
      jobs: submitted.length,
      succeeded,
      failed: [...states.values()].filter((s) => s.status === 'FAILED').length,
      disruptions,
      faultsInjected: inspect.faultsInjected,
      resumes,
      webhookDeliveries: receiver.deliveries.length,
      submitRetries,
      durationSeconds: Math.round((performance.now() - began) / 1000),
    };
  } finally {
    await subscribers.close();
    await client.close();
    await receiver.close();
    await stack.stop();
  }
}

/** Every promise of a run, checked from what subscribers, the receiver and the emulator saw. */
export function buildChecks(input: {
  submitted: SubmittedJob[];
  states: Map<
    string,
    { status: string; images: { index: number; imageUUID: string }[]; error: { code: string } | null }
  >;
  subscribers: SubscriberPool;
  receiver: WebhookReceiver;
  tasks: Record<string, { charges: number }>;
  ledgerCharges: number;
  disruptions: ChaosReport['disruptions'];
  schedule: Disruption[];
}): CheckResult[] {
  const { submitted, states, subscribers, receiver, tasks } = input;
  const checks: CheckResult[] = [];
  const list = (items: string[]) =>
    items.length > 5 ? `${items.slice(0, 5).join('; ')}; … (${items.length})` : items.join('; ');

  const notTerminal = submitted.filter((s) => !TERMINAL_STATUSES.has(states.get(s.jobId)?.status ?? ''));
  checks.push({
    name: 'every job reached a terminal state',
    ok: notTerminal.length === 0,
    detail:
      notTerminal.length === 0
        ? `${submitted.length}/${submitted.length}`
        : list(notTerminal.map((s) => `${s.jobId}: ${states.get(s.jobId)?.status ?? 'unknown'}`)),
  });

  const wrong = submitted.filter((s) => {
    const state = states.get(s.jobId);
    if (s.plan.shouldFail) return state?.status !== 'FAILED' || state.error?.code !== 'invalidModel';
    return state?.status !== 'SUCCEEDED' || state.images.length !== s.plan.numberResults;
  });
  const shouldSucceed = submitted.filter((s) => !s.plan.shouldFail).length;
  checks.push({
    name: 'jobs that should succeed succeeded (and the refused ones failed with invalidModel)',
    ok: wrong.length === 0,
    detail:
      wrong.length === 0
        ? `${shouldSucceed} succeeded, ${submitted.length - shouldSucceed} failed as expected`
        : list(
            wrong.map(
              (s) =>
                `${s.jobId} (plan ${JSON.stringify(s.plan)}): ${states.get(s.jobId)?.status} ${states.get(s.jobId)?.error?.code ?? ''}`,
            ),
          ),
  });

  let expectedCharges = 0;
  const badCharges: string[] = [];
  for (const s of submitted) {
    const record = subscribers.records.get(s.jobId);
    const uuids = [...(record?.runwareTaskUUIDs ?? [])];
    const charges = uuids.reduce((sum, uuid) => sum + (tasks[uuid]?.charges ?? 0), 0);
    const expected = s.plan.shouldFail ? 0 : s.plan.numberResults;
    expectedCharges += expected;
    if (charges !== expected)
      badCharges.push(`${s.jobId}: ${charges} charges for ${expected} images (tasks ${uuids.join(',')})`);
  }
  checks.push({
    name: 'Runware charged each image exactly once (emulator ledger)',
    ok: badCharges.length === 0 && input.ledgerCharges === expectedCharges,
    detail:
      badCharges.length === 0 && input.ledgerCharges === expectedCharges
        ? `${expectedCharges} charges for ${expectedCharges} images`
        : `${list(badCharges)}${input.ledgerCharges !== expectedCharges ? ` ledger total ${input.ledgerCharges} vs expected ${expectedCharges}` : ''}`,
  });

  const subscriberProblems: string[] = [];
  let gaps = 0;
  let duplicates = 0;
  for (const s of submitted) {
    const r = subscribers.records.get(s.jobId);
    if (!r?.terminal) subscriberProblems.push(`${s.jobId}: no terminal item (covered seq ${r?.covered})`);
    else if (r.terminal.status !== states.get(s.jobId)?.status)
      subscriberProblems.push(
        `${s.jobId}: subscriber saw ${r.terminal.status}, job is ${states.get(s.jobId)?.status}`,
      );
    gaps += r?.gaps.length ?? 0;
    duplicates += r?.duplicates.length ?? 0;
    if (r?.gaps.length) subscriberProblems.push(`${s.jobId}: gaps ${JSON.stringify(r.gaps)}`);
    if (r?.duplicates.length) subscriberProblems.push(`${s.jobId}: duplicate seqs ${r.duplicates.join(',')}`);
  }
  checks.push({
    name: 'every subscriber saw the terminal event, no gap, no duplicate seq',
    ok: subscriberProblems.length === 0,
    detail:
      subscriberProblems.length === 0
        ? `${submitted.length} subscribers, ${gaps} gaps, ${duplicates} duplicates`
        : list(subscriberProblems),
  });

  const webhookProblems: string[] = [];
  let expectedDeliveries = 0;
  const byId = new Map<string, typeof receiver.deliveries>();
  for (const d of receiver.deliveries) byId.set(d.id, [...(byId.get(d.id) ?? []), d]);
  for (const s of submitted.filter((x) => x.plan.webhook && states.get(x.jobId)?.status === 'SUCCEEDED')) {
    for (const image of states.get(s.jobId)?.images ?? []) {
      expectedDeliveries += 1;
      const id = `whk_${s.jobId}_${image.index}`;
      const got = byId.get(id) ?? [];
      if (!got.some((d) => d.status < 300))
        webhookProblems.push(`${id}: never accepted (${got.length} attempts)`);
      if (got.some((d) => !d.signatureOk)) webhookProblems.push(`${id}: bad signature`);
      if (new Set(got.map((d) => d.imageUUID)).size > 1 || got.some((d) => d.imageUUID !== image.imageUUID))
        webhookProblems.push(`${id}: attempts carry different images (not deduplicable)`);
    }
  }
  const unexpected = [...byId.keys()].filter(
    (id) => !submitted.some((s) => id.startsWith(`whk_${s.jobId}_`)),
  );
  if (unexpected.length) webhookProblems.push(`unexpected delivery ids: ${unexpected.join(',')}`);
  checks.push({
    name: 'each webhook delivery id received at least once, signed, deduplicable',
    ok: webhookProblems.length === 0,
    detail:
      webhookProblems.length === 0
        ? `${expectedDeliveries} ids, ${receiver.deliveries.length} POSTs (${receiver.deliveries.length - byId.size} retries/duplicates)`
        : list(webhookProblems),
  });

  const failedDisruptions = input.disruptions.filter((d) => d.error);
  checks.push({
    name: 'every scheduled disruption happened and the process came back',
    ok: failedDisruptions.length === 0 && input.disruptions.length === input.schedule.length,
    detail: `${input.disruptions.length}/${input.schedule.length}${failedDisruptions.length ? `: ${list(failedDisruptions.map((d) => `${d.target}: ${d.error}`))}` : ''}`,
  });
  return checks;
}

/** The summary the CLI prints (and CI logs). */
export function renderReport(report: ChaosReport): string {
  const lines: string[] = [];
  const width = Math.max(...report.checks.map((c) => c.name.length));
  lines.push(`${'check'.padEnd(width)}  result  detail`);
  lines.push(`${'-'.repeat(width)}  ------  ------`);
  for (const c of report.checks)
    lines.push(`${c.name.padEnd(width)}  ${c.ok ? 'PASS  ' : 'FAIL  '}  ${c.detail}`);
  const counts = (items: string[]) => {
    const tally = new Map<string, number>();
    for (const item of items) tally.set(item, (tally.get(item) ?? 0) + 1);
    return [...tally].map(([k, v]) => `${k} x${v}`).join(', ');
  };
  lines.push('');
  lines.push(
    `jobs ${report.jobs} (${report.succeeded} succeeded, ${report.failed} failed), ${report.durationSeconds} s`,
  );
  lines.push(`disruptions: ${counts(report.disruptions.map((d) => `${d.how} ${d.target}`))}`);
  lines.push(
    `emulator faults injected: ${
      Object.entries(report.faultsInjected)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }`,
  );
  lines.push(
    `subscriber resumes: ${report.resumes}; submit retries: ${report.submitRetries}; webhook POSTs: ${report.webhookDeliveries}`,
  );
  lines.push(report.ok ? 'chaos: ALL CHECKS PASSED' : 'chaos: CHECKS FAILED');
  return `${lines.join('\n')}\n`;
}
