import { createClient, type Client as WsClient } from 'graphql-ws';
import { Agent, request } from 'undici';
import WebSocket from 'ws';

export interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface GraphQLResult<T> {
  status: number;
  data?: T | null;
  errors?: GraphQLError[];
}

/** A failure to get any GraphQL answer at all (connection refused/reset, non-JSON body). */
export class TransportError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'TransportError';
    this.status = status;
  }
}

/** POST /graphql on a keep-alive undici pool (one per driver, like a real client). */
export class GraphQLHttp {
  private readonly url: string;
  private readonly key: string;
  private readonly agent: Agent;

  constructor(apiUrl: string, key: string, connections = 256) {
    this.url = `${apiUrl}/graphql`;
    this.key = key;
    this.agent = new Agent({ connections, keepAliveTimeout: 30_000, pipelining: 1 });
  }

  async post<T>(
    query: string,
    variables?: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<GraphQLResult<T>> {
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(this.url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}` },
        body: JSON.stringify({ query, variables }),
        ...(signal ? { signal } : {}),
        headersTimeout: 120_000,
        bodyTimeout: 120_000,
      });
    } catch (error) {
      throw new TransportError(`POST /graphql failed: ${(error as Error).message}`);
    }
    const text = await response.body.text();
    let body: { data?: T | null; errors?: GraphQLError[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new TransportError(
        `POST /graphql answered ${response.statusCode} with a non-JSON body`,
        response.statusCode,
      );
    }
    return { status: response.statusCode, ...body };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/**
 * `ws` hands a client every message of one read in the same tick, before any promise callback runs.
 * graphql-ws assumes a browser's one message per task: a subscription the caller leaves on its terminal
 * item, with the server's `complete` in the same read, is released twice, the socket's count of
 * subscriptions drops to 0 under the others, and graphql-ws closes the socket and completes them
 * (test/platform-client.test.ts). One message per tick restores what it assumes.
 */
export class OneMessagePerTick extends WebSocket {
  constructor(address: string | URL, protocols?: string | string[]) {
    super(address, protocols, { allowSynchronousEvents: false });
  }
}

/** A graphql-ws client over `ws`, key in connectionParams, no automatic retries (callers resume by seq). */
export function graphqlWs(apiUrl: string, key: string, options: { lazy?: boolean } = {}): WsClient {
  return createClient({
    url: `${apiUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: OneMessagePerTick,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    lazy: options.lazy ?? true,
    // A subscriber that waits minutes for a job must not be dropped by an idle proxy.
    keepAlive: 15_000,
  });
}
