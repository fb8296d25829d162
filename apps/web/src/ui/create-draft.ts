import { createContext, type RefObject, useContext } from 'react';
import type { Job } from '../api/operations.ts';
import { type FormState, INITIAL_FORM } from '../form/form-state.ts';
import type { ReferencePhoto } from '../form/reference-photos.ts';

/** What the create page had: it survives moving to History and back (not a reload: photos are personal data). */
export interface CreateDraft {
  form: FormState;
  photos: ReferencePhoto[];
  job: Job | undefined;
}

export const emptyDraft = (): CreateDraft => ({ form: INITIAL_FORM, photos: [], job: undefined });

/** A ref the app holds above the pages: the create page reads it on mount and writes it after each change. */
export const CreateDraftContext = createContext<RefObject<CreateDraft> | undefined>(undefined);

export function useCreateDraft(): RefObject<CreateDraft> {
  const draft = useContext(CreateDraftContext);
  if (!draft) throw new Error('useCreateDraft outside the app');
  return draft;
}
