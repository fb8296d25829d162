import type { ResultOf, VariablesOf } from './graphql.ts';
import { graphql } from './graphql.ts';

const JobImageFields = graphql(`
  fragment JobImageFields on JobImage {
    index
    url
    imageUUID
    seed
    width
    height
    outputFormat
    mediaType
    size
    cost
    nsfw
    likeness
    faceFound
    belowMinLikeness
  }
`);

const JobFields = graphql(
  `
  fragment JobFields on Job {
    id
    status
    stage
    seq
    cost
    createdAt
    startedAt
    finishedAt
    cancelAt
    queuePosition
    estimatedStartAt
    estimatedFinishAt
    traceId
    error {
      code
      message
      parameter
      retryable
    }
    images {
      ...JobImageFields
    }
    referenceWarnings {
      code
      parameter
      reason
      message
    }
    timings {
      queuedMs
      uploadMs
      generateMs
      deliverMs
      totalMs
    }
    task {
      positivePrompt
      negativePrompt
      style
      strength
      width
      height
      numberResults
      model
      steps
      CFGScale
      seed
      outputFormat
      includeCost
      webhookURL
      uploadEndpoint
      inputImages {
        kind
        url
      }
    }
  }
`,
  [JobImageFields],
);

export const CatalogQuery = graphql(`
  query Catalog {
    styles {
      style
      name
    }
    models {
      air
      name
      version
    }
  }
`);

export const JobsQuery = graphql(
  `
  query Jobs($first: Int, $after: String, $status: JobStatus) {
    jobs(first: $first, after: $after, status: $status) {
      nodes {
        ...JobFields
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
`,
  [JobFields],
);

export const UploadReferenceImageMutation = graphql(`
  mutation UploadReferenceImage($image: String!) {
    uploadReferenceImage(image: $image) {
      id
      url
      size
      mediaType
      check {
        ok
        reason
      }
    }
  }
`);

export const GeneratePhotoMakerMutation = graphql(
  `
  mutation GeneratePhotoMaker($input: PhotoMakerInput!, $idempotencyKey: String) {
    generatePhotoMaker(input: $input, idempotencyKey: $idempotencyKey) {
      ...JobFields
    }
  }
`,
  [JobFields],
);

export const EstimatePhotoMakerQuery = graphql(`
  query EstimatePhotoMaker($input: PhotoMakerInput!) {
    estimatePhotoMaker(input: $input) {
      ok
      images
      costUsd
      source
      errors {
        parameter
        message
      }
    }
  }
`);

export const CancelJobMutation = graphql(
  `
  mutation CancelJob($id: ID!) {
    cancelJob(id: $id) {
      ...JobFields
    }
  }
`,
  [JobFields],
);

export const JobEventsSubscription = graphql(
  `
  subscription JobEvents($jobId: ID!, $afterSeq: Int) {
    jobEvents(jobId: $jobId, afterSeq: $afterSeq) {
      __typename
      jobId
      seq
      at
      stage
      status
      ... on JobSnapshot {
        job {
          ...JobFields
        }
      }
      ... on JobQueued {
        numberResults
        durable
        position
        estimatedStartAt
        estimatedFinishAt
      }
      ... on JobUploadingReferences {
        count
      }
      ... on JobReferencesChecked {
        warnings {
          code
          parameter
          reason
          message
        }
      }
      ... on JobImagesScored {
        scores {
          index
          likeness
          faceFound
          belowMinLikeness
        }
      }
      ... on JobSubmitted {
        numberResults
      }
      ... on JobImageReady {
        index
        total
        image {
          ...JobImageFields
        }
      }
      ... on JobDelivering {
        webhook
        uploadEndpoint
      }
      ... on JobSucceeded {
        imageCount
        cost
      }
      ... on JobFailed {
        error {
          code
          message
          parameter
          retryable
        }
      }
      ... on JobCancelled {
        reason
      }
    }
  }
`,
  [JobFields, JobImageFields],
);

export type Job = ResultOf<typeof JobFields>;
export type JobImage = ResultOf<typeof JobImageFields>;
export type JobEvent = ResultOf<typeof JobEventsSubscription>['jobEvents'];
export type PhotoMakerInput = VariablesOf<typeof GeneratePhotoMakerMutation>['input'];
export type JobStatus = Job['status'];

export type Catalog = ResultOf<typeof CatalogQuery>;
export type Estimate = ResultOf<typeof EstimatePhotoMakerQuery>['estimatePhotoMaker'];
