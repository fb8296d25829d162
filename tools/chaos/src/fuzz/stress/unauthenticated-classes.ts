import { connect } from 'node:net';
import { bounded, type ClassOutcome, notARefusal, type StressContext, send, Tally } from './tally.ts';

const MiB = 1024 * 1024;

/** A JSON body of `bytes` that is expensive to parse if the API reads it before checking the key. */
function largeBody(path: string, bytes: number): Buffer {
  const filler = 'A'.repeat(bytes);
  return Buffer.from(
    path === '/v1'
      ? `[{"taskType":"imageUpload","taskUUID":"00000000-0000-4000-8000-000000000000","image":"${filler}"}]`
      : `{"query":"{ __typename }","variables":{"x":"${filler}"}}`,
  );
}

/**
 * Large bodies without a key (or with a wrong one): the 40 MiB request answered 401 after 15 s.
 * Each must be refused (401/413/429 or an early close) without the API reading it first.
 */
export async function unauthenticatedLargeBodies(ctx: StressContext): Promise<ClassOutcome> {
  const tally = new Tally();
  const bytes = (ctx.quick ? 8 : 40) * MiB;
  const bodies = { '/v1': largeBody('/v1', bytes), '/graphql': largeBody('/graphql', bytes) };
  let slowest = 0;
  await bounded(ctx.quick ? 4 : 9, 3, ctx.quick ? 30 : 60, async (i) => {
    const path = i % 2 === 0 ? '/v1' : '/graphql';
    const headers: Record<string, string> =
      i % 3 === 2 ? { authorization: 'Bearer wrong-key-0000000000' } : {};
    const reply = await send(ctx, path, bodies[path], headers, 30_000);
    slowest = Math.max(slowest, reply.ms);
    // The API may close the connection as soon as it refuses: that is a refusal, not a failure.
    const closedEarly = reply.error !== undefined && reply.error !== 'timeout';
    tally.record(closedEarly ? undefined : notARefusal(reply, `${bytes / MiB} MiB to ${path}`));
  });
  tally.notes.push(`${bytes / MiB} MiB bodies; slowest refusal ${slowest} ms`);
  return tally;
}

/** Opens a connection and trickles a request one byte a second; resolves with how long the API kept it. */
function trickle(ctx: StressContext, kind: 'headers' | 'body', maxSeconds: number): Promise<number> {
  const url = new URL(ctx.apiUrl);
  const head = `POST /v1 HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${MiB}\r\n`;
  return new Promise((resolve) => {
    const began = performance.now();
    const socket = connect(Number(url.port), url.hostname);
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearInterval(timer);
      socket.destroy();
      resolve((performance.now() - began) / 1000);
    };
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', () => undefined); // an answer (408, 401...) is fine; the close ends it
    socket.on('connect', () => {
      // Slow headers (slowloris) never finish the head; slow bodies send it whole, then a byte a second.
      socket.write(kind === 'headers' ? head.slice(0, 20) : `${head}\r\n`);
      timer = setInterval(() => {
        if ((performance.now() - began) / 1000 >= maxSeconds) return done();
        socket.write(kind === 'headers' ? 'X' : '[');
      }, 1_000);
    });
  });
}

/**
 * Slow uploads without a key: the stayed open 100 s+. Half trickle headers, half a body; each
 * connection the API has not closed within the class's time is unexpected (no read timeout).
 */
export async function unauthenticatedSlowBodies(ctx: StressContext): Promise<ClassOutcome> {
  const tally = new Tally();
  const connections = ctx.quick ? 10 : 40;
  const maxSeconds = ctx.quick ? 20 : 45;
  const held = await Promise.all(
    Array.from({ length: connections }, (_, i) => trickle(ctx, i % 2 === 0 ? 'body' : 'headers', maxSeconds)),
  );
  for (const [i, seconds] of held.entries()) {
    const kind = i % 2 === 0 ? 'slow body' : 'slow headers';
    tally.record(seconds >= maxSeconds ? `${kind}: still open after ${Math.round(seconds)} s` : undefined);
  }
  tally.notes.push(
    `${connections} connections at 1 byte/s; longest held open ${Math.round(Math.max(...held))} s (limit of the class ${maxSeconds} s)`,
  );
  return tally;
}
