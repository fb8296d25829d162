import { useRef, useState } from 'react';
import {
  faceCheckNote,
  formatBytes,
  MAX_PHOTO_BYTES,
  MAX_PHOTOS,
  type ReferencePhoto,
} from '../../form/reference-photos.ts';

export function PhotoPicker(props: {
  photos: ReferencePhoto[];
  error?: string | undefined;
  onAdd(files: File[]): void;
  onRemove(key: string): void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const full = props.photos.length >= MAX_PHOTOS;
  const pick = (files: FileList | null) => {
    if (files && files.length > 0) props.onAdd([...files]);
  };
  return (
    <div className={`field photos${props.error ? ' invalid' : ''}`}>
      <div className="field-head">
        <label htmlFor="f-inputImages">Reference photos</label>
        <span className="counter">
          {props.photos.length}/{MAX_PHOTOS}
        </span>
      </div>
      <section
        aria-label="Drop photos here"
        className={`dropzone${dragging ? ' dragging' : ''}${full ? ' full' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          pick(event.dataTransfer.files);
        }}
      >
        {props.photos.length > 0 && (
          <ul className="photo-list">
            {props.photos.map((photo) => (
              <li key={photo.key} className={`photo ${photo.status}`} data-status={photo.status}>
                {photo.dataUri ? (
                  <img className="photo-img" src={photo.dataUri} alt={photo.name} />
                ) : (
                  <div className="photo-blank" />
                )}
                <button
                  type="button"
                  className="photo-remove"
                  aria-label={`Remove ${photo.name}`}
                  onClick={() => props.onRemove(photo.key)}
                >
                  ×
                </button>
                <div className="photo-meta">
                  <span className="photo-name" title={photo.name}>
                    {photo.name}
                  </span>
                  <span>
                    {formatBytes(photo.size)}
                    {photo.width ? ` · ${photo.width}×${photo.height}` : ''}
                  </span>
                  <span className={`photo-status ${photo.status}`}>
                    {photo.status === 'reading' && 'checking…'}
                    {photo.status === 'uploading' && 'uploading…'}
                    {photo.status === 'ready' && '✓ uploaded'}
                    {photo.status === 'failed' && photo.error}
                  </span>
                  {photo.warning && <span className="photo-warning">{photo.warning}</span>}
                  {photo.faceCheck && (
                    <span
                      className={photo.faceCheck.ok ? 'photo-face ok' : 'photo-warning'}
                      data-face-check={photo.faceCheck.reason ?? 'ok'}
                    >
                      {faceCheckNote(photo.faceCheck)}
                    </span>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
        {!full && (
          <div className="dropzone-call">
            <p>
              <strong>Drop 1–4 photos of one face</strong> here, or{' '}
              <button type="button" className="link" onClick={() => input.current?.click()}>
                choose files
              </button>
            </p>
            <p className="muted small">
              PNG, JPEG or WEBP, up to {formatBytes(MAX_PHOTO_BYTES)} each. Clear, well-lit faces that fill
              the frame work best; more photos give a better likeness.
            </p>
          </div>
        )}
        <input
          ref={input}
          id="f-inputImages"
          data-testid="photo-input"
          type="file"
          accept="image/png,image/jpeg,image/webp"
          multiple
          hidden
          onChange={(event) => {
            pick(event.target.files);
            event.target.value = '';
          }}
        />
      </section>
      {props.error && (
        <p className="field-error" role="alert" data-field-error="inputImages">
          {props.error}
        </p>
      )}
    </div>
  );
}
