import { GENERATE } from '@photomaker/harness/client';
import { stringifyRunwareJson } from '@photomaker/schema';
import { Agent, request } from 'undici';
import { type Answer, must } from './refusals.ts';

/** The API runs with these limits during the fuzz, so the oversized cases know where the edge is. */
export const MAX_BODY_BYTES = 256 * 1024;
export const MAX_IMAGE_BYTES = 32 * 1024;

async function post(
  agent: Agent,
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<Answer> {
  const response = await request(url, { method: 'POST', dispatcher: agent, headers, body });
  const text = await response.body.text();
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  return { status: response.statusCode, body: parsed, text };
}

/**
 * Sends the fuzz cases to the API: counts requests per property and 5xx answers, and fails the case
 * on any 5xx (a refusal must never be a server error).
 */
export class FuzzClient {
  private readonly agent = new Agent({ connections: 8 });
  private readonly base: string;
  private readonly auth: Record<string, string>;
  readonly tried: Record<string, number> = {};
  serverErrors = 0;

  constructor(base: string, apiKey: string) {
    this.base = base;
    this.auth = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  }

  async send(property: string, path: string, body: string, headers = this.auth): Promise<Answer> {
    this.tried[property] = (this.tried[property] ?? 0) + 1;
    const answer = await post(this.agent, `${this.base}${path}`, body, headers);
    if (answer.status >= 500) this.serverErrors += 1;
    must(
      answer.status < 500,
      () => `${answer.status} for ${body.slice(0, 300)}: ${answer.text.slice(0, 300)}`,
    );
    return answer;
  }

  /** The generate mutation with `input` (and extra variables) over GraphQL. */
  gql(property: string, input: unknown, extra: Record<string, unknown> = {}): Promise<Answer> {
    return this.send(
      property,
      '/graphql',
      JSON.stringify({ query: GENERATE, variables: { input, ...extra } }),
    );
  }

  /** A /v1 task array (a string is sent as is). */
  v1(property: string, tasks: unknown): Promise<Answer> {
    return this.send(property, '/v1', typeof tasks === 'string' ? tasks : stringifyRunwareJson(tasks));
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
