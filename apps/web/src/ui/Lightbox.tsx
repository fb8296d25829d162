import { useEffect } from 'react';
import type { JobImage } from '../api/operations.ts';
import { formatBytes } from '../form/reference-photos.ts';
import { formatCost } from '../lib/format.ts';

export function downloadName(jobId: string, image: JobImage): string {
  return `photomaker-${jobId.slice(0, 8)}-${image.index + 1}.${image.outputFormat.toLowerCase()}`;
}

/** One image, large, with its facts and a download; arrows step through the job's images. */
export function Lightbox(props: {
  image: JobImage;
  images: JobImage[];
  jobId: string;
  onClose(): void;
  onOpen(image: JobImage): void;
}) {
  const { image, images } = props;
  const at = images.findIndex((i) => i.index === image.index);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') props.onClose();
      const next =
        event.key === 'ArrowRight' ? images[at + 1] : event.key === 'ArrowLeft' ? images[at - 1] : undefined;
      if (next) props.onOpen(next);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [at, images, props]);
  return (
    <div className="modal-backdrop" role="presentation">
      <button type="button" className="backdrop-close" aria-label="Close" onClick={props.onClose} />
      <div className="lightbox" role="dialog" aria-modal="true" aria-label={`Image ${image.index + 1}`}>
        <img className="lightbox-img" src={image.url} alt={`Result ${image.index + 1}`} />
        <aside className="lightbox-facts">
          <h2>Image {image.index + 1}</h2>
          <dl>
            <dt>Size</dt>
            <dd>
              {image.width}×{image.height} · {image.outputFormat} · {formatBytes(image.size)}
            </dd>
            <dt>Seed</dt>
            <dd className="mono">{image.seed}</dd>
            <dt>Cost</dt>
            <dd>{formatCost(image.cost)}</dd>
            <dt>Runware UUID</dt>
            <dd className="mono small">{image.imageUUID}</dd>
          </dl>
          <div className="lightbox-actions">
            <a className="primary button" href={image.url} download={downloadName(props.jobId, image)}>
              Download
            </a>
            <button type="button" className="ghost" onClick={props.onClose}>
              Close
            </button>
          </div>
          <div className="lightbox-nav">
            <button
              type="button"
              className="ghost"
              disabled={at <= 0}
              onClick={() => images[at - 1] && props.onOpen(images[at - 1] as JobImage)}
            >
              ← Previous
            </button>
            <button
              type="button"
              className="ghost"
              disabled={at >= images.length - 1}
              onClick={() => images[at + 1] && props.onOpen(images[at + 1] as JobImage)}
            >
              Next →
            </button>
          </div>
        </aside>
      </div>
    </div>
  );
}
