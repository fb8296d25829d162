import { useCallback, useEffect, useState } from 'react';
import { type JobImage, JobsQuery } from '../api/operations.ts';
import { useApp } from './api-context.ts';
import { downloadName, Lightbox } from './Lightbox.tsx';

interface Tile {
  jobId: string;
  image: JobImage;
  prompt: string;
}

/** Every image of your finished jobs, newest first, loaded a few jobs at a time. */
export function GalleryPage() {
  const { api } = useApp();
  const [tiles, setTiles] = useState<Tile[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [hasMore, setHasMore] = useState(true);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const [open, setOpen] = useState<Tile>();

  const load = useCallback(
    async (after: string | undefined) => {
      setLoading(true);
      try {
        const { jobs } = await api.request(JobsQuery, {
          first: 12,
          status: 'SUCCEEDED',
          ...(after ? { after } : {}),
        });
        const more = jobs.nodes.flatMap((job) =>
          job.images.map((image) => ({ jobId: job.id, image, prompt: job.task.positivePrompt })),
        );
        setTiles((list) => (after ? [...list, ...more] : more));
        setCursor(jobs.pageInfo.endCursor ?? undefined);
        setHasMore(jobs.pageInfo.hasNextPage);
        setError(undefined);
      } catch (e) {
        setError((e as Error).message);
      } finally {
        setLoading(false);
      }
    },
    [api],
  );

  useEffect(() => {
    void load(undefined);
  }, [load]);

  const jobImages = open ? tiles.filter((t) => t.jobId === open.jobId).map((t) => t.image) : [];

  return (
    <div className="gallery">
      <div className="page-head">
        <h1>Gallery</h1>
        <span className="muted small">{tiles.length} images</span>
      </div>
      {error && <p className="error-box">{error}</p>}
      {!loading && tiles.length === 0 && !error && <p className="muted empty">No finished images yet.</p>}
      <ul className="gallery-grid">
        {tiles.map((tile) => (
          <li key={`${tile.jobId}-${tile.image.index}`} className="gallery-tile">
            <button
              type="button"
              onClick={() => setOpen(tile)}
              aria-label={`Open image ${tile.image.index + 1} of job ${tile.jobId}`}
            >
              <img className="gallery-img" src={tile.image.url} alt={tile.prompt} loading="lazy" />
            </button>
            <a
              className="tile-download"
              href={tile.image.url}
              download={downloadName(tile.jobId, tile.image)}
              title="Download"
            >
              ↓
            </a>
          </li>
        ))}
      </ul>
      {hasMore && tiles.length > 0 && (
        <div className="pager">
          <button type="button" className="ghost" disabled={loading} onClick={() => void load(cursor)}>
            {loading ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
      {open && (
        <Lightbox
          image={open.image}
          images={jobImages}
          jobId={open.jobId}
          onClose={() => setOpen(undefined)}
          onOpen={(image) => setOpen({ ...open, image })}
        />
      )}
    </div>
  );
}
