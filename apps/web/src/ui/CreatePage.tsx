import { useCallback, useEffect, useMemo, useState } from 'react';
import { GeneratePhotoMakerMutation } from '../api/operations.ts';
import { type FieldErrors, type FormState, randomSeed, toInput, validateForm } from '../form/form-state.ts';
import { MAX_PHOTOS } from '../form/reference-photos.ts';
import { FIELD_ORDER, isPending, submitBlocker, submitFailure, submitLabel } from '../form/submit-checks.ts';
import { plural } from '../lib/format.ts';
import { useApp } from './api-context.ts';
import { useCreateDraft } from './create-draft.ts';
import { AdvancedFields } from './form/AdvancedFields.tsx';
import { CountAndSeed } from './form/CountAndSeed.tsx';
import { PhotoPicker } from './form/PhotoPicker.tsx';
import { PromptField } from './form/PromptField.tsx';
import { SizePicker } from './form/SizePicker.tsx';
import { StrengthSlider } from './form/StrengthSlider.tsx';
import { StylePicker } from './form/StylePicker.tsx';
import { useAddPhotos } from './form/use-reference-photos.ts';
import { JobPanel } from './JobPanel.tsx';

/** The form's values and errors: a change clears the server's error for that field. */
function useFormFields(initial: FormState) {
  const [form, setForm] = useState(initial);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const set = useCallback(<K extends keyof FormState>(key: K, value: FormState[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    const field = key === 'safetyMode' ? 'safety' : key;
    setServerErrors((e) => {
      if (!(field in e)) return e;
      const { [field]: _dropped, ...rest } = e;
      return rest;
    });
  }, []);
  const touch = useCallback(
    (field: string) => setTouched((t) => (t[field] ? t : { ...t, [field]: true })),
    [],
  );
  return { form, set, touched, setTouched, touch, serverErrors, setServerErrors };
}

export function CreatePage() {
  const { api, catalog } = useApp();
  const draft = useCreateDraft();
  const { form, set, touched, setTouched, touch, serverErrors, setServerErrors } = useFormFields(
    draft.current.form,
  );
  const [photos, setPhotos] = useState(draft.current.photos);
  const [submitted, setSubmitted] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [job, setJob] = useState(draft.current.job);
  useEffect(() => {
    draft.current = { form, photos, job };
  }, [draft, form, photos, job]);

  const clientErrors = useMemo(() => validateForm(form, photos), [form, photos]);
  const errorFor = (field: string): string | undefined =>
    serverErrors[field] ?? (touched[field] || submitted ? clientErrors[field] : undefined);

  const addPhotos = useAddPhotos(api, photos, setPhotos);
  const addFiles = (files: File[]) => {
    const notAdded = addPhotos(files);
    setNotice(
      notAdded > 0
        ? `PhotoMaker takes at most ${MAX_PHOTOS} photos: ${plural(notAdded, 'file')} not added.`
        : undefined,
    );
    setServerErrors(({ inputImages: _dropped, ...rest }) => rest);
    touch('inputImages');
  };

  const submit = async () => {
    setSubmitted(true);
    setNotice(undefined);
    const blocker = submitBlocker(photos, clientErrors);
    if (blocker) {
      setNotice(blocker.notice);
      if (blocker.focus) requestAnimationFrame(() => document.getElementById(`f-${blocker.focus}`)?.focus());
      return;
    }
    setBusy(true);
    try {
      const { generatePhotoMaker } = await api.request(GeneratePhotoMakerMutation, {
        input: toInput(form, photos),
        idempotencyKey: crypto.randomUUID(),
      });
      setJob(generatePhotoMaker);
      setSubmitted(false);
      setTouched({});
    } catch (error) {
      const failure = submitFailure(error);
      if (failure.fieldErrors) setServerErrors(failure.fieldErrors);
      setNotice(failure.notice);
    } finally {
      setBusy(false);
    }
  };

  const count = Number(form.numberResults);
  const uploading = isPending(photos);
  const formLevel = serverErrors.form;

  return (
    <div className="create">
      <form
        className="card generate-form"
        noValidate
        aria-label="New generation"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <h1>New generation</h1>
        <PhotoPicker
          photos={photos}
          error={errorFor('inputImages')}
          onAdd={addFiles}
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
        {(notice || formLevel) && (
          <p className="form-notice" role="status">
            {formLevel ?? notice}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="primary big" disabled={busy || uploading}>
            {submitLabel(busy, uploading, count)}
          </button>
        </div>
      </form>
      <section className="live-column" aria-label="Current job">
        {job ? <JobPanel key={job.id} jobId={job.id} initialJob={job} compact /> : <HowItWorks />}
      </section>
    </div>
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
