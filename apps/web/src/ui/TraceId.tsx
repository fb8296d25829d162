import { useState } from 'react';

/**
 * The job's OpenTelemetry trace id, small and copyable: what an operator pastes into the tracing UI
 * (Jaeger, Tempo, …) to see the job from request to Runware calls and deliveries.
 */
export function TraceId({ traceId }: { traceId: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(traceId);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // No clipboard (insecure context): the id stays selectable.
    }
  };
  return (
    <p className="job-trace">
      <span className="job-trace-label">Trace</span>
      <code data-testid="job-trace-id">{traceId}</code>
      <button type="button" className="ghost small" onClick={() => void copy()} title="Copy the trace id">
        {copied ? 'Copied' : 'Copy'}
      </button>
    </p>
  );
}
