import { createLogger } from '@photomaker/observability';
import { initialJobState, type JobState, jobTaskSchema } from '@photomaker/schema';
import { type ExecutionResult, execute, type GraphQLError, parse, subscribe } from 'graphql';
import type { GraphQLContext, GraphQLDeps } from '../../src/graphql/context.ts';
import { classifyRequestError, formatGraphQLError } from '../../src/graphql/errors.ts';
import { schema } from '../../src/graphql/schema.ts';

// In-process GraphQL against the real Pothos schema, the Pothos way: `execute` with the use cases faked.
// No HTTP, no Temporal, no Redis. The real-stack suites test the same operations end to end.

export const logger = createLogger({ service: 'api-unit', level: 'silent' });

function unused(name: string) {
  return () => {
    throw new Error(`${name} was not expected to be called`);
  };
}

/** Deps whose every use case throws unless a test provides it. */
export function fakeDeps(overrides: Partial<GraphQLDeps> = {}): GraphQLDeps {
  return {
    submit: { submit: unused('submit') },
    estimate: { estimate: unused('estimate') },
    follow: { follow: unused('follow') },
    reads: { get: unused('reads.get') },
    // No admission queue answering: every queue field reads null.
    queue: { load: async () => undefined },
    list: { list: unused('list') },
    jobs: { cancel: unused('cancel'), checkReferenceImage: unused('checkReferenceImage') },
    uploads: { upload: unused('upload') },
    erasure: {
      deleteJob: unused('deleteJob'),
      deleteReferenceImage: unused('deleteReferenceImage'),
    },
    imageUrls: { urlFor: (blob) => `http://images.test/${blob.sha256}` },
    subscriptions: { inc: () => undefined, dec: () => undefined },
    webhookSecrets: { current: unused('webhookSecrets.current') },
    pageSize: 100,
    usage: { report: unused('usage.report') },
    retry: { retry: unused('retry') },
    retries: { list: async () => [] },
    ...overrides,
  };
}

export function contextFor(deps: GraphQLDeps, tenant = 'acme'): GraphQLContext {
  return { tenant, limits: {}, requestId: 'req-1', logger, deps, transport: 'http' };
}

/** A result with its errors as a client receives them (the transports' masking and Runware rewriting). */
export interface ClientResult<T> {
  data?: T | null;
  errors?: { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[];
}

function asClientSees<T>(result: ExecutionResult): ClientResult<T> {
  if (!result.errors) return { data: result.data as T | null };
  const errors = result.errors.map((raw) => {
    const error = classifyRequestError(raw as GraphQLError);
    return formatGraphQLError(error.toJSON(), error, {});
  });
  return { ...(result.data !== undefined ? { data: result.data as T | null } : {}), errors };
}

export async function run<T = Record<string, unknown>>(
  deps: GraphQLDeps,
  source: string,
  variableValues: Record<string, unknown> = {},
  caller: Partial<GraphQLContext> = {},
): Promise<ClientResult<T>> {
  const result = await execute({
    schema,
    document: parse(source),
    variableValues,
    contextValue: { ...contextFor(deps), ...caller },
  });
  return asClientSees<T>(result as ExecutionResult);
}

/** Every item of a subscription, or its error result. */
export async function subscribeAll(
  deps: GraphQLDeps,
  source: string,
  variableValues: Record<string, unknown> = {},
): Promise<ExecutionResult[]> {
  const result = await subscribe({
    schema,
    document: parse(source),
    variableValues,
    contextValue: contextFor(deps),
  });
  if (!(Symbol.asyncIterator in result)) return [result];
  const items: ExecutionResult[] = [];
  for await (const item of result) items.push(item);
  return items;
}

export const JOB_ID = '3f0c6a52-1d7e-4d1e-9b1a-2a4b5c6d7e8f';

/** A queued job of `tenant` (the state the start of a job answers with). */
export function queuedJob(tenant = 'acme', jobId = JOB_ID): JobState {
  return initialJobState({
    jobId,
    tenant,
    task: jobTaskSchema.parse({
      inputImages: [{ kind: 'blob', blob: { sha256: 'a'.repeat(64), mediaType: 'image/png', size: 10 } }],
      positivePrompt: 'rwre, portrait',
      model: 'civitai:139562@344487',
      width: 512,
      height: 512,
    }),
    runwareTaskUUID: '9b2f1c3e-7a4d-4e6f-8a9b-0c1d2e3f4a5b',
    createdAt: '2026-11-24T10:00:00.000Z',
  });
}
