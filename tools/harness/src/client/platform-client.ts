import { RECOMMENDED_MODELS } from '@photomaker/schema';
import type { Client as WsClient } from 'graphql-ws';
import sharp from 'sharp';
import {
  GENERATE,
  JOB_EVENTS_MINIMAL,
  type JobEventItem,
  TERMINAL_STATUSES,
  UPLOAD_REFERENCE,
} from './documents.ts';
import { GraphQLHttp, graphqlWs } from './graphql-client.ts';

/** A small real reference photo (PNG), the same bytes every run. */
export async function referencePng(size = 64): Promise<Buffer> {
  const half = size / 2;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
    <rect width="100%" height="100%" fill="#6b8fb5"/>
    <circle cx="${half}" cy="${half * 0.9}" r="${half * 0.55}" fill="#e0b38f"/>
    <circle cx="${half * 0.8}" cy="${half * 0.8}" r="${size / 20}" fill="#333"/>
    <circle cx="${half * 1.2}" cy="${half * 0.8}" r="${size / 20}" fill="#333"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export const pngDataUri = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;

/** The bench's job: a small image, one result (what a thumbnail / avatar request looks like). */
export function smallTask(inputImage: string, size = 128): Record<string, unknown> {
  return {
    inputImages: [inputImage],
    positivePrompt: 'rwre, a portrait photo, studio light',
    model: RECOMMENDED_MODELS[0]?.air ?? 'civitai:139562@344487',
    width: size,
    height: size,
    numberResults: 1,
    steps: 20,
  };
}

export interface PlatformJobTiming {
  jobId: string;
  /** ms from sending the mutation to its answer. */
  mutationMs: number;
  /** ms from sending the mutation to the terminal item on the subscription. */
  totalMs: number;
  status: string;
}

export class GraphQLFailure extends Error {
  readonly errors: unknown;
  constructor(message: string, errors: unknown) {
    super(message);
    this.name = 'GraphQLFailure';
    this.errors = errors;
  }
}

/**
 * The platform path as a client sees it: HTTP mutation starts the job, a graphql-ws subscription (opened
 * as soon as the id is known) delivers the snapshot and events; the clock stops at the terminal item.
 * Sockets are pooled (at most `perSocket` subscriptions each), like a dashboard watching many jobs.
 */
export class PlatformClient {
  readonly http: GraphQLHttp;
  private readonly apiUrl: string;
  private readonly key: string;
  private readonly sockets: { client: WsClient; active: number }[] = [];
  private readonly perSocket: number;
  /** Jobs started through this client (profiles divide by it). */
  jobsStarted = 0;

  constructor(apiUrl: string, key: string, options: { perSocket?: number } = {}) {
    this.apiUrl = apiUrl;
    this.key = key;
    this.http = new GraphQLHttp(apiUrl, key);
    this.perSocket = options.perSocket ?? 50;
  }

  async uploadReference(image: string): Promise<string> {
    const result = await this.http.post<{ uploadReferenceImage: { id: string } }>(UPLOAD_REFERENCE, {
      image,
    });
    const id = result.data?.uploadReferenceImage?.id;
    if (!id) throw new GraphQLFailure(`uploadReferenceImage failed (${result.status})`, result.errors);
    return id;
  }

  /** The deployment's webhook signing secret, for receivers that verify what the platform posts. */
  async webhookSigningSecret(): Promise<string> {
    const result = await this.http.post<{ webhookSigningSecret: string }>('{ webhookSigningSecret }', {});
    const secret = result.data?.webhookSigningSecret;
    if (!secret) throw new GraphQLFailure(`webhookSigningSecret failed (${result.status})`, result.errors);
    return secret;
  }

  private socket(): { client: WsClient; active: number } {
    let socket = this.sockets.find((s) => s.active < this.perSocket);
    if (!socket) {
      socket = { client: graphqlWs(this.apiUrl, this.key), active: 0 };
      this.sockets.push(socket);
    }
    return socket;
  }

  /** Resolves with the first terminal item of the job's subscription. */
  waitTerminal(jobId: string, timeoutMs = 120_000): Promise<JobEventItem> {
    const socket = this.socket();
    socket.active += 1;
    return new Promise<JobEventItem>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.active -= 1;
        unsubscribe();
        fn();
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`job ${jobId}: no terminal event within ${timeoutMs} ms`))),
        timeoutMs,
      );
      const unsubscribe = socket.client.subscribe<{ jobEvents: JobEventItem }>(
        { query: JOB_EVENTS_MINIMAL, variables: { jobId, afterSeq: 0 } },
        {
          next: (result) => {
            if (result.errors?.length) {
              finish(() =>
                reject(new GraphQLFailure(`jobEvents: ${result.errors?.[0]?.message}`, result.errors)),
              );
              return;
            }
            const item = result.data?.jobEvents;
            if (item && TERMINAL_STATUSES.has(item.status)) finish(() => resolve(item));
          },
          error: (error) =>
            finish(() =>
              reject(error instanceof Error ? error : new Error(`jobEvents socket error: ${String(error)}`)),
            ),
          complete: () =>
            finish(() => reject(new Error(`job ${jobId}: subscription completed without a terminal item`))),
        },
      );
    });
  }

  /** One job end to end; the returned timings are what the bench reports for path (b). */
  async runJob(input: Record<string, unknown>, idempotencyKey?: string): Promise<PlatformJobTiming> {
    const started = performance.now();
    const result = await this.http.post<{ generatePhotoMaker: { id: string; status: string } }>(GENERATE, {
      input,
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
    const mutationMs = performance.now() - started;
    this.jobsStarted += 1;
    const job = result.data?.generatePhotoMaker;
    if (!job)
      throw new GraphQLFailure(
        `generatePhotoMaker failed (${result.status}): ${result.errors?.[0]?.message}`,
        result.errors,
      );
    const terminal = await this.waitTerminal(job.id);
    return { jobId: job.id, mutationMs, totalMs: performance.now() - started, status: terminal.status };
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.sockets.map((s) => s.client.dispose()));
    await this.http.close();
  }
}
