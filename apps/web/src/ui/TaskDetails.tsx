import { STYLE_ENUM } from '@photomaker/schema';
import type { Job } from '../api/operations.ts';

/** The normalized task the job runs, as the API stored it (final prompt with `rwre`, defaults applied). */
export function TaskDetails({ task }: { task: Job['task'] }) {
  const photos = task.inputImages.filter((i) => i.url);
  return (
    <details className="advanced">
      <summary>Task</summary>
      <dl className="task-details">
        {photos.length > 0 && (
          <>
            <dt>Reference photos</dt>
            <dd className="reference-strip">
              {photos.map((photo, i) => (
                <img
                  key={photo.url}
                  className="reference-thumb"
                  src={photo.url ?? ''}
                  alt={`Reference ${i + 1}`}
                />
              ))}
            </dd>
          </>
        )}
        <dt>Final prompt</dt>
        <dd>{task.positivePrompt}</dd>
        {task.negativePrompt && (
          <>
            <dt>Negative prompt</dt>
            <dd>{task.negativePrompt}</dd>
          </>
        )}
        <dt>Style · strength</dt>
        <dd>
          {STYLE_ENUM[task.style]} · {task.strength}
        </dd>
        <dt>Model</dt>
        <dd className="mono">{task.model}</dd>
        <dt>Steps · CFG</dt>
        <dd>
          {task.steps} · {task.CFGScale}
        </dd>
        <dt>Seed</dt>
        <dd className="mono">{task.seed ?? 'random'}</dd>
        <dt>Output</dt>
        <dd>
          {task.numberResults} × {task.width}×{task.height} {task.outputFormat}
        </dd>
        {task.webhookURL && (
          <>
            <dt>Webhook</dt>
            <dd className="mono">{task.webhookURL}</dd>
          </>
        )}
        {task.uploadEndpoint && (
          <>
            <dt>Upload endpoint</dt>
            <dd className="mono">{task.uploadEndpoint}</dd>
          </>
        )}
      </dl>
    </details>
  );
}
