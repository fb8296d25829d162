import { type ChildProcess, fork } from 'node:child_process';
import type { JobEventLog } from '@photomaker/events';
import { sampleProcess } from '../harness/proc-stats.ts';
import { type Distribution, distribution, rounded } from '../stats/percentiles.ts';
import type { DriverCommand, DriverReply } from './fanout-driver.ts';
import { appendToAll, type HeldJob } from './fanout-jobs.ts';

/** One fan-out measurement: `subscribers` spread evenly over `jobs`, on one API process. */
export interface ScaleResult {
  variant: string;
  round: number;
  subscribers: number;
  jobs: number;
  connected: number;
  events: number;
  expected: number;
  received: number;
  /** Sockets the API closed during the events (e.g. 4008 slow consumer). */
  dropped: number;
  /** Append (just before the XADD) -> receipt, ms, over every receipt. */
  deliveryMs: Distribution;
  connectMs: number;
  apiIdleRssMiB: number;
  apiRssMiB: number;
  apiPeakRssMiB: number;
  /** (RSS connected - RSS idle) / subscribers. */
  rssBytesPerSubscriber: number;
  apiCpuMsPerDelivery: number;
  driverCpuMsPerDelivery: number;
}

/** The driver processes (fanout-driver.ts), each answering its commands in order. */
export class Drivers {
  private readonly children: ChildProcess[] = [];
  private readonly waiting = new Map<ChildProcess, ((r: DriverReply) => void)[]>();

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const child = fork(new URL('./fanout-driver.ts', import.meta.url), [], { stdio: 'inherit' });
      this.waiting.set(child, []);
      child.on('message', (reply: DriverReply) => this.waiting.get(child)?.shift()?.(reply));
      this.children.push(child);
    }
  }

  get count(): number {
    return this.children.length;
  }

  pids(): number[] {
    return this.children.flatMap((c) => (c.pid ? [c.pid] : []));
  }

  ask<T extends DriverReply['type']>(
    i: number,
    command: DriverCommand,
  ): Promise<Extract<DriverReply, { type: T }>> {
    const child = this.children[i] as ChildProcess;
    return new Promise((resolve) => {
      this.waiting.get(child)?.push(resolve as (r: DriverReply) => void);
      child.send(command);
    });
  }

  all<T extends DriverReply['type']>(command: DriverCommand): Promise<Extract<DriverReply, { type: T }>[]> {
    return Promise.all(this.children.map((_, i) => this.ask<T>(i, command)));
  }

  stop(): void {
    for (const child of this.children) child.disconnect();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (bytes: number | undefined) => Math.round(((bytes ?? 0) / 1024 / 1024) * 10) / 10;
const cpuOf = (pids: number[]) => pids.reduce((sum, pid) => sum + (sampleProcess(pid)?.cpuMs ?? 0), 0);

export interface RoundOptions {
  variant: string;
  round: number;
  apiUrl: string;
  apiKey: string;
  apiPid: number;
  drivers: Drivers;
  log: JobEventLog;
  jobs: HeldJob[];
  subscribers: number;
  events: number;
}

/**
 * Connects the subscribers (subscriber i on job i mod jobs, dealt round-robin to the drivers), appends
 * `events` events to every job one wave at a time (the next wave once nearly every copy of this one
 * arrived), then collects append -> receipt times and closes every socket.
 */
export async function measureRound(o: RoundOptions): Promise<ScaleResult> {
  const { drivers, jobs } = o;
  const idle = sampleProcess(o.apiPid);
  const shares: [string, number][][] = Array.from({ length: drivers.count }, () => []);
  for (let i = 0; i < o.subscribers; i++) {
    const job = jobs[i % jobs.length] as HeldJob;
    shares[i % drivers.count]?.push([job.jobId, job.last.seq]);
  }
  const connectStart = performance.now();
  const connects = await Promise.all(
    shares.map((subs, i) =>
      drivers.ask<'connected'>(i, { type: 'connect', url: o.apiUrl, key: o.apiKey, subs }),
    ),
  );
  const connectMs = performance.now() - connectStart;
  const connected = connects.reduce((sum, c) => sum + c.connected, 0);
  const failedCodes = [...new Set(connects.flatMap((c) => c.failedCodes))];
  if (connected < o.subscribers)
    process.stdout.write(
      `fanout: ${o.subscribers - connected} did not connect (close codes ${failedCodes.join(', ')})\n`,
    );
  await sleep(1_000);
  const ready = sampleProcess(o.apiPid);

  const apiCpu = ready?.cpuMs ?? 0;
  const driverCpu = cpuOf(drivers.pids());
  const appendedAt: Record<string, number> = {};
  const perWave = connected;
  for (let wave = 1; wave <= o.events; wave++) {
    Object.assign(appendedAt, await appendToAll(o.log, jobs));
    const deadline = performance.now() + 10_000;
    while (performance.now() < deadline) {
      const counts = await drivers.all<'count'>({ type: 'count' });
      if (counts.reduce((sum, c) => sum + c.received, 0) >= wave * perWave) break;
      await sleep(10);
    }
    await sleep(50);
  }
  const after = sampleProcess(o.apiPid);
  const driverCpuMs = cpuOf(drivers.pids()) - driverCpu;
  const replies = await drivers.all<'samples'>({ type: 'samples', appendedAt });
  const samples = replies.flatMap((r) => r.samples);
  await drivers.all<'closed'>({ type: 'close' });
  const received = samples.length;
  const per = (ms: number) => (received > 0 ? Math.round((ms / received) * 1000) / 1000 : Number.NaN);
  return {
    variant: o.variant,
    round: o.round,
    subscribers: o.subscribers,
    jobs: jobs.length,
    connected,
    events: o.events,
    expected: o.subscribers * o.events,
    received,
    dropped: replies.reduce((sum, r) => sum + r.dropped, 0),
    deliveryMs: rounded(distribution(samples)),
    connectMs: Math.round(connectMs),
    apiIdleRssMiB: mib(idle?.rssBytes),
    apiRssMiB: mib(ready?.rssBytes),
    apiPeakRssMiB: mib(after?.peakRssBytes),
    rssBytesPerSubscriber: Math.round(
      ((ready?.rssBytes ?? 0) - (idle?.rssBytes ?? 0)) / Math.max(1, connected),
    ),
    apiCpuMsPerDelivery: per((after?.cpuMs ?? 0) - apiCpu),
    driverCpuMsPerDelivery: per(driverCpuMs),
  };
}
