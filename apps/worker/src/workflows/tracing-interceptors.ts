import { instrument, TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
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
import { workflowInfo } from '@temporalio/workflow';

// Workflow code (bundled into the workflow bundle as an interceptor module, see ../workflow-bundle.ts).
// Temporal's OpenTelemetry interceptors, for the jobs the API started with a trace (the `_tracer-data`
// header it sets only when tracing is on) and for nothing else: a job without one runs exactly the code
// it ran before tracing existed (no span, no extra yield, no SDK flag), so histories recorded without
// tracing replay unchanged. The header is in the workflow's start event: replays decide the same way.

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

interface Otel {
  inbound: OpenTelemetryInboundInterceptor;
  outbound: TracingOutbound;
  internals: OpenTelemetryInternalsInterceptor;
}

/**
 * The traced runs this bundle executes, by run id (module state may be shared by the workflows of one
 * sandbox): how workflow code reaches its own run's tracer (workflowSpan). Dropped on dispose.
 */
const tracedRuns = new Map<string, Otel>();

/**
 * `fn` as a span `name` of the job's trace (its parent: the RunWorkflow span), for a traced job only; an
 * untraced job runs `fn` alone. No command: a traced history replays the same (its spans, and the ids they
 * draw from the workflow's seeded random, are made again on replay; only their export is skipped).
 */
export function workflowSpan<T>(
  name: string,
  attributes: Record<string, string | number>,
  fn: () => Promise<T>,
): Promise<T> {
  const otel = tracedRuns.get(workflowInfo().runId);
  return otel ? otel.outbound.span(name, attributes, fn) : fn();
}

/** The library's interceptors once `execute` saw the trace header; undefined for an untraced job. */
class TracedJob {
  otel: Otel | undefined;
  runId: string | undefined;
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
      outbound: new TracingOutbound(),
      internals: new OpenTelemetryInternalsInterceptor(),
    };
    this.job.runId = workflowInfo().runId;
    tracedRuns.set(this.job.runId, this.job.otel);
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
    if (this.job.runId !== undefined) tracedRuns.delete(this.job.runId);
    return this.job.otel ? this.job.otel.internals.dispose(input, next) : next(input);
  }
}

export const interceptors = (): WorkflowInterceptors => {
  const job = new TracedJob();
  return { inbound: [new Inbound(job)], outbound: [new Outbound(job)], internals: [new Internals(job)] };
};
