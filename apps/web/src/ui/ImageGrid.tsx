import type { JobImage } from '../api/operations.ts';
import { byLikeness } from '../jobs/job-progress.ts';

/** "likeness 87 %" on a scored image, "no face" when it shows none. */
function LikenessTag({ image }: { image: JobImage }) {
  if (image.faceFound === false) return <span className="tile-tag likeness off">no face</span>;
  if (image.likeness === null || image.likeness === undefined) return null;
  const percent = Math.round(image.likeness * 100);
  const below = image.belowMinLikeness === true;
  return (
    <span
      className={`tile-tag likeness${image.likeness < 0.5 || below ? ' off' : ''}`}
      title={below ? "Below the job's minimum likeness" : 'Likeness to the reference photos'}
    >
      likeness {percent} %{below ? ' · below bar' : ''}
    </span>
  );
}

/** Finished images (best likeness first once scored), and a shimmering placeholder for each one still rendering. */
export function ImageGrid(props: {
  images: JobImage[];
  total: number;
  jobId: string;
  onOpen(image: JobImage): void;
}) {
  const pending = Math.max(0, props.total - props.images.length);
  if (props.images.length === 0 && pending === 0) return null;
  return (
    <ul className="image-grid" aria-label="Images">
      {byLikeness(props.images).map((image) => (
        <li key={image.index} className="image-tile" data-index={image.index}>
          <button
            type="button"
            onClick={() => props.onOpen(image)}
            aria-label={`Open image ${image.index + 1}`}
          >
            <img
              className="tile-img"
              src={image.url}
              alt={`Result ${image.index + 1}`}
              loading="lazy"
              width={image.width}
              height={image.height}
            />
          </button>
          <span className="tile-tag">#{image.index + 1}</span>
          {image.nsfw && <span className="tile-tag nsfw">NSFW</span>}
          <LikenessTag image={image} />
        </li>
      ))}
      {Array.from({ length: pending }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity beyond their slot
        <li key={`pending-${i}`} className="image-tile pending" aria-label="Rendering">
          <span className="shimmer" />
          <span className="tile-tag">rendering…</span>
        </li>
      ))}
    </ul>
  );
}
