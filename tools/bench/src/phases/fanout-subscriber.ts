import { graphqlWs, JOB_EVENTS_MINIMAL, type JobEventItem } from '@photomaker/harness/client';
import type { Client as WsClient } from 'graphql-ws';

/** One fan-out subscriber on its own WebSocket: when it got its snapshot, and when each event seq arrived. */
export interface Subscriber {
  client: WsClient;
  dispose: () => void;
  snapshot: Promise<void>;
  receipts: Map<number, number>;
  done: Promise<void>;
  connected: () => boolean;
}

export function subscribe(apiUrl: string, key: string, jobId: string): Subscriber {
  const client = graphqlWs(apiUrl, key, { lazy: true });
  const receipts = new Map<number, number>();
  let connected = false;
  let gotSnapshot: () => void = () => undefined;
  let failSnapshot: (error: unknown) => void = () => undefined;
  const snapshot = new Promise<void>((resolve, reject) => {
    gotSnapshot = resolve;
    failSnapshot = reject;
  });
  let dispose: () => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    dispose = client.subscribe<{ jobEvents: JobEventItem }>(
      { query: JOB_EVENTS_MINIMAL, variables: { jobId, afterSeq: 0 } },
      {
        next: (result) => {
          const now = performance.now();
          const item = result.data?.jobEvents;
          if (!item) return;
          if (item.__typename === 'JobSnapshot') {
            connected = true;
            gotSnapshot();
          } else receipts.set(item.seq, now);
        },
        error: (error) => {
          failSnapshot(error);
          reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        },
        complete: () => resolve(),
      },
    );
  });
  done.catch(() => undefined);
  snapshot.catch(() => undefined);
  return { client, dispose, snapshot, receipts, done, connected: () => connected };
}
