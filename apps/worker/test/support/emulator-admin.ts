/** The emulator's admin API (faults, inspection), as tests use it. */
export interface InspectedTask {
  taskType: string;
  submissions: number;
  generations: number;
  charges: number;
  status: string;
  numberResults: number;
  deliveryMethod: string;
  polls: number;
  images: { index: number; seed: string; status: string; imageUUID?: string; code?: string }[];
}

export type Fault =
  | { kind: 'error'; status: number; code: string; message?: string; retryAfterSeconds?: number }
  | { kind: 'reset'; when?: 'beforeWork' | 'afterAccept' | 'midBody' }
  | { kind: 'slowBody'; ms?: number }
  | { kind: 'duplicateFrames'; copies?: number }
  | { kind: 'stuck'; polls?: number }
  | { kind: 'generationError'; code?: string; message?: string; images?: number[] };

export interface ScriptedFault {
  match?: { taskType?: string | string[]; taskUUID?: string; transport?: 'rest' | 'ws' };
  count?: number;
  fault: Fault;
}

export class EmulatorAdmin {
  readonly url: string;

  constructor(url: string) {
    this.url = url;
  }

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return response;
  }

  /** Appends scripted faults (others' faults stay: tests scope theirs by taskUUID). */
  async addFaults(scripted: ScriptedFault[]): Promise<void> {
    const response = await this.call('PATCH', '/admin/faults', { scripted });
    if (!response.ok)
      throw new Error(`PATCH /admin/faults: HTTP ${response.status} ${await response.text()}`);
  }

  async task(taskUUID: string): Promise<InspectedTask | undefined> {
    const response = await this.call('GET', `/admin/inspect/tasks/${taskUUID}`);
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`inspect ${taskUUID}: HTTP ${response.status}`);
    return (await response.json()) as InspectedTask;
  }

  async taskTypes(): Promise<Record<string, number>> {
    const response = await this.call('GET', '/admin/inspect');
    return ((await response.json()) as { taskTypes: Record<string, number> }).taskTypes;
  }
}
