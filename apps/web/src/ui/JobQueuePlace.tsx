import { useEffect, useState } from 'react';
import type { JobProgress } from '../jobs/job-progress.ts';
import { queueLine } from '../jobs/queue-eta.ts';

/** Re-renders every second while `active`, so "starts in ~40 s" counts down between updates. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

/** A queued job's place in the admission queue and when it should start and finish (live JobQueued). */
export function JobQueuePlace({ progress, now }: { progress: JobProgress; now?: number }) {
  const queued = (progress.status ?? 'QUEUED') === 'QUEUED' && progress.queue !== undefined;
  const ticking = useNow(queued && now === undefined);
  if (!queued || !progress.queue) return null;
  const line = queueLine(progress.queue, now ?? ticking);
  return (
    <p className="queue-place" data-testid="job-queue" data-position={progress.queue.position ?? ''}>
      <strong>{line.place}</strong>
      {line.eta ? <span> · {line.eta}</span> : null}
    </p>
  );
}
