import { type RunningNodeApp, startEmulatorApp } from '@photomaker/harness';
import {
  EmulatorAdmin,
  type FaultConfigInput,
  type InspectedTask,
  type LatencyModel,
  type ScriptedFaultInput,
} from '@photomaker/runware-emulator/admin';
import sharp from 'sharp';

export const EMULATOR_KEY = 'rw-client-suite-key-4f2a9c';

/** The real emulator process over real sockets, plus its admin API for faults and charge counting. */
export class Emulator {
  readonly app: RunningNodeApp;
  readonly origin: string;
  readonly admin: EmulatorAdmin;

  private constructor(app: RunningNodeApp) {
    this.app = app;
    this.origin = app.url ?? '';
    this.admin = new EmulatorAdmin(this.origin);
  }

  /** Zero latency unless `args` say otherwise; one key of our own; the rest of its defaults. */
  static async start(args: string[] = []): Promise<Emulator> {
    const app = await startEmulatorApp({ env: {}, args: ['--keys', EMULATOR_KEY, ...args] });
    if (!app.url) throw new Error('emulator printed no URL');
    return new Emulator(app);
  }

  get restUrl(): string {
    return `${this.origin}/v1`;
  }

  get wsUrl(): string {
    return `${this.origin.replace(/^http/, 'ws')}/v1`;
  }

  inspect() {
    return this.admin.inspect();
  }

  /** One task's record; rejects (404) when the emulator never accepted it. */
  async task(taskUUID: string): Promise<InspectedTask> {
    const record = await this.admin.task(taskUUID);
    if (!record) throw new Error(`emulator admin: no task ${taskUUID} (HTTP 404)`);
    return record;
  }

  /**
   * Appends scripted faults ("the next N matching tasks"); match them by taskUUID to stay isolated.
   * Loosely typed: the suites build fault specs from tables, and the emulator validates what it gets.
   */
  script(...entries: { match?: Record<string, unknown>; count?: number; fault: Record<string, unknown> }[]) {
    return this.admin.addFaults(entries as ScriptedFaultInput[]);
  }

  faults(patch: FaultConfigInput) {
    return this.admin.patchFaults(patch);
  }

  clearFaults() {
    return this.admin.clearFaults();
  }

  setBalance(balance: number) {
    return this.admin.setBalance(balance);
  }

  setLatency(latency: Partial<LatencyModel>) {
    return this.admin.setLatency(latency);
  }

  /** Polls the inspection endpoint until the task is no longer running. */
  settled(taskUUID: string, timeoutMs = 20_000): Promise<InspectedTask> {
    return this.admin.settled(taskUUID, timeoutMs);
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
