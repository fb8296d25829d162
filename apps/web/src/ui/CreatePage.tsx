import { estimateLabel } from '../form/estimate-label.ts';
import { randomSeed } from '../form/form-state.ts';
import { FIELD_ORDER, submitLabel } from '../form/submit-checks.ts';
import { useApp } from './api-context.ts';
import { AdvancedFields } from './form/AdvancedFields.tsx';
import { CountAndSeed } from './form/CountAndSeed.tsx';
import { PhotoPicker } from './form/PhotoPicker.tsx';
import { PromptField } from './form/PromptField.tsx';
import { SizePicker } from './form/SizePicker.tsx';
import { StrengthSlider } from './form/StrengthSlider.tsx';
import { StylePicker } from './form/StylePicker.tsx';
import { useCreateForm } from './form/use-create-form.ts';
import { JobPanel } from './JobPanel.tsx';

export function CreatePage() {
  const f = useCreateForm();
  return (
    <div className="create">
      <GenerateForm f={f} />
      <section className="live-column" aria-label="Current job">
        {f.job ? <JobPanel key={f.job.id} jobId={f.job.id} initialJob={f.job} compact /> : <HowItWorks />}
      </section>
    </div>
  );
}

type CreateForm = ReturnType<typeof useCreateForm>;

/** The generate form: photos, prompt, style, strength, size, count and seed, then the advanced fields. */
function GenerateForm({ f }: { f: CreateForm }) {
  const { catalog } = useApp();
  const { form, set, touch, photos, setPhotos, errorFor } = f;
  return (
    <form
      className="card generate-form"
      noValidate
      aria-label="New generation"
      onSubmit={(event) => {
        event.preventDefault();
        void f.submit();
      }}
    >
      <h1>New generation</h1>
      <PhotoPicker
        photos={photos}
        error={errorFor('inputImages')}
        onAdd={f.addFiles}
        onRemove={(key) => setPhotos((list) => list.filter((p) => p.key !== key))}
      />
      <PromptField
        value={form.positivePrompt}
        error={errorFor('positivePrompt')}
        onChange={(value) => set('positivePrompt', value)}
        onBlur={() => touch('positivePrompt')}
      />
      <StylePicker value={form.style} styles={catalog?.styles} onChange={(style) => set('style', style)} />
      <StrengthSlider
        value={form.strength}
        error={errorFor('strength')}
        onChange={(v) => set('strength', v)}
      />
      <SizePicker
        preset={form.sizePreset}
        width={form.width}
        height={form.height}
        errors={{ width: errorFor('width'), height: errorFor('height') }}
        onPreset={(id, width, height) => {
          set('sizePreset', id);
          if (width && height) {
            set('width', String(width));
            set('height', String(height));
          }
        }}
        onWidth={(v) => set('width', v)}
        onHeight={(v) => set('height', v)}
        onBlur={touch}
      />
      <CountAndSeed
        count={form.numberResults}
        seed={form.seed}
        errors={{ numberResults: errorFor('numberResults'), seed: errorFor('seed') }}
        onCount={(v) => set('numberResults', v)}
        onSeed={(v) => set('seed', v)}
        onRandomSeed={() => set('seed', randomSeed())}
        onBlur={touch}
      />
      <AdvancedFields
        form={form}
        errors={Object.fromEntries(FIELD_ORDER.map((f) => [f, errorFor(f)]).filter(([, e]) => e))}
        models={catalog?.models}
        set={set}
        touch={touch}
      />
      {(f.notice || f.formLevel) && (
        <p className="form-notice" role="status">
          {f.formLevel ?? f.notice}
        </p>
      )}
      <div className="form-actions">
        <EstimateLine estimate={f.estimate} />
        <button type="submit" className="primary big" disabled={f.busy || f.uploading}>
          {submitLabel(f.busy, f.uploading, f.count)}
        </button>
      </div>
    </form>
  );
}

/** The price of the form as it stands, before Generate (Runware's dry run through the API). */
function EstimateLine({ estimate }: { estimate: CreateForm['estimate'] }) {
  if (estimate.kind === 'none') return null;
  const text =
    estimate.kind === 'loading'
      ? 'Estimating…'
      : estimate.kind === 'failed'
        ? 'No estimate right now'
        : estimateLabel(estimate.estimate);
  const source = estimate.kind === 'ready' ? (estimate.estimate.source ?? 'NONE') : estimate.kind;
  return (
    <p className="estimate" data-testid="estimate" data-source={source} aria-live="polite">
      {text}
    </p>
  );
}

function HowItWorks() {
  return (
    <div className="card how">
      <h2>How it works</h2>
      <ol>
        <li>
          <strong>Add 1–4 photos of one person.</strong> They are stored once and referenced by id; they never
          travel in workflow history.
        </li>
        <li>
          <strong>Describe the picture</strong> with <code>rwre</code> after the class word (“a man rwre”),
          pick a style and how strongly it applies.
        </li>
        <li>
          <strong>Generate.</strong> A durable Temporal workflow runs the job; each image appears here the
          moment it is ready, and the job survives restarts of any process.
        </li>
      </ol>
    </div>
  );
}
