// The GraphQL operations the bench and chaos drivers send (what a real client sends; nothing private).
// Written out here rather than imported from apps/web/src/api/operations.ts: those are gql.tada documents
// typed against the web app's introspection and fragments, and selecting less (or more) than these.

export const GENERATE = /* GraphQL */ `
  mutation Generate($input: PhotoMakerInput!, $idempotencyKey: String) {
    generatePhotoMaker(input: $input, idempotencyKey: $idempotencyKey) {
      id
      status
      seq
      runwareTaskUUID
    }
  }
`;

export const UPLOAD_REFERENCE = /* GraphQL */ `
  mutation Upload($image: String!) {
    uploadReferenceImage(image: $image) {
      id
      sha256
    }
  }
`;

export const CANCEL = /* GraphQL */ `
  mutation Cancel($id: ID!) {
    cancelJob(id: $id) {
      id
      status
    }
  }
`;

/** Only what the bench needs to stop its clock: which item, which seq, which status. */
export const JOB_EVENTS_MINIMAL = /* GraphQL */ `
  subscription Events($jobId: ID!, $afterSeq: Int) {
    jobEvents(jobId: $jobId, afterSeq: $afterSeq) {
      __typename
      seq
      status
    }
  }
`;

/** What the chaos subscribers check: seqs, Runware task UUIDs (charges), images and errors. */
export const JOB_EVENTS_FULL = /* GraphQL */ `
  subscription Events($jobId: ID!, $afterSeq: Int) {
    jobEvents(jobId: $jobId, afterSeq: $afterSeq) {
      __typename
      seq
      stage
      status
      ... on JobSnapshot {
        job {
          status
          runwareTaskUUID
          images {
            index
            imageUUID
          }
          error {
            code
          }
        }
      }
      ... on JobQueued {
        durable
      }
      ... on JobSubmitted {
        runwareTaskUUID
        numberResults
      }
      ... on JobImageReady {
        index
        image {
          imageUUID
        }
      }
      ... on JobFailed {
        error {
          code
          message
          parameter
        }
      }
    }
  }
`;

export const JOB = /* GraphQL */ `
  query Job($id: ID!) {
    job(id: $id) {
      id
      status
      seq
      runwareTaskUUID
      images {
        index
        imageUUID
      }
      error {
        code
        message
      }
    }
  }
`;

export interface JobEventItem {
  __typename: string;
  seq: number;
  stage?: string;
  status: string;
  job?: {
    status: string;
    runwareTaskUUID: string;
    images: { index: number; imageUUID: string }[];
    error: { code: string } | null;
  };
  /** JobQueued only: false for a live queue update (not logged: its seq repeats the last logged one). */
  durable?: boolean;
  runwareTaskUUID?: string;
  numberResults?: number;
  index?: number;
  image?: { imageUUID: string };
  error?: { code: string; message: string; parameter: string | null };
}

export const TERMINAL_STATUSES = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
