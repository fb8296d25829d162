import { request } from 'undici';

export interface EmulatorTaskRecord {
  taskType: string;
  submissions: number;
  generations: number;
  charges: number;
  cost: number;
  status: string;
  numberResults?: number;
  deliveryMethod?: string;
  polls?: number;
}

export interface EmulatorInspect {
  balance: number;
  taskTypes: Record<string, number>;
  tasks: Record<string, EmulatorTaskRecord>;
  ledger: { balance: number; reserved: number; charged: number; charges: number };
  activeGenerations: number;
  faultsInjected: Record<string, number>;
}

export interface LatencyKnobs {
  requestMs: number;
  imageMs: number;
  stepMs: number;
  parallelism: number;
}

/** The emulator's loopback admin API (apps/runware-emulator/README.md, "Admin API"). */
export class EmulatorAdmin {
  private readonly url: string;
  constructor(emulatorUrl: string) {
    this.url = `${emulatorUrl}/admin`;
  }

  private async call<T>(
    method: 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const response = await request(`${this.url}${path}`, {
      method,
      ...(body !== undefined
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
        : {}),
    });
    const text = await response.body.text();
    if (response.statusCode >= 400)
      throw new Error(`emulator admin ${method} ${path}: ${response.statusCode} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  inspect(): Promise<EmulatorInspect> {
    return this.call('GET', '/inspect');
  }
  latency(): Promise<LatencyKnobs> {
    return this.call('GET', '/latency');
  }
  setLatency(knobs: Partial<LatencyKnobs>): Promise<LatencyKnobs> {
    return this.call('PUT', '/latency', knobs);
  }
  setFaults(config: unknown): Promise<unknown> {
    return this.call('PUT', '/faults', config);
  }
  clearFaults(): Promise<unknown> {
    return this.call('DELETE', '/faults');
  }
}

/** The emulator's presets (apps/runware-emulator/src/config/latency.ts), as the bench names them. */
export const LATENCY_PRESETS: Record<'none' | 'realistic', LatencyKnobs> = {
  none: { requestMs: 0, imageMs: 0, stepMs: 0, parallelism: 4 },
  realistic: { requestMs: 300, imageMs: 250, stepMs: 40, parallelism: 2 },
};
