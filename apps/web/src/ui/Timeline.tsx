import type { TimelineStep } from '../jobs/job-progress.ts';
import { formatTime } from '../lib/format.ts';

const MARK = { done: '✓', active: '', pending: '', failed: '✕', skipped: '–' } as const;

export function Timeline({ steps }: { steps: TimelineStep[] }) {
  return (
    <ol className="timeline" aria-label="Stages">
      {steps.map((step) => (
        <li key={step.id} className={`step ${step.state}`} data-stage={step.id} data-state={step.state}>
          <span className="step-dot" aria-hidden="true">
            {MARK[step.state]}
          </span>
          <span className="step-label">{step.label}</span>
          {step.detail && <span className="step-detail">{step.detail}</span>}
          {step.at && <time dateTime={step.at}>{formatTime(step.at)}</time>}
        </li>
      ))}
    </ol>
  );
}
