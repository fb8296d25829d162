import { type RunningNodeApp, startNodeApp } from '@photomaker/harness';
import sharp from 'sharp';

export const EMULATOR_KEY = 'rw-client-suite-key-4f2a9c';

export interface TaskRecord {
  taskType: string;
  submissions: number;
  generations: number;
  charges: number;
  cost: number;
  status: string;
  polls: number;
  numberResults: number;
  images: { index: number; seed: string; status: string; imageUUID?: string; code?: string }[];
}

export interface Inspection {
  balance: number;
  taskTypes: Record<string, number>;
  tasks: Record<string, TaskRecord>;
  replayedFrames: number;
  faultsInjected: Record<string, number>;
}

/** The real emulator process over real sockets, plus its admin API for faults and charge counting. */
export class Emulator {
  readonly app: RunningNodeApp;
  readonly origin: string;

  private constructor(app: RunningNodeApp) {
    this.app = app;
    this.origin = app.url ?? '';
  }

  /** Zero latency unless `args` say otherwise; one key of our own; the rest of its defaults. */
  static async start(args: string[] = []): Promise<Emulator> {
    const app = await startNodeApp({
      name: 'runware-emulator',
      entry: 'apps/runware-emulator/src/main.ts',
      args: ['--port', '0', '--latency', 'none', '--keys', EMULATOR_KEY, ...args],
    });
    if (!app.url) throw new Error('emulator printed no URL');
    return new Emulator(app);
  }

  get restUrl(): string {
    return `${this.origin}/v1`;
  }

  get wsUrl(): string {
    return `${this.origin.replace(/^http/, 'ws')}/v1`;
  }

  private async admin<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.origin}/admin${path}`, {
      method,
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
        : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`admin ${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  inspect(): Promise<Inspection> {
    return this.admin('GET', '/inspect');
  }

  task(taskUUID: string): Promise<TaskRecord> {
    return this.admin('GET', `/inspect/tasks/${taskUUID}`);
  }

  /** Appends scripted faults ("the next N matching tasks"); match them by taskUUID to stay isolated. */
  script(...entries: { match?: Record<string, unknown>; count?: number; fault: Record<string, unknown> }[]) {
    return this.admin('PATCH', '/faults', { scripted: entries });
  }

  faults(patch: Record<string, unknown>) {
    return this.admin('PATCH', '/faults', patch);
  }

  clearFaults() {
    return this.admin('DELETE', '/faults');
  }

  setBalance(balance: number) {
    return this.admin('PUT', '/balance', { balance });
  }

  setLatency(latency: Record<string, number>) {
    return this.admin('PUT', '/latency', latency);
  }

  /** Polls the inspection endpoint until the task is no longer running. */
  async settled(taskUUID: string, timeoutMs = 20_000): Promise<TaskRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const record = await this.task(taskUUID).catch(() => undefined);
      if (record?.images.every((image) => image.status !== 'processing')) return record;
      if (Date.now() > deadline) throw new Error(`task ${taskUUID} still running: ${JSON.stringify(record)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  stop(): Promise<void> {
    return this.app.stop();
  }
}

/** A small real PNG as a data URI: a reference "face" the emulator can decode and draw from. */
export async function referencePng(hue = 30): Promise<string> {
  const png = await sharp({
    create: { width: 96, height: 96, channels: 3, background: { r: 200, g: 120 + hue, b: 90 } },
  })
    .composite([
      {
        input: await sharp({
          create: { width: 40, height: 48, channels: 3, background: { r: 240, g: 200, b: 170 } },
        })
          .png()
          .toBuffer(),
        top: 20,
        left: 28,
      },
    ])
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** The bytes of an image result whatever its outputType (a URL is fetched from the emulator). */
export async function imageBytes(result: {
  imageURL?: string | undefined;
  imageBase64Data?: string | undefined;
  imageDataURI?: string | undefined;
}): Promise<Buffer> {
  if (result.imageBase64Data) return Buffer.from(result.imageBase64Data, 'base64');
  if (result.imageDataURI)
    return Buffer.from(result.imageDataURI.slice(result.imageDataURI.indexOf(',') + 1), 'base64');
  if (result.imageURL) {
    const response = await fetch(result.imageURL);
    if (!response.ok) throw new Error(`GET ${result.imageURL}: ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }
  throw new Error('result carries no image');
}
