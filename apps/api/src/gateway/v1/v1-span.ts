import { type Link, SpanKind, type SpanOptions } from '@photomaker/observability';

/** Where a /v1 batch came from, for its span: the transport and the caller's own trace, if it sent one. */
export interface V1TraceOrigin {
  transport?: 'http' | 'ws' | undefined;
  /** The caller's `traceparent` (REST), linked, never adopted (callerLinks). */
  links?: Link[] | undefined;
}

/**
 * The span of a /v1 batch that starts jobs: a new trace, the root of its jobs' traces (one per job unless
 * a batch carries several: they share it). Batches that start nothing (polls, pings) make no span.
 */
export function v1BatchSpan(origin: V1TraceOrigin, tenant: string, jobs: number): SpanOptions {
  const transport = origin.transport ?? 'http';
  return {
    kind: SpanKind.SERVER,
    root: true,
    ...(origin.links && origin.links.length > 0 ? { links: origin.links } : {}),
    attributes: {
      'photomaker.transport': transport === 'http' ? 'v1' : 'v1-ws',
      'photomaker.tenant': tenant,
      'photomaker.jobs': jobs,
      ...(transport === 'http' ? { 'http.request.method': 'POST', 'url.path': '/v1' } : {}),
    },
  };
}
