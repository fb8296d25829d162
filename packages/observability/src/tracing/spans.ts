import {
  type Attributes,
  context,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { scrub } from '../scrub.ts';

// What our code needs of OpenTelemetry, on the API alone: with tracing off (./start.ts registers nothing)
// every call here is a no-op on a non-recording span. Attributes never carry keys, image bytes or
// prompts (README "Traces"): callers pass ids, counts, hosts and status codes only.

export { type Link, SpanKind } from '@opentelemetry/api';

const NOOP_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Start a new trace (linked to `links`) instead of a child of the active span. */
  root?: boolean;
  links?: Link[];
  /** Only as part of a trace: without an active span, `fn` runs with a no-op span (no trace of its own). */
  inTraceOnly?: boolean;
}

/** The message a failed span records: scrubbed like a log line (URLs keep their host only). */
function failureMessage(error: unknown): string {
  return scrub(error instanceof Error ? error.message : String(error)).slice(0, 500);
}

/** Marks `span` failed with `error` (type and scrubbed message; no stack: it may quote inputs). */
export function recordFailure(span: Span, error: unknown): void {
  const type = error instanceof Error ? error.name : typeof error;
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: failureMessage(error) });
}

/**
 * Runs `fn` in a new active span (child of the active one, or a new trace with `root`), ending it when
 * `fn` settles; a throw marks it failed and is rethrown.
 */
export async function withSpan<T>(
  tracerName: string,
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.root ? ROOT_CONTEXT : context.active();
  if (options.inTraceOnly && !trace.getSpan(parent)?.isRecording()) return fn(NOOP_SPAN);
  const span = trace.getTracer(tracerName).startSpan(
    name,
    {
      ...(options.kind !== undefined ? { kind: options.kind } : {}),
      ...(options.attributes ? { attributes: options.attributes } : {}),
      ...(options.links ? { links: options.links } : {}),
      root: options.root ?? false,
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * A link to the W3C `traceparent` a caller sent, if any. The API is a trust boundary: a caller's trace
 * context is linked, never adopted, so each job's trace starts here and no caller can join another's.
 */
export function callerLinks(headers: Record<string, string | string[] | undefined>): Link[] {
  const traceparent = headers.traceparent;
  if (typeof traceparent !== 'string') return [];
  const remote = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent }));
  return remote && isSpanContextValid(remote) ? [{ context: remote }] : [];
}

/** Adds attributes to the active span, if any (a no-op with tracing off). */
export function setSpanAttributes(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/** The active trace's id when it is recorded (sampled), for a job record or a log line; else undefined. */
export function currentTraceId(): string | undefined {
  const span = trace.getActiveSpan()?.spanContext();
  if (!span || !isSpanContextValid(span) || (span.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
  return span.traceId;
}

/** `trace_id` / `span_id` of the active span (OpenTelemetry's log field names), or nothing. */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan()?.spanContext();
  if (!span || !isSpanContextValid(span)) return {};
  return { trace_id: span.traceId, span_id: span.spanId };
}
