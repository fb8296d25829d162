// The typed client of the emulator's loopback admin API (README "Admin API"; routes in
// src/http/admin-routes.ts), for the tests, bench and chaos of other packages. It imports nothing that
// runs a server: `@photomaker/runware-emulator/admin` is safe to load from any test or tool.

import type { LatencyModel } from '../config/latency.ts';
import type { FaultConfig, FaultConfigInput, ScriptedFault } from '../faults/fault-config.ts';
import type { DeliveryStats, TaskStatus } from '../state/task-registry.ts';

export { DEV_API_KEY } from '../auth.ts';
export { LATENCY_PRESETS, type LatencyModel, type LatencyPreset } from '../config/latency.ts';
export type { Fault, FaultConfigInput } from '../faults/fault-config.ts';

/** A scripted fault as callers write it (`count` defaults to 1). */
export type ScriptedFaultInput = Omit<ScriptedFault, 'count'> & { count?: number };

export interface InspectedImage {
  index: number;
  seed: string;
  status: string;
  imageUUID?: string;
  code?: string;
}

/** GET /admin/inspect/tasks/:uuid (and each entry of the inspection's `tasks`). */
export interface InspectedTask {
  taskUUID?: string;
  taskType: 'photoMaker' | 'imageInference' | 'imageUpload';
  submissions: number;
  generations: number;
  charges: number;
  /** USD charged for this task. */
  cost: number;
  status: TaskStatus;
  numberResults: number;
  deliveryMethod: 'sync' | 'async';
  transport: 'rest' | 'ws';
  polls: number;
  acceptedAt: string;
  finishedAt?: string;
  images: InspectedImage[];
  webhook: DeliveryStats;
  upload: DeliveryStats;
}

/** GET /admin/inspect: what tests use to prove nothing was run or paid twice. */
export interface EmulatorInspection {
  balance: number;
  taskTypes: Record<string, number>;
  /** Dry-run tasks priced: never registered, run or charged. */
  dryRuns: number;
  tasks: Record<string, InspectedTask>;
  ledger: { balance: number; reserved: number; charged: number; charges: number };
  activeGenerations: number;
  /** Most generations in flight at once since start or the last reset. */
  peakActiveGenerations: number;
  sessions: number;
  replayedFrames: number;
  images: { images: number; bytes: number };
  faultsInjected: Record<string, number>;
}

type Method = 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST';

/** One emulator's admin API, by its origin (`http://127.0.0.1:<port>`, no `/v1`). */
export class EmulatorAdmin {
  readonly origin: string;

  constructor(origin: string) {
    this.origin = origin.replace(/\/$/, '');
  }

  private async call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.origin}/admin${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`emulator admin ${method} ${path}: HTTP ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  inspect(): Promise<EmulatorInspection> {
    return this.call('GET', '/inspect');
  }

  /** How many tasks of each type were accepted. */
  async taskTypes(): Promise<Record<string, number>> {
    return (await this.inspect()).taskTypes;
  }

  /** One task's record; undefined when the emulator never saw this taskUUID. */
  async task(taskUUID: string): Promise<InspectedTask | undefined> {
    try {
      return await this.call<InspectedTask>('GET', `/inspect/tasks/${taskUUID}`);
    } catch (error) {
      if (/: HTTP 404 /.test((error as Error).message)) return undefined;
      throw error;
    }
  }

  /** Polls until no generation of the task is still processing. */
  async settled(taskUUID: string, timeoutMs = 20_000): Promise<InspectedTask> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const record = await this.task(taskUUID).catch(() => undefined);
      if (record?.images.every((image) => image.status !== 'processing')) return record;
      if (Date.now() > deadline) throw new Error(`task ${taskUUID} still running: ${JSON.stringify(record)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  faults(): Promise<FaultConfig> {
    return this.call('GET', '/faults');
  }
  /** Replaces the whole fault configuration. */
  setFaults(config: FaultConfigInput): Promise<FaultConfig> {
    return this.call('PUT', '/faults', config);
  }
  /** Merges into the fault configuration (scripted faults are appended). */
  patchFaults(patch: FaultConfigInput): Promise<FaultConfig> {
    return this.call('PATCH', '/faults', patch);
  }
  /** Appends scripted faults (others' stay: tests scope theirs by taskUUID). */
  addFaults(scripted: ScriptedFaultInput[]): Promise<FaultConfig> {
    return this.patchFaults({ scripted });
  }
  clearFaults(): Promise<FaultConfig> {
    return this.call('DELETE', '/faults');
  }

  async balance(): Promise<number> {
    return (await this.call<{ balance: number }>('GET', '/balance')).balance;
  }
  setBalance(balance: number): Promise<{ balance: number }> {
    return this.call('PUT', '/balance', { balance });
  }

  latency(): Promise<LatencyModel> {
    return this.call('GET', '/latency');
  }
  setLatency(knobs: Partial<LatencyModel>): Promise<LatencyModel> {
    return this.call('PUT', '/latency', knobs);
  }

  /** Everything back to how the process started. */
  reset(): Promise<{ reset: true; balance: number }> {
    return this.call('POST', '/reset');
  }
}
