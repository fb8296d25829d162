import { print } from '@0no-co/graphql.web';
import type { TadaDocumentNode } from 'gql.tada';
import { type Client, createClient } from 'graphql-ws';

/** One problem with one input field, as the API reports it (Runware-style code, the field, the rule). */
export interface InputProblem {
  code: string;
  parameter: string;
  message: string;
}

interface FormattedError {
  message: string;
  extensions?: {
    code?: string;
    runwareCode?: string;
    parameter?: string;
    runwareErrors?: { runwareCode: string; parameter: string; message: string }[];
    retryAfterSeconds?: number;
  };
}

/** Every failure of an API call, with what the UI needs to show it next to the right field. */
export class ApiError extends Error {
  /** GraphQL extensions code (BAD_USER_INPUT, UNAUTHENTICATED, NOT_FOUND, ...) or NETWORK. */
  readonly code: string;
  readonly problems: InputProblem[];
  constructor(code: string, message: string, problems: InputProblem[] = []) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.problems = problems;
  }

  static fromGraphQL(errors: readonly FormattedError[]): ApiError {
    const first = errors[0];
    const code = first?.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
    const problems: InputProblem[] = [];
    for (const error of errors) {
      const list = error.extensions?.runwareErrors;
      if (list) {
        for (const p of list)
          problems.push({ code: p.runwareCode, parameter: p.parameter, message: p.message });
      } else if (error.extensions?.parameter) {
        problems.push({
          code: error.extensions.runwareCode ?? error.extensions.code ?? 'invalid',
          parameter: error.extensions.parameter,
          message: error.message,
        });
      }
    }
    return new ApiError(code, errors.map((e) => e.message).join(' '), problems);
  }
}

export interface SubscriptionHandlers<R> {
  next(result: R): void;
  error(error: ApiError): void;
  complete(): void;
  /** The socket dropped and is being re-established (the subscription resumes by itself). */
  reconnecting?(): void;
}

/**
 * The only way the web app talks to the platform: queries and mutations over HTTP POST /graphql,
 * subscriptions over graphql-ws on the same path. Authenticated with `Authorization: Bearer <key>` on
 * HTTP and `connectionParams.authorization` on the socket.
 */
export class Api {
  readonly apiKey: string;
  private readonly base: string;
  private ws?: Client;

  constructor(apiKey: string, base = window.location.origin) {
    this.apiKey = apiKey;
    this.base = base;
  }

  async request<R, V>(document: TadaDocumentNode<R, V>, variables?: V, signal?: AbortSignal): Promise<R> {
    let response: Response;
    try {
      response = await fetch(`${this.base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiKey}` },
        body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(
        'NETWORK',
        `Cannot reach the API (${(error as Error).message}). Is \`npm start\` running?`,
      );
    }
    let body: { data?: R; errors?: FormattedError[] };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new ApiError('HTTP', `The API answered HTTP ${response.status} without a GraphQL body.`);
    }
    if (body.errors?.length) throw ApiError.fromGraphQL(body.errors);
    if (!response.ok || body.data === undefined) {
      throw new ApiError('HTTP', `The API answered HTTP ${response.status}.`);
    }
    return body.data;
  }

  /**
   * Subscribes; returns the unsubscribe function. `variables` is kept by reference and the caller may
   * update it (e.g. `afterSeq`) as events arrive: graphql-ws re-sends the subscribe message with that
   * same object after a reconnect, so a resumed subscription starts after the last event seen.
   */
  subscribe<R, V>(
    document: TadaDocumentNode<R, V>,
    variables: V,
    handlers: SubscriptionHandlers<R>,
  ): () => void {
    const client = this.socket(handlers.reconnecting);
    return client.subscribe<R>(
      { query: print(document), variables: variables as Record<string, unknown> },
      {
        next: (result) => {
          if (result.errors?.length) handlers.error(ApiError.fromGraphQL(result.errors as FormattedError[]));
          else if (result.data) handlers.next(result.data);
        },
        error: (error) => handlers.error(socketError(error)),
        complete: () => handlers.complete(),
      },
    );
  }

  close(): void {
    void this.ws?.dispose();
  }

  private socket(onReconnecting?: () => void): Client {
    if (this.ws) return this.ws;
    const url = `${this.base.replace(/^http/, 'ws')}/graphql`;
    let connectedOnce = false;
    this.ws = createClient({
      url,
      connectionParams: { authorization: `Bearer ${this.apiKey}` },
      lazy: true,
      keepAlive: 10_000,
      retryAttempts: Number.POSITIVE_INFINITY,
      // Reconnect on every drop (API restart, network blip) except a refused key.
      shouldRetry: (event) => !(isCloseEvent(event) && event.code === 4403),
      on: {
        connected: () => {
          connectedOnce = true;
        },
        closed: () => {
          if (connectedOnce) onReconnecting?.();
        },
      },
    });
    return this.ws;
  }
}

function isCloseEvent(value: unknown): value is CloseEvent {
  return typeof value === 'object' && value !== null && 'code' in value && 'reason' in value;
}

function socketError(error: unknown): ApiError {
  if (Array.isArray(error)) return ApiError.fromGraphQL(error as FormattedError[]);
  if (isCloseEvent(error)) {
    if (error.code === 4403) return new ApiError('UNAUTHENTICATED', 'The API refused this API key.');
    return new ApiError(
      'NETWORK',
      `The live connection closed (${error.code} ${error.reason || 'no reason'}).`,
    );
  }
  return new ApiError('NETWORK', `The live connection failed: ${(error as Error)?.message ?? String(error)}`);
}
