import { TERMINAL_STATUSES } from '@photomaker/harness/client';
import { imageTaskUUID } from '@photomaker/runware';
import type { JobPlan } from './faults.ts';
import type { Disruption } from './schedule.ts';
import type { SubscriberPool } from './subscriber.ts';
import type { WebhookReceiver } from './webhook-receiver.ts';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SubmittedJob {
  plan: JobPlan;
  jobId: string;
  done: Promise<void>;
}

/** A job as the API reports it after the run. */
export interface JobState {
  status: string;
  images: { index: number; imageUUID: string }[];
  error: { code: string } | null;
}

/** A scheduled disruption as it happened: how long the process was down, or why it did not come back. */
export type DisruptionOutcome = Disruption & { downMs: number; error?: string };

export interface CheckInput {
  submitted: SubmittedJob[];
  states: Map<string, JobState>;
  subscribers: SubscriberPool;
  receiver: WebhookReceiver;
  tasks: Record<string, { charges: number }>;
  ledgerCharges: number;
  disruptions: DisruptionOutcome[];
  schedule: Disruption[];
}

/** At most five problems spelled out, then a count. */
const list = (items: string[]) =>
  items.length > 5 ? `${items.slice(0, 5).join('; ')}; … (${items.length})` : items.join('; ');

/** A check that passes when no problem was found; `clean` describes the passing run. */
const verdict = (name: string, problems: string[], clean: string): CheckResult => ({
  name,
  ok: problems.length === 0,
  detail: problems.length === 0 ? clean : list(problems),
});

/** Every promise of a run, checked from what subscribers, the receiver and the emulator saw. */
export function buildChecks(input: CheckInput): CheckResult[] {
  return [
    terminalCheck(input),
    outcomeCheck(input),
    chargeCheck(input),
    subscriberCheck(input),
    webhookCheck(input),
    disruptionCheck(input),
  ];
}

function terminalCheck({ submitted, states }: CheckInput): CheckResult {
  const notTerminal = submitted.filter((s) => !TERMINAL_STATUSES.has(states.get(s.jobId)?.status ?? ''));
  return verdict(
    'every job reached a terminal state',
    notTerminal.map((s) => `${s.jobId}: ${states.get(s.jobId)?.status ?? 'unknown'}`),
    `${submitted.length}/${submitted.length}`,
  );
}

function wrongOutcome(s: SubmittedJob, state: JobState | undefined): boolean {
  if (s.plan.shouldFail) return state?.status !== 'FAILED' || state.error?.code !== 'invalidModel';
  return state?.status !== 'SUCCEEDED' || state.images.length !== s.plan.numberResults;
}

function outcomeCheck({ submitted, states }: CheckInput): CheckResult {
  const wrong = submitted.filter((s) => wrongOutcome(s, states.get(s.jobId)));
  const shouldSucceed = submitted.filter((s) => !s.plan.shouldFail).length;
  return verdict(
    'jobs that should succeed succeeded (and the refused ones failed with invalidModel)',
    wrong.map(
      (s) =>
        `${s.jobId} (plan ${JSON.stringify(s.plan)}): ${states.get(s.jobId)?.status} ${states.get(s.jobId)?.error?.code ?? ''}`,
    ),
    `${shouldSucceed} succeeded, ${submitted.length - shouldSucceed} failed as expected`,
  );
}

/** Follow-up tasks a per-image run may send for one image (the worker's MAX_IMAGE_FOLLOW_UPS). */
const IMAGE_FOLLOW_UPS = 3;

/**
 * The Runware tasks a job may have used: its own taskUUID(s) and, for a multi-image job (one task per
 * image), every image's first and follow-up tasks, derived from the job's taskUUID.
 */
function taskUUIDsOf(jobTaskUUIDs: readonly string[], numberResults: number): string[] {
  if (numberResults <= 1) return [...jobTaskUUIDs];
  return jobTaskUUIDs.flatMap((uuid) =>
    Array.from({ length: numberResults * (IMAGE_FOLLOW_UPS + 1) }, (_, i) =>
      imageTaskUUID(uuid, i % numberResults, Math.floor(i / numberResults)),
    ),
  );
}

