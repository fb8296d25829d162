import { type Agent, request } from 'undici';

/** How one class went from the client's side: requests sent, answers that broke a promise, notes. */
export interface ClassOutcome {
  attempts: number;
  /** Answers that were not a cheap refusal: 2xx acceptance, 5xx, timeouts, uncapped errors... */
  unexpected: number;
  /** The first few unexpected answers, described. */
  examples: string[];
  /** Measurements of the class itself (answer times, sizes), for the report. */
  notes: string[];
}

export class Tally implements ClassOutcome {
  attempts = 0;
  unexpected = 0;
  examples: string[] = [];
  notes: string[] = [];

  /** Counts one attempt; `problem` (if any) makes it unexpected. */
  record(problem: string | undefined): void {
    this.attempts += 1;
    if (!problem) return;
    this.unexpected += 1;
    if (this.examples.length < 3) this.examples.push(problem.slice(0, 200));
  }
}

/** Everything a class needs: the API, a key, its size, and a pool of its own. */
export interface StressContext {
  apiUrl: string;
  apiKey: string;
  /** The platform's /metrics token (the operator's view of the metrics). */
  metricsToken: string;
  quick: boolean;
  agent: Agent;
}

export interface Reply {
  status: number;
  text: string;
  ms: number;
  /** Set when no answer came: a timeout or a closed connection. */
  error?: string;
}

/** A request that never throws: an early close or a timeout is an answer too. */
export async function send(
  ctx: StressContext,
  path: string,
  body: string | Buffer,
  headers: Record<string, string>,
  timeoutMs = 60_000,
): Promise<Reply> {
  const began = performance.now();
  const ms = () => Math.round(performance.now() - began);
  try {
    const response = await request(`${ctx.apiUrl}${path}`, {
      method: 'POST',
      dispatcher: ctx.agent,
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.body.text();
    return { status: response.statusCode, text, ms: ms() };
  } catch (error) {
    const name = (error as Error).name;
    return {
      status: 0,
      text: '',
      ms: ms(),
      error: name === 'TimeoutError' ? 'timeout' : (error as Error).message,
    };
  }
}

export const bearer = (ctx: StressContext) => ({ authorization: `Bearer ${ctx.apiKey}` });

export function parse(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The problem with an answer that should be a refusal (4xx or GraphQL errors without data), if any. */
export function notARefusal(reply: Reply, what: string): string | undefined {
  if (reply.error) return `${what}: ${reply.error} after ${reply.ms} ms`;
  if (reply.status >= 500) return `${what}: ${reply.status} ${reply.text.slice(0, 120)}`;
  const body = parse(reply.text);
  const data = body?.data as Record<string, unknown> | null | undefined;
  const accepted = reply.status < 300 && (!body?.errors || (data && Object.values(data).some((v) => v)));
  return accepted ? `${what}: accepted (${reply.status}) ${reply.text.slice(0, 120)}` : undefined;
}

/** Runs `attempt(i)` for i < count, `concurrency` at a time, until `seconds` have passed. */
export async function bounded(
  count: number,
  concurrency: number,
  seconds: number,
  attempt: (i: number) => Promise<void>,
): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  let next = 0;
  const lane = async () => {
    while (next < count && performance.now() < deadline) {
      const i = next;
      next += 1;
      await attempt(i);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}
