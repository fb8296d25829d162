import { graphqlWs, JOB_EVENTS_FULL, type JobEventItem, TERMINAL_STATUSES } from '@photomaker/harness/client';
import type { Client as WsClient } from 'graphql-ws';

/** What one job's live subscriber saw, across every (re)subscription. */
export interface SubscriberRecord {
  jobId: string;
  /** Highest seq covered by an event or a snapshot. */
  covered: number;
  /** Event seqs that skipped ahead of covered + 1. */
  gaps: { expected: number; got: number }[];
  /** Event seqs at or below what was already covered. */
  duplicates: number[];
  terminal: { status: string; seq: number; via: 'event' | 'snapshot'; errorCode?: string } | undefined;
  /** Runware task UUIDs the job used (snapshot + submitted events): what the charges are summed over. */
  runwareTaskUUIDs: Set<string>;
  subscriptions: number;
  /** Errors that ended a subscription (each was followed by a resume). */
  interruptions: string[];
}

export function newRecord(jobId: string): SubscriberRecord {
  return {
    jobId,
    covered: 0,
    gaps: [],
    duplicates: [],
    terminal: undefined,
    runwareTaskUUIDs: new Set(),
    subscriptions: 0,
    interruptions: [],
  };
}

interface PooledSocket {
  client: WsClient;
  url: string;
  active: number;
  broken: boolean;
}

/**
 * Live subscribers for many jobs over a few pooled graphql-ws sockets. A subscription that errors or ends
 * without a terminal item (API restart, Redis or Temporal down) resumes on a fresh socket with
 * `afterSeq` = the highest seq it covered, and every item is checked: no gap, no duplicate seq.
 */
export class SubscriberPool {
  /** API replicas in order of preference: a fresh socket after a broken one goes to the next. */
  private readonly apiUrls: readonly string[];
  private next = 0;
  private readonly key: string;
  private readonly perSocket: number;
  private readonly sockets: PooledSocket[] = [];
  readonly records = new Map<string, SubscriberRecord>();
  private readonly waiters = new Map<string, () => void>();
  private closed = false;

  constructor(apiUrl: string | readonly string[], key: string, perSocket = 40) {
    this.apiUrls = typeof apiUrl === 'string' ? [apiUrl] : apiUrl;
    this.key = key;
    this.perSocket = perSocket;
  }

  private socket(): PooledSocket {
    let socket = this.sockets.find((s) => !s.broken && s.active < this.perSocket);
    if (!socket) {
      const url = this.apiUrls[this.next % this.apiUrls.length] ?? '';
      socket = { client: graphqlWs(url, this.key), url, active: 0, broken: false };
      const created = socket;
      created.client.on('closed', () => {
        created.broken = true;
        // That replica is restarting or gone: resume on the next one (several sockets move it once).
        if (this.apiUrls[this.next % this.apiUrls.length] === url) this.next += 1;
      });
      this.sockets.push(socket);
    }
    return socket;
  }

  /** Starts watching a job; resolves when its terminal item has been seen. */
  watch(jobId: string): Promise<void> {
    const record = newRecord(jobId);
    this.records.set(jobId, record);
    const done = new Promise<void>((resolve) => this.waiters.set(jobId, resolve));
    this.subscribe(record, 0);
    return done;
  }

  /** Checks one received item against what the record covered so far (public for the checks' tests). */
  accept(record: SubscriberRecord, item: JobEventItem): void {
    // A live queue position update is not a logged event: it repeats the last seq and carries nothing to check.
    if (item.durable === false) return;
    const snapshot = item.__typename === 'JobSnapshot';
    if (!snapshot) checkSeq(record, item.seq);
    record.covered = Math.max(record.covered, item.seq);
    const runwareTaskUUID = snapshot ? item.job?.runwareTaskUUID : item.runwareTaskUUID;
    if (runwareTaskUUID) record.runwareTaskUUIDs.add(runwareTaskUUID);
    if (TERMINAL_STATUSES.has(item.status) && !record.terminal) {
      const errorCode = snapshot ? item.job?.error?.code : item.error?.code;
      record.terminal = {
        status: item.status,
        seq: item.seq,
        via: snapshot ? 'snapshot' : 'event',
        ...(errorCode ? { errorCode } : {}),
      };
    }
  }

  private subscribe(record: SubscriberRecord, attempt: number): void {
    if (this.closed) return;
    const socket = this.socket();
    socket.active += 1;
    record.subscriptions += 1;
    let ended = false;
    const end = (reason: string | undefined) => {
      if (ended) return;
      ended = true;
      socket.active -= 1;
      if (record.terminal) {
        this.waiters.get(record.jobId)?.();
        return;
      }
      record.interruptions.push(reason ?? 'completed without a terminal item');
      // The socket may be the problem (API restarted): the next attempt takes a fresh one.
      if (reason) socket.broken = true;
      const delay = Math.min(2_000, 200 * 2 ** Math.min(attempt, 4));
      setTimeout(() => this.subscribe(record, attempt + 1), delay).unref();
    };
    socket.client.subscribe<{ jobEvents: JobEventItem }>(
      { query: JOB_EVENTS_FULL, variables: { jobId: record.jobId, afterSeq: record.covered } },
      {
        next: (result) => {
          if (result.errors?.length) {
            end(`GraphQL error: ${result.errors[0]?.message}`);
            return;
          }
          const item = result.data?.jobEvents;
          if (item) this.accept(record, item);
        },
        error: (error) => end(describe(error)),
        complete: () => end(record.terminal ? undefined : undefined),
      },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.sockets.map((s) => s.client.dispose()));
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (Array.isArray(error)) return `GraphQL error: ${(error[0] as { message?: string })?.message}`;
  const close = error as { code?: number; reason?: string };
  if (typeof close?.code === 'number')
    return `socket closed (${close.code}${close.reason ? ` ${close.reason}` : ''})`;
  return String(error);
}

/** A logged event must follow what the record covered: no gap, no repeat. */
function checkSeq(record: SubscriberRecord, seq: number): void {
  if (seq <= record.covered) record.duplicates.push(seq);
  else if (seq !== record.covered + 1) record.gaps.push({ expected: record.covered + 1, got: seq });
}
