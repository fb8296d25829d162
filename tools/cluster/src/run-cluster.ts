import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  buildChecks,
  type CheckResult,
  planJob,
  type RunOptions,
  type SubmittedJob,
  type Submitter,
  SubscriberPool,
  submitJob,
  WebhookReceiver,
} from '@photomaker/chaos';
import { buildWorkerBundle, generateSecrets, repoRoot } from '@photomaker/harness';
import { PlatformClient, pngDataUri, referencePng } from '@photomaker/harness/client';
import { EmulatorAdmin } from '@photomaker/runware-emulator/admin';
import { disruptionCheck, imageCheck, shareNothingCheck } from './checks.ts';
import { buildSchedule, type DisruptionOutcome, playSchedule } from './disruptions.ts';
import { repoFilesChangedSince, scanRunTree } from './files.ts';
import { fetchImages, readStates } from './outcomes.ts';
import { buildReport, type ClusterReport } from './report.ts';
import { type Services, startServices } from './services.ts';
import { startReplicas, type Topology } from './topology.ts';

export interface ClusterOptions extends RunOptions {
  quick: boolean;
  apis: number;
  workers: number;
  /** Keep the run's temp tree (replica and S3 directories) for inspection. */
  keep: boolean;
}

/** The run's clients: jobs go in through API 1, subscribers watch through API 2 (API 1 while it is down). */
interface Clients {
  submitter: PlatformClient;
  reader: PlatformClient;
  subscribers: SubscriberPool;
  receiver: WebhookReceiver;
  hookUrl: string;
}

async function openClients(topology: Topology): Promise<Clients> {
  const [api1, api2] = topology.apis;
  if (!api1 || !api2) throw new Error('cluster: needs at least 2 API replicas');
  const submitter = new PlatformClient(api1.url, topology.apiKey);
  const reader = new PlatformClient(api2.url, topology.apiKey);
  const receiver = new WebhookReceiver(await submitter.webhookSigningSecret());
  const hookUrl = await receiver.start();
  const subscribers = new SubscriberPool([api2.url, api1.url], topology.apiKey);
  return { submitter, reader, subscribers, receiver, hookUrl };
}

interface Played {
  submitted: SubmittedJob[];
  outcomes: DisruptionOutcome[];
  scheduled: number;
  submitRetries: number;
  /** ms from the first submission to the last terminal event (or the settle deadline). */
  runMs: number;
  cpuAtStart: CpuSeconds;
}

type CpuSeconds = { api: number; worker: number; services: Record<string, number> };

function cpuOf(topology: Topology, services: Services): CpuSeconds {
  return {
    api: topology.apis.reduce((sum, r) => sum + r.cpuSeconds(), 0),
    worker: topology.workers.reduce((sum, r) => sum + r.cpuSeconds(), 0),
    services: services.cpuSeconds(),
  };
}

/** CPU seconds spent between two samples (a service restarted in between counts from 0). */
function cpuSince(before: CpuSeconds, now: CpuSeconds): CpuSeconds {
  const services = Object.fromEntries(
    Object.entries(now.services).map(([name, s]) => {
      const was = before.services[name] ?? 0;
      return [name, s >= was ? s - was : s];
    }),
  );
  return { api: now.api - before.api, worker: now.worker - before.worker, services };
}

/** Submits the jobs evenly over 80 % of the duration while the schedule kills and drains. */
async function play(options: ClusterOptions, topology: Topology, services: Services, clients: Clients) {
  const { log } = options;
  const referenceId = await clients.submitter.uploadReference(pngDataUri(await referencePng()));
  const runId = Date.now().toString(36);
  const submitter: Submitter = { ...clients, client: clients.submitter, referenceId, runId, retries: 0 };
  const start = performance.now();
  // CPU from here on is the run's (restarts included), not the replicas' start-up.
  const cpuAtStart = cpuOf(topology, services);
  const schedule = buildSchedule(options.durationSeconds, options.quick);
  const disrupting = playSchedule(schedule, { replicas: topology.all, s3: services.s3 }, start, log);
  let lastDone = start;
  const submissions: Promise<SubmittedJob>[] = [];
  for (let i = 0; i < options.jobs; i++) {
    const wait = (i * options.durationSeconds * 800) / options.jobs - (performance.now() - start);
    if (wait > 0) await sleep(wait);
    submissions.push(
      submitJob(submitter, planJob(i)).then((job) => {
        job.done.then(() => {
          lastDone = Math.max(lastDone, performance.now());
        });
        return job;
      }),
    );
  }
  const submitted = await Promise.all(submissions);
  const elapsed = () => ((performance.now() - start) / 1000).toFixed(1);
  log(`t=${elapsed()}s all ${submitted.length} jobs submitted through API 1 (${submitter.retries} retries)`);
  const outcomes = await disrupting;
  log(`t=${elapsed()}s schedule done; waiting up to ${options.settleSeconds}s for every job to end`);
  await Promise.race([Promise.all(submitted.map((s) => s.done)), sleep(options.settleSeconds * 1000)]);
  await sleep(1_000); // late webhook retries
  log(`t=${elapsed()}s checking`);
  const played: Played = {
    submitted,
    outcomes,
    scheduled: schedule.length,
    submitRetries: submitter.retries,
    runMs: lastDone - start,
    cpuAtStart,
  };
  return played;
}

