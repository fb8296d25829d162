import { type Dispatch, type SetStateAction, useCallback } from 'react';
import type { Api } from '../../api/client.ts';
import { UploadReferenceImageMutation } from '../../api/operations.ts';
import { MAX_PHOTOS, type ReferencePhoto, readPhotoFile, sizeWarning } from '../../form/reference-photos.ts';

type SetPhotos = Dispatch<SetStateAction<ReferencePhoto[]>>;

/** Reads one photo, then uploads it; every step lands in the photo's status (failures included). */
async function readAndUpload(api: Api, file: File, update: (patch: Partial<ReferencePhoto>) => void) {
  const read = await readPhotoFile(file);
  if (!read.ok) return update({ status: 'failed', error: `This file ${read.reason}.` });
  const warning = sizeWarning(read.width, read.height);
  update({
    status: 'uploading',
    dataUri: read.dataUri,
    mediaType: read.mediaType,
    width: read.width,
    height: read.height,
    ...(warning ? { warning } : {}),
  });
  try {
    const { uploadReferenceImage } = await api.request(UploadReferenceImageMutation, { image: read.dataUri });
    const check = uploadReferenceImage.check;
    update({ status: 'ready', remoteId: uploadReferenceImage.id, ...(check ? { faceCheck: check } : {}) });
  } catch (error) {
    update({ status: 'failed', error: (error as Error).message });
  }
}

/**
 * Adds files as reference photos, up to MAX_PHOTOS in all; each is read and uploaded in the background.
 * Returns how many files did not fit.
 */
export function useAddPhotos(api: Api, photos: readonly ReferencePhoto[], setPhotos: SetPhotos) {
  const count = photos.length;
  return useCallback(
    (files: File[]): number => {
      const taken = files.slice(0, Math.max(0, MAX_PHOTOS - count));
      for (const file of taken) {
        const key = crypto.randomUUID();
        const update = (patch: Partial<ReferencePhoto>) =>
          setPhotos((list) => list.map((p) => (p.key === key ? { ...p, ...patch } : p)));
        setPhotos((list) => [...list, { key, name: file.name, size: file.size, status: 'reading' }]);
        void readAndUpload(api, file, update);
      }
      return files.length - taken.length;
    },
    [api, count, setPhotos],
  );
}
