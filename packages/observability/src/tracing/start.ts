import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  processDetector,
  type Resource,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { type TracingEnv, tracesEndpoint, tracingEnv } from './env.ts';
import { samplerFromEnv } from './sampler.ts';

export type { Resource } from '@opentelemetry/resources';
export type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';

/** This process's tracing: on (an SDK registered with the OpenTelemetry API) or off (the API's no-ops). */
export type Tracing =
  | { enabled: false; shutdown(): Promise<void> }
  | {
      enabled: true;
      endpoint: string;
      /** For spans finished elsewhere (Temporal's workflow sandbox): exported with this process's. */
      processor: SpanProcessor;
      resource: Resource;
      /** Exports what is buffered, then stops. */
      shutdown(): Promise<void>;
    };

export interface StartTracingOptions {
  /** `api`, `worker`, …: `service.name` is `photomaker-<service>` unless OTEL_SERVICE_NAME says. */
  service: string;
  env?: Record<string, string | undefined>;
}

function exporterFor(env: TracingEnv, url: string) {
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
  return protocol === 'http/json' ? new JsonExporter({ url }) : new ProtobufExporter({ url });
}

/**
 * Starts tracing from the standard OTEL_* variables (./env.ts), once per process, before anything makes
 * a span. Without an endpoint nothing is registered: every span is the API's non-recording no-op, no
 * context manager runs, nothing is exported. Throws on an invalid variable, naming it.
 */
export function startTracing(options: StartTracingOptions): Tracing {
  const env = tracingEnv.parse(options.env ?? process.env);
  const endpoint = tracesEndpoint(env);
  if (!endpoint) return { enabled: false, shutdown: async () => undefined };
  // Later wins: our default name, then what the host says, then OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': `photomaker-${options.service}` }))
    .merge(detectResources({ detectors: [processDetector, hostDetector, envDetector] }));
  const processor = new BatchSpanProcessor({
    exporter: exporterFor(env, endpoint),
    scheduledDelayMillis: env.OTEL_BSP_SCHEDULE_DELAY,
  });
  const provider = new TracerProvider({
    resource,
    sampler: samplerFromEnv(env),
    spanProcessors: [processor],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  trace.setGlobalTracerProvider(provider);
  return { enabled: true, endpoint, processor, resource, shutdown: () => provider.shutdown() };
}