/** What the API, subscribers, receiver and emulator saw, read while everything still runs. */
async function observe(played: Played, topology: Topology, services: Services, clients: Clients) {
  const api2 = topology.apis[1]?.url ?? '';
  const states = await readStates(clients.reader.http, played.submitted);
  const images = await fetchImages(api2, states);
  const inspect = await new EmulatorAdmin(services.emulatorUrl).inspect();
  const cpu = cpuSince(played.cpuAtStart, cpuOf(topology, services));
  const resumes = [...clients.subscribers.records.values()].reduce((sum, r) => sum + r.subscriptions - 1, 0);
  return { states, images, inspect, cpu, resumes, webhookPosts: clients.receiver.deliveries.length };
}

type Observed = Awaited<ReturnType<typeof observe>>;

function judge(played: Played, observed: Observed, clients: Clients, files: CheckResult): CheckResult[] {
  const { states, images, inspect } = observed;
  const expectedImages = played.submitted
    .filter((s) => states.get(s.jobId)?.status === 'SUCCEEDED')
    .reduce((sum, s) => sum + (states.get(s.jobId)?.images.length ?? 0), 0);
  const chaosChecks = buildChecks({
    submitted: played.submitted,
    states,
    subscribers: clients.subscribers,
    receiver: clients.receiver,
    tasks: inspect.tasks,
    ledgerCharges: inspect.ledger.charges,
    disruptions: [],
    schedule: [],
  }).filter((c) => !c.name.startsWith('every scheduled disruption'));
  return [
    ...chaosChecks,
    imageCheck(images, expectedImages),
    disruptionCheck(played.outcomes, played.scheduled),
    files,
  ];
}

async function closeClients(clients: Clients | undefined) {
  if (!clients) return;
  await clients.subscribers.close();
  await Promise.allSettled([clients.submitter.close(), clients.reader.close(), clients.receiver.close()]);
}

/**
 * One cluster run: shared services (Temporal dev server, a 3-master Redis Cluster, versitygw, the
 * emulator), API and worker replicas with directories of their own, jobs in through API 1, subscribers
 * and image reads through API 2, kill -9 of a node and of S3 and a drained node on the way; then checks.
 */
export async function runCluster(options: ClusterOptions): Promise<ClusterReport> {
  const began = performance.now();
  const { log } = options;
  if (options.build) {
    log('building the worker workflow bundle (turbo, cached)');
    await buildWorkerBundle();
  }
  // Anything in the repository written after this is a process writing where it should not.
  const since = Date.now();
  const root = mkdtempSync(join(tmpdir(), 'photomaker-cluster-'));
  const secrets = generateSecrets('cluster');
  log(`starting Temporal, a 3-master Redis Cluster, versitygw and the emulator (run tree ${root})`);
  const services = await startServices({
    root,
    redisReplicas: options.quick ? 0 : 1,
    emulatorKey: secrets.runwareKey,
    latency: options.latency,
    ...(options.onProcessLine ? { onLine: options.onProcessLine } : {}),
  });
  let topology: Topology | undefined;
  let clients: Clients | undefined;
  try {
    log(`starting ${options.apis} API and ${options.workers} worker replicas`);
    topology = await startReplicas({
      root,
      services,
      secrets,
      apis: options.apis,
      workers: options.workers,
      ...(options.onProcessLine ? { onLine: options.onProcessLine } : {}),
    });
    const startupSeconds = (performance.now() - began) / 1000;
    const opened = await openClients(topology);
    clients = opened;
    const played = await play(options, topology, services, opened);
    const observed = await observe(played, topology, services, opened);
    // Closed before the stop; what subscribers and the receiver recorded stays for the checks.
    await closeClients(opened);
    clients = undefined;
    await Promise.allSettled(topology.all.map((r) => r.down('drain', 15_000)));
    await services.stop();
    const files = shareNothingCheck(scanRunTree(root), repoFilesChangedSince(repoRoot, since));
    const checks = judge(played, observed, opened, files);
    return buildReport({ options, played, observed, checks, topology, startupSeconds, began });
  } finally {
    await closeClients(clients);
    if (topology) await Promise.allSettled(topology.all.map((r) => r.down('kill')));
    await services.stop();
    if (!options.keep) rmSync(root, { recursive: true, force: true });
    else log(`kept the run tree: ${root}`);
  }
}
