import { useEffect, useState } from 'react';
import type { Api } from '../../api/client.ts';
import { type Estimate, EstimatePhotoMakerQuery } from '../../api/operations.ts';
import { type FieldErrors, type FormState, toInput } from '../../form/form-state.ts';
import type { ReferencePhoto } from '../../form/reference-photos.ts';
import { isPending } from '../../form/submit-checks.ts';

/** Quiet time after the last change before the API is asked: typing does not send a request per key. */
const DEBOUNCE_MS = 400;

export type EstimateState =
  | { kind: 'none' }
  | { kind: 'loading' }
  | { kind: 'ready'; estimate: Estimate }
  | { kind: 'failed' };

/**
 * The price of the form as it stands (GraphQL estimatePhotoMaker: Runware's dry run, nothing started),
 * asked once the form is valid in the browser and its photos are uploaded, debounced; a newer form
 * aborts the request of an older one.
 */
export function useEstimate(
  api: Api,
  form: FormState,
  photos: ReferencePhoto[],
  clientErrors: FieldErrors,
): EstimateState {
  const [state, setState] = useState<EstimateState>({ kind: 'none' });
  const ready =
    Object.keys(clientErrors).length === 0 &&
    photos.length > 0 &&
    !isPending(photos) &&
    photos.every((photo) => photo.remoteId);
  useEffect(() => {
    if (!ready) {
      setState({ kind: 'none' });
      return;
    }
    const abort = new AbortController();
    const timer = setTimeout(() => {
      setState({ kind: 'loading' });
      api
        .request(EstimatePhotoMakerQuery, { input: toInput(form, photos) }, abort.signal)
        .then(({ estimatePhotoMaker }) => setState({ kind: 'ready', estimate: estimatePhotoMaker }))
        .catch(() => {
          if (!abort.signal.aborted) setState({ kind: 'failed' });
        });
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [api, form, photos, ready]);
  return state;
}
