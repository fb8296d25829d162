import type { Job } from '../api/operations.ts';
import type { JobProgress } from '../jobs/job-progress.ts';

type Note = { parameter: string; message: string; refused: boolean };

const REFUSALS: ReadonlySet<string> = new Set(['invalidReferenceImage', 'referencesDiffer']);

/** What the reference check said, each note under the photo it is about (`inputImages[i]`). */
export function ReferenceCheck(props: { task: Job['task']; progress: JobProgress }) {
  const { error, referenceWarnings } = props.progress;
  const notes: Note[] = (referenceWarnings ?? []).map((w) => ({ ...w, refused: false }));
  if (error && REFUSALS.has(error.code) && error.parameter) {
    notes.push({ parameter: error.parameter, message: error.message, refused: true });
  }
  if (referenceWarnings === null && notes.length === 0) return null;
  const photos = props.task.inputImages;
  return (
    <section className="reference-check" aria-label="Reference check">
      <h3>Reference check</h3>
      {notes.length === 0 && <p className="muted">Every photo passed: one clear face, one person.</p>}
      <ul className="reference-strip">
        {photos.map((photo, i) => {
          const mine = notes.filter((note) => note.parameter === `inputImages[${i}]`);
          return (
            <li key={photo.url ?? i} className={mine.some((n) => n.refused) ? 'refused' : undefined}>
              {photo.url && <img className="reference-thumb" src={photo.url} alt={`Reference ${i + 1}`} />}
              {mine.map((note) => (
                <p key={note.message} className={note.refused ? 'error-box' : 'warning-box'}>
                  {note.message}
                </p>
              ))}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
