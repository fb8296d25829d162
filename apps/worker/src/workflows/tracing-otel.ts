import { instrument } from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';

// Workflow code, loaded by tracing-interceptors.ts only for a job that carries a trace: OpenTelemetry is
// ~170 modules of the bundle, and every workflow run evaluates the modules it loads (its own module
// cache in Temporal's reusable V8 context), so an untraced job must never load them.

/** The library's outbound interceptor, with its (protected) sandbox tracer for spans of our own. */
class TracingOutbound extends OpenTelemetryOutboundInterceptor {
  /** A span around `fn`, child of the active one (the workflow's): a wait that is no activity. */
  span<T>(spanName: string, attributes: Record<string, string | number>, fn: () => Promise<T>): Promise<T> {
    return instrument({
      tracer: this.tracer,
      spanName,
      fn: (span) => {
        span.setAttributes(attributes);
        return fn();
      },
    });
  }
}

export interface Otel {
  inbound: OpenTelemetryInboundInterceptor;
  outbound: TracingOutbound;
  internals: OpenTelemetryInternalsInterceptor;
}

/** @public Loaded with require() by tracing-interceptors.ts (knip sees no import). */
export function createOtel(): Otel {
  return {
    inbound: new OpenTelemetryInboundInterceptor(),
    outbound: new TracingOutbound(),
    internals: new OpenTelemetryInternalsInterceptor(),
  };
}