function chargeCheck({ submitted, subscribers, tasks, ledgerCharges }: CheckInput): CheckResult {
  let expectedCharges = 0;
  const badCharges: string[] = [];
  for (const s of submitted) {
    const jobUUIDs = [...(subscribers.records.get(s.jobId)?.runwareTaskUUIDs ?? [])];
    const uuids = taskUUIDsOf(jobUUIDs, s.plan.numberResults);
    const charges = uuids.reduce((sum, uuid) => sum + (tasks[uuid]?.charges ?? 0), 0);
    const expected = s.plan.shouldFail ? 0 : s.plan.numberResults;
    expectedCharges += expected;
    if (charges !== expected)
      badCharges.push(
        `${s.jobId}: ${charges} charges for ${expected} images (job tasks ${jobUUIDs.join(',')})`,
      );
  }
  const ledgerOk = ledgerCharges === expectedCharges;
  const ok = badCharges.length === 0 && ledgerOk;
  return {
    name: 'Runware charged each image exactly once (emulator ledger)',
    ok,
    detail: ok
      ? `${expectedCharges} charges for ${expectedCharges} images`
      : `${list(badCharges)}${ledgerOk ? '' : ` ledger total ${ledgerCharges} vs expected ${expectedCharges}`}`,
  };
}

/** What one subscriber did wrong: no or a different terminal item, gaps, duplicate seqs. */
function subscriberProblems(jobId: string, input: CheckInput): string[] {
  const r = input.subscribers.records.get(jobId);
  const problems: string[] = [];
  const status = input.states.get(jobId)?.status;
  if (!r?.terminal) problems.push(`${jobId}: no terminal item (covered seq ${r?.covered})`);
  else if (r.terminal.status !== status)
    problems.push(`${jobId}: subscriber saw ${r.terminal.status}, job is ${status}`);
  if (r?.gaps.length) problems.push(`${jobId}: gaps ${JSON.stringify(r.gaps)}`);
  if (r?.duplicates.length) problems.push(`${jobId}: duplicate seqs ${r.duplicates.join(',')}`);
  return problems;
}

function subscriberCheck(input: CheckInput): CheckResult {
  const { submitted, subscribers } = input;
  const records = submitted.map((s) => subscribers.records.get(s.jobId));
  const gaps = records.reduce((sum, r) => sum + (r?.gaps.length ?? 0), 0);
  const duplicates = records.reduce((sum, r) => sum + (r?.duplicates.length ?? 0), 0);
  return verdict(
    'every subscriber saw the terminal event, no gap, no duplicate seq',
    submitted.flatMap((s) => subscriberProblems(s.jobId, input)),
    `${submitted.length} subscribers, ${gaps} gaps, ${duplicates} duplicates`,
  );
}

type Delivery = WebhookReceiver['deliveries'][number];

/** What is wrong with the POSTs of one delivery id: never accepted, badly signed, or not deduplicable. */
function deliveryProblems(id: string, got: Delivery[], imageUUID: string): string[] {
  const problems: string[] = [];
  if (!got.some((d) => d.status < 300)) problems.push(`${id}: never accepted (${got.length} attempts)`);
  if (got.some((d) => !d.signatureOk)) problems.push(`${id}: bad signature`);
  if (new Set(got.map((d) => d.imageUUID)).size > 1 || got.some((d) => d.imageUUID !== imageUUID))
    problems.push(`${id}: attempts carry different images (not deduplicable)`);
  return problems;
}

function webhookCheck({ submitted, states, receiver }: CheckInput): CheckResult {
  const byId = new Map<string, Delivery[]>();
  for (const d of receiver.deliveries) byId.set(d.id, [...(byId.get(d.id) ?? []), d]);
  const expected = submitted
    .filter((s) => s.plan.webhook && states.get(s.jobId)?.status === 'SUCCEEDED')
    .flatMap((s) =>
      (states.get(s.jobId)?.images ?? []).map((image) => ({ id: `whk_${s.jobId}_${image.index}`, image })),
    );
  const problems = expected.flatMap(({ id, image }) =>
    deliveryProblems(id, byId.get(id) ?? [], image.imageUUID),
  );
  const unexpected = [...byId.keys()].filter(
    // Image deliveries (whk_) and the job's own events (whe_: COMPLETED/FAILED by default) of our jobs.
    (id) => !submitted.some((s) => id.startsWith(`whk_${s.jobId}_`) || id.startsWith(`whe_${s.jobId}_`)),
  );
  if (unexpected.length) problems.push(`unexpected delivery ids: ${unexpected.join(',')}`);
  return verdict(
    'each webhook delivery id received at least once, signed, deduplicable',
    problems,
    `${expected.length} ids, ${receiver.deliveries.length} POSTs (${receiver.deliveries.length - byId.size} retries/duplicates)`,
  );
}

function disruptionCheck({ disruptions, schedule }: CheckInput): CheckResult {
  const failed = disruptions.filter((d) => d.error);
  return {
    name: 'every scheduled disruption happened and the process came back',
    ok: failed.length === 0 && disruptions.length === schedule.length,
    detail: `${disruptions.length}/${schedule.length}${failed.length ? `: ${list(failed.map((d) => `${d.target}: ${d.error}`))}` : ''}`,
  };
}
