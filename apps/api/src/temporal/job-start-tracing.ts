import type { WorkflowClientInterceptor } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';

/**
 * Temporal's client interceptor for workflow starts only: a `StartWorkflow:photoMakerJob` span under the
 * submission's, and the trace context in the start's headers (`_tracer-data`), which the workflow's and
 * activities' interceptors continue (apps/worker/src/workflows/tracing-interceptors.ts). Reads (describe,
 * query) and cancels are left alone: they would each start a trace of their own, outside any job's.
 */
export function jobStartTracing(): WorkflowClientInterceptor {
  const otel = new OpenTelemetryWorkflowClientInterceptor();
  return {
    start: (input, next) => otel.start(input, next),
    startWithDetails: (input, next) => otel.startWithDetails(input, next),
  };
}
