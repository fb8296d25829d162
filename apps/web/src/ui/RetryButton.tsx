import { useState } from 'react';
import type { JobStatus } from '../api/operations.ts';
import { RetryJobMutation } from '../api/usage-operations.ts';
import { useApp } from './api-context.ts';
import { hrefFor, navigate } from './router.ts';

/** Statuses retryJob accepts (a deadline that passed ends a job CANCELLED). */
const RETRYABLE: ReadonlySet<JobStatus> = new Set(['FAILED', 'CANCELLED']);

/** Retry a failed or cancelled job: a new job with the same task and photos, opened at once. */
export function RetryButton({ jobId, status }: { jobId: string; status: JobStatus | undefined }) {
  const { api } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  if (!status || !RETRYABLE.has(status)) return null;

  const retry = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { retryJob } = await api.request(RetryJobMutation, { id: jobId });
      navigate(hrefFor({ page: 'job', id: retryJob.id }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" onClick={() => void retry()} disabled={busy}>
        {busy ? 'Retrying…' : 'Retry'}
      </button>
      {error && <span className="error-box">{error}</span>}
    </>
  );
}
