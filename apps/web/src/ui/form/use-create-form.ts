import { useCallback, useEffect, useMemo, useState } from 'react';
import { GeneratePhotoMakerMutation } from '../../api/operations.ts';
import { type FieldErrors, type FormState, toInput, validateForm } from '../../form/form-state.ts';
import { MAX_PHOTOS } from '../../form/reference-photos.ts';
import { isPending, submitBlocker, submitFailure } from '../../form/submit-checks.ts';
import { plural } from '../../lib/format.ts';
import { useApp } from '../api-context.ts';
import { useCreateDraft } from '../create-draft.ts';
import { useEstimate } from './use-estimate.ts';
import { useAddPhotos } from './use-reference-photos.ts';

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

/**
 * Everything the create page does: the form and its errors, the reference photos, submitting, and the
 * job it started. The draft (form, photos, job) is written back to the app's ref after every change.
 */
export function useCreateForm() {
  const { api } = useApp();
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

  const estimate = useEstimate(api, form, photos, clientErrors);
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
  return {
    form,
    set,
    touch,
    photos,
    setPhotos,
    addFiles,
    submit,
    errorFor,
    notice,
    formLevel: serverErrors.form,
    busy,
    job,
    count,
    uploading,
    estimate,
  };
}
