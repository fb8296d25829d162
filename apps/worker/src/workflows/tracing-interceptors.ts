import { TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import type {
  ActivityInput,
  DisposeInput,
  GetLogAttributesInput,
  LocalActivityInput,
  Next,
  WorkflowExecuteInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowInternalsInterceptor,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

// Workflow code (bundled into the workflow bundle as an interceptor module, see ../workflow-bundle.ts).
// Temporal's OpenTelemetry interceptors, for the jobs the API started with a trace (the `_tracer-data`
// header it sets only when tracing is on) and for nothing else: a job without one runs exactly the code
// it ran before tracing existed (no span, no extra yield, no SDK flag), so histories recorded without
// tracing replay unchanged. The header is in the workflow's start event: replays decide the same way.

interface Otel {
  inbound: OpenTelemetryInboundInterceptor;
  outbound: OpenTelemetryOutboundInterceptor;
  internals: OpenTelemetryInternalsInterceptor;
}

/** The library's interceptors once `execute` saw the trace header; undefined for an untraced job. */
class TracedJob {
  otel: Otel | undefined;
}

class Inbound implements WorkflowInboundCallsInterceptor {
  private readonly job: TracedJob;
  constructor(job: TracedJob) {
    this.job = job;
  }

  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>) {
    if (input.headers[TRACE_HEADER] === undefined) return next(input);
    // Made here, not per workflow up front: an untraced job never creates the sandbox's tracer.
    this.job.otel = {
      inbound: new OpenTelemetryInboundInterceptor(),
      outbound: new OpenTelemetryOutboundInterceptor(),
      internals: new OpenTelemetryInternalsInterceptor(),
    };
    return this.job.otel.inbound.execute(input, next);
  }
}

class Outbound implements WorkflowOutboundCallsInterceptor {
  private readonly job: TracedJob;
  constructor(job: TracedJob) {
    this.job = job;
  }

  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>) {
    return this.job.otel ? this.job.otel.outbound.scheduleActivity(input, next) : next(input);
  }

  scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ) {
    return this.job.otel ? this.job.otel.outbound.scheduleLocalActivity(input, next) : next(input);
  }

  getLogAttributes(
    input: GetLogAttributesInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>,
  ) {
    return this.job.otel ? this.job.otel.outbound.getLogAttributes(input, next) : next(input);
  }
}

class Internals implements WorkflowInternalsInterceptor {
  private readonly job: TracedJob;
  constructor(job: TracedJob) {
    this.job = job;
  }

  dispose(input: DisposeInput, next: Next<WorkflowInternalsInterceptor, 'dispose'>) {
    return this.job.otel ? this.job.otel.internals.dispose(input, next) : next(input);
  }
}

export const interceptors = (): WorkflowInterceptors => {
  const job = new TracedJob();
  return { inbound: [new Inbound(job)], outbound: [new Outbound(job)], internals: [new Internals(job)] };
};
