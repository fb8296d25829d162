import type { JobState, SubmittedJob } from '@photomaker/chaos';
import type { GraphQLHttp } from '@photomaker/harness/client';
import { request } from 'undici';

const JOB_WITH_URLS = /* GraphQL */ `
  query ClusterJob($id: ID!) {
    job(id: $id) {
      status
      images { index imageUUID url }
      error { code }
    }
  }
`;

type JobWithUrls = JobState & { images: { index: number; imageUUID: string; url: string }[] };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Each job's final state as one API replica reports it (a few tries: it may have just restarted). */
export async function readStates(
  http: GraphQLHttp,
  submitted: SubmittedJob[],
): Promise<Map<string, JobWithUrls>> {
  const states = new Map<string, JobWithUrls>();
  for (const s of submitted) {
    for (let attempt = 0; attempt < 10 && !states.has(s.jobId); attempt++) {
      const result = await http
        .post<{ job: JobWithUrls | null }>(JOB_WITH_URLS, { id: s.jobId })
        .catch(() => undefined);
      if (result?.data?.job) states.set(s.jobId, result.data.job);
      else await sleep(500);
    }
  }
  return states;
}

/** What fetching every output image through one API replica gave. */
export interface ImageFetches {
  fetched: number;
  bytes: number;
  problems: string[];
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);
const WEBP = Buffer.from('RIFF');

function isImage(bytes: Buffer): boolean {
  return [PNG, JPEG, WEBP].some((magic) => bytes.subarray(0, magic.length).equals(magic));
}

/**
 * GETs every image of every succeeded job from `apiUrl` (the path of its signed URL on that replica's
 * origin): the bytes come from S3 through a replica that may never have seen the job.
 */
export async function fetchImages(apiUrl: string, states: Map<string, JobWithUrls>): Promise<ImageFetches> {
  const out: ImageFetches = { fetched: 0, bytes: 0, problems: [] };
  for (const [jobId, state] of states) {
    if (state.status !== 'SUCCEEDED') continue;
    for (const image of state.images) {
      const url = new URL(image.url);
      const response = await request(`${apiUrl}${url.pathname}${url.search}`).catch((error: Error) => error);
      if (response instanceof Error) {
        out.problems.push(`${jobId}#${image.index}: ${response.message}`);
        continue;
      }
      const bytes = Buffer.from(await response.body.arrayBuffer());
      if (response.statusCode !== 200 || !isImage(bytes)) {
        out.problems.push(`${jobId}#${image.index}: ${response.statusCode}, ${bytes.length} bytes`);
        continue;
      }
      out.fetched += 1;
      out.bytes += bytes.length;
    }
  }
  return out;
}
