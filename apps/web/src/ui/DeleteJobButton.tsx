import { useState } from 'react';
import { DeleteJobMutation } from '../api/deletion-operations.ts';
import { useApp } from './api-context.ts';

/**
 * Deletes one job after the user confirms in a dialog: erasure cannot be undone (images, reference
 * photos no other job uses, the job's history), so a single click never does it.
 */
export function DeleteJobButton(props: { jobId: string; onDeleted(): void }) {
  const { api } = useApp();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function erase(): Promise<void> {
    setBusy(true);
    setError(undefined);
    try {
      await api.request(DeleteJobMutation, { id: props.jobId });
      setConfirming(false);
      props.onDeleted();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button
        type="button"
        className="ghost small delete-job"
        aria-label="Delete job"
        onClick={() => setConfirming(true)}
      >
        Delete
      </button>
      {confirming && (
        <div className="modal-backdrop" role="presentation">
          <div className="modal" role="alertdialog" aria-modal="true" aria-labelledby="delete-job-title">
            <h2 id="delete-job-title">Delete this job?</h2>
            <p className="muted">
              Its images, the reference photos no other job of yours uses, and its history are erased for
              good. A running job is cancelled first.
            </p>
            {error && <p className="error-box">{error}</p>}
            <div className="modal-actions">
              <button type="button" className="ghost" onClick={() => setConfirming(false)} disabled={busy}>
                Keep it
              </button>
              <button type="button" className="danger" onClick={() => void erase()} disabled={busy}>
                {busy ? 'Deleting…' : 'Delete'}
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}
