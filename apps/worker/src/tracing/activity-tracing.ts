import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import { TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/**
 * Temporal's activity interceptors (a `RunActivity:<type>` span, child of the workflow's
 * `StartActivity:<type>`, and trace ids on the activity's log lines), for activities of traced jobs only:
 * an activity of a job started without a trace starts no trace of its own. First in the chain (outermost),
 * so its span covers the others and it sees failures already scrubbed.
 */
export const activityTracing: ActivityInterceptorsFactory = (ctx) => {
  const traced = new OpenTelemetryActivityInboundInterceptor(ctx);
  return {
    inbound: {
      execute: (input, next) =>
        input.headers[TRACE_HEADER] === undefined ? next(input) : traced.execute(input, next),
    },
    outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
  };
};
