import type { ReadableSpan, SpanProcessor, Tracing } from '@photomaker/observability/tracing';
import { makeWorkflowExporter, type OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks } from '@temporalio/worker';

/** A span as Temporal's workflow interceptors make it (OpenTelemetry SDK 1.x field names). */
type SandboxSpan = ReadableSpan & {
  parentSpanId?: string;
  instrumentationLibrary?: ReadableSpan['instrumentationScope'];
};

/**
 * Spans made in the workflow sandbox reach us through a sink with the 1.x SDK's shape (`parentSpanId`,
 * `instrumentationLibrary`); our SDK and OTLP exporter read `parentSpanContext` and `instrumentationScope`.
 * Without this the workflow span would lose its parent link. Everything else is passed on as is.
 */
export class SandboxSpanProcessor implements SpanProcessor {
  private readonly target: SpanProcessor;
  constructor(target: SpanProcessor) {
    this.target = target;
  }

  onStart(): void {
    // Sandbox spans arrive finished.
  }

  onEnd(span: ReadableSpan): void {
    const sandbox = span as SandboxSpan;
    const own = span.spanContext();
    const parentSpanContext =
      sandbox.parentSpanContext ??
      (sandbox.parentSpanId
        ? { traceId: own.traceId, spanId: sandbox.parentSpanId, traceFlags: own.traceFlags }
        : undefined);
    const instrumentationScope = sandbox.instrumentationScope ??
      sandbox.instrumentationLibrary ?? { name: '@temporalio/interceptor-workflow' };
    this.target.onEnd({
      ...sandbox,
      spanContext: () => own,
      ...(parentSpanContext ? { parentSpanContext } : {}),
      instrumentationScope,
    });
  }

  forceFlush(): Promise<void> {
    return this.target.forceFlush();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The sink Temporal's workflow interceptors export through. Always registered: a traced job may run on a
 * worker with tracing off, whose sink drops its spans (no "unregistered sink" warning per activation).
 */
export function workflowSpanSinks(tracing: Tracing): InjectedSinks<OpenTelemetrySinks> {
  if (!tracing.enabled) return { exporter: { export: { fn: () => undefined } } };
  const processor = new SandboxSpanProcessor(tracing.processor);
  // The library is typed against the 1.x SDK; the processor and resource are the current SDK's.
  type Args = Parameters<typeof makeWorkflowExporter>;
  return {
    exporter: makeWorkflowExporter(processor as unknown as Args[0], tracing.resource as unknown as Args[1]),
  };
}
