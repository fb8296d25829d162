import { JobPanel } from './JobPanel.tsx';
import { linkHandler } from './router.ts';

export function JobPage({ id }: { id: string }) {
  return (
    <div className="job-page">
      <p className="crumbs">
        <a href="/history" onClick={linkHandler('/history')}>
          ← History
        </a>
      </p>
      <JobPanel key={id} jobId={id} />
    </div>
  );
}
