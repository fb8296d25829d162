import { graphql } from './graphql.ts';

/** deleteJob: what was erased comes back as counts (see apps/api README, "Erasure"). */
export const DeleteJobMutation = graphql(`
  mutation DeleteJob($id: ID!) {
    deleteJob(id: $id) {
      id
      outputImages
      referenceImages
      referenceImagesKept
      workflow
    }
  }
`);
