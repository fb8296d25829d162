/**
 * A fan-out driver process (forked by fanout-scale.ts): holds its share of the subscribers, one WebSocket
 * each, speaking graphql-transport-ws by hand (Node's WebSocket, no client library: the receiving side's
 * CPU runs on the same 2 cores as the API, so it is kept small). Commands come over IPC.
 */

export type DriverCommand =
  | { type: 'connect'; url: string; key: string; subs: [jobId: string, afterSeq: number][] }
  | { type: 'count' }
  | { type: 'samples'; appendedAt: Record<string, number> }
  | { type: 'close' };

export type DriverReply =
  | { type: 'connected'; connected: number; failed: number; failedCodes: number[] }
  | { type: 'count'; received: number }
  | { type: 'samples'; samples: number[]; received: number; dropped: number; closeCodes: number[] }
  | { type: 'closed' };

/** Wall-clock ms with sub-ms precision, comparable across processes. */
const now = () => performance.timeOrigin + performance.now();

const QUERY =
  'subscription E($jobId: ID!, $afterSeq: Int) { jobEvents(jobId: $jobId, afterSeq: $afterSeq) { __typename seq } }';
const SEQ = /"seq":(\d+)/;

interface Sub {
  socket: WebSocket;
  jobId: string;
  /** seq -> receipt time. */
  receipts: Map<number, number>;
  closeCode?: number;
}

const subs: Sub[] = [];
let received = 0;

/** Close codes of sockets that closed before their snapshot (0: no answer within a minute). */
const failedCodes = new Set<number>();

function open(url: string, key: string, jobId: string, afterSeq: number): Promise<Sub | undefined> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const sub: Sub = { socket, jobId, receipts: new Map() };
    const timer = setTimeout(() => {
      failedCodes.add(0);
      resolve(undefined);
    }, 60_000);
    socket.onopen = () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } }));
    socket.onmessage = (message) => {
      const at = now();
      const text = message.data as string;
      if (text.startsWith('{"type":"connection_ack"')) {
        socket.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: { query: QUERY, variables: { jobId, afterSeq } },
          }),
        );
        return;
      }
      if (text.includes('"JobSnapshot"')) {
        clearTimeout(timer);
        resolve(sub);
        return;
      }
      const seq = SEQ.exec(text);
      if (seq) {
        sub.receipts.set(Number(seq[1]), at);
        received += 1;
      }
    };
    socket.onclose = (event) => {
      sub.closeCode = event.code;
      failedCodes.add(event.code);
      clearTimeout(timer);
      resolve(undefined);
    };
  });
}

async function connect(command: Extract<DriverCommand, { type: 'connect' }>): Promise<DriverReply> {
  let failed = 0;
  // 200 handshakes in flight at a time: enough to connect 5,000 in seconds without a SYN flood.
  for (let i = 0; i < command.subs.length; i += 200) {
    const batch = command.subs.slice(i, i + 200);
    const opened = await Promise.all(
      batch.map(([jobId, after]) => open(command.url, command.key, jobId, after)),
    );
    for (const sub of opened) {
      if (sub) subs.push(sub);
      else failed += 1;
    }
  }
  return { type: 'connected', connected: subs.length, failed, failedCodes: [...failedCodes] };
}

function samples(appendedAt: Record<string, number>): DriverReply {
  const out: number[] = [];
  for (const sub of subs) {
    for (const [seq, at] of sub.receipts) {
      const appended = appendedAt[`${sub.jobId}:${seq}`];
      if (appended !== undefined) out.push(at - appended);
    }
  }
  const codes = subs.flatMap((s) => (s.closeCode === undefined ? [] : [s.closeCode]));
  return { type: 'samples', samples: out, received, dropped: codes.length, closeCodes: [...new Set(codes)] };
}

async function closeAll(): Promise<DriverReply> {
  const closed = subs.map(
    (sub) =>
      new Promise<void>((resolve) => {
        if (sub.socket.readyState === WebSocket.CLOSED) return resolve();
        sub.socket.onclose = () => resolve();
        sub.socket.close(1000);
        setTimeout(resolve, 5_000).unref();
      }),
  );
  await Promise.all(closed);
  subs.length = 0;
  received = 0;
  return { type: 'closed' };
}

process.on('message', (command: DriverCommand) => {
  const reply = (r: DriverReply | Promise<DriverReply>) =>
    void Promise.resolve(r).then((v) => process.send?.(v));
  if (command.type === 'connect') reply(connect(command));
  else if (command.type === 'count') reply({ type: 'count', received });
  else if (command.type === 'samples') reply(samples(command.appendedAt));
  else if (command.type === 'close') reply(closeAll());
});
process.on('disconnect', () => process.exit(0));
