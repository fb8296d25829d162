import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Vitals } from './probe.ts';

/**
 * The API's vitals during a class, measured by a HealthProbe in a worker thread: a class that builds or
 * parses a large payload blocks this thread, and a probe here would time out on the fuzz's account.
 */
export class ApiMonitor {
  private readonly worker: Worker;

  constructor(apiUrl: string, apiPid: number | undefined) {
    this.worker = new Worker(new URL('./monitor-thread.ts', import.meta.url), {
      workerData: { apiUrl, apiPid },
    });
  }

  private async ask<T>(message: 'start' | 'stop'): Promise<T> {
    const answer = once(this.worker, 'message');
    this.worker.postMessage(message);
    return ((await answer) as [T])[0];
  }

  async start(): Promise<void> {
    await this.ask('start');
  }

  async stop(): Promise<Vitals> {
    return (await this.ask<{ vitals: Vitals }>('stop')).vitals;
  }

  async close(): Promise<void> {
    this.worker.postMessage('close');
    await once(this.worker, 'exit');
  }
}
