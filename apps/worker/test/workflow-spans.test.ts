import type { ReadableSpan, SpanProcessor } from '@photomaker/observability/tracing';
import { describe, expect, it } from 'vitest';
import { SandboxSpanProcessor, workflowSpanSinks } from '../src/tracing/workflow-spans.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const own = { traceId: TRACE, spanId: '00f067aa0ba902b7', traceFlags: 1 };

/** A span as Temporal's workflow interceptors hand it over (OpenTelemetry SDK 1.x field names). */
const sandboxSpan = {
  name: 'RunWorkflow:photoMakerJob',
  kind: 0,
  spanContext: () => own,
  parentSpanId: 'b7ad6b7169203331',
  instrumentationLibrary: { name: '@temporalio/interceptor-workflow' },
  attributes: {},
};

describe('workflow spans from the sandbox', () => {
  it('reach our SDK with their parent link and scope under the current field names', () => {
    const seen: ReadableSpan[] = [];
    const target = { onEnd: (span: ReadableSpan) => seen.push(span) } as unknown as SpanProcessor;
    new SandboxSpanProcessor(target).onEnd(sandboxSpan as unknown as ReadableSpan);
    expect(seen[0]?.parentSpanContext).toEqual({ traceId: TRACE, spanId: 'b7ad6b7169203331', traceFlags: 1 });
    expect(seen[0]?.instrumentationScope).toEqual({ name: '@temporalio/interceptor-workflow' });
    expect(seen[0]?.spanContext()).toBe(own);
    expect(seen[0]?.name).toBe('RunWorkflow:photoMakerJob');
  });

  it('are dropped by the sink of a worker that does not trace', () => {
    const sinks = workflowSpanSinks({ enabled: false, shutdown: async () => undefined });
    const exported = sinks.exporter.export as { fn: (info: unknown, spans: unknown[]) => void };
    expect(() => exported.fn({}, [sandboxSpan])).not.toThrow();
  });
});
