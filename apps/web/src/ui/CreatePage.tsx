import { useCallback, useMemo, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { GeneratePhotoMakerMutation, type Job, UploadReferenceImageMutation } from '../api/operations.ts';
import {
  type FieldErrors,
  type FormState,
  INITIAL_FORM,
  randomSeed,
  toInput,
  validateForm,
} from '../form/form-state.ts';
import { MAX_PHOTOS, type ReferencePhoto, readPhotoFile, sizeWarning } from '../form/reference-photos.ts';
import { plural } from '../lib/format.ts';
import { useApp } from './api-context.ts';
import { ADVANCED_FIELDS, AdvancedFields } from './form/AdvancedFields.tsx';
import { CountAndSeed } from './form/CountAndSeed.tsx';
import { PhotoPicker } from './form/PhotoPicker.tsx';
import { PromptField } from './form/PromptField.tsx';
import { SizePicker } from './form/SizePicker.tsx';
import { StrengthSlider } from './form/StrengthSlider.tsx';
import { StylePicker } from './form/StylePicker.tsx';
import { JobPanel } from './JobPanel.tsx';

// The draft survives moving to History and back (not a reload: photos are personal data).
const draft: { form: FormState; photos: ReferencePhoto[]; job?: Job } = { form: INITIAL_FORM, photos: [] };

const FIELD_ORDER = [
  'inputImages',
  'positivePrompt',
  'style',
  'strength',
  'width',
  'height',
  'numberResults',
  'seed',
  ...ADVANCED_FIELDS,
];

export function CreatePage() {
  const { api, catalog } = useApp();
  const [form, setForm] = useState(draft.form);
  const [photos, setPhotos] = useState(draft.photos);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [job, setJob] = useState(draft.job);
  draft.form = form;
  draft.photos = photos;
  draft.job = job;

  const clientErrors = useMemo(() => validateForm(form, photos), [form, photos]);
  const errorFor = (field: string): string | undefined =>
    serverErrors[field] ?? (touched[field] || submitted ? clientErrors[field] : undefined);

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

  const updatePhoto = (key: string, patch: Partial<ReferencePhoto>) =>
    setPhotos((list) => list.map((p) => (p.key === key ? { ...p, ...patch } : p)));

  const addFiles = (files: File[]) => {
    const room = MAX_PHOTOS - photos.length;
    const taken = files.slice(0, Math.max(0, room));
    setNotice(
      files.length > room
        ? `PhotoMaker takes at most ${MAX_PHOTOS} photos: ${plural(files.length - taken.length, 'file')} not added.`
        : undefined,
    );
    setServerErrors(({ inputImages: _dropped, ...rest }) => rest);
    touch('inputImages');
    for (const file of taken) {
      const key = crypto.randomUUID();
      setPhotos((list) => [...list, { key, name: file.name, size: file.size, status: 'reading' }]);
      void (async () => {
        const read = await readPhotoFile(file);
        if (!read.ok) return updatePhoto(key, { status: 'failed', error: `This file ${read.reason}.` });
        const warning = sizeWarning(read.width, read.height);
        updatePhoto(key, {
          status: 'uploading',
          dataUri: read.dataUri,
          mediaType: read.mediaType,
          width: read.width,
          height: read.height,
          ...(warning ? { warning } : {}),
        });
        try {
          const { uploadReferenceImage } = await api.request(UploadReferenceImageMutation, {
            image: read.dataUri,
          });
          updatePhoto(key, { status: 'ready', remoteId: uploadReferenceImage.id });
        } catch (error) {
          updatePhoto(key, { status: 'failed', error: (error as Error).message });
        }
      })();
    }
  };

  const submit = async () => {
    setSubmitted(true);
    setNotice(undefined);
    if (photos.some((p) => p.status === 'reading' || p.status === 'uploading')) {
      setNotice('One moment: the photos are still uploading.');
      return;
    }
    const first = FIELD_ORDER.find((field) => clientErrors[field]);
    if (first) {
      setNotice('Some fields need a fix (marked in red).');
      requestAnimationFrame(() => document.getElementById(`f-${first}`)?.focus());
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
      if (error instanceof ApiError && error.problems.length > 0) {
        const next: FieldErrors = {};
        for (const problem of error.problems)
          next[problem.parameter.split('.')[0] ?? 'form'] ??= problem.message;
        setServerErrors(next);
        setNotice('The API refused the request: see the fields marked in red.');
      } else {
        setNotice((error as Error).message);
      }
    } finally {
      setBusy(false);
    }
  };

  const count = Number(form.numberResults);
  const uploading = photos.some((p) => p.status === 'reading' || p.status === 'uploading');
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
            {busy
              ? 'Starting…'
              : uploading
                ? 'Uploading photos…'
                : `Generate ${Number.isInteger(count) && count > 0 ? plural(count, 'image') : 'images'}`}
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
