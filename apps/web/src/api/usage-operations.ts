import type { ResultOf } from './graphql.ts';
import { graphql } from './graphql.ts';

const UsageTotalsFields = graphql(`
  fragment UsageTotalsFields on UsageTotals {
    jobs {
      succeeded
      failed
      cancelled
      timedOut
      total
    }
    images
    costUsd
    imagesWithoutCost
    jobsWithoutCost
  }
`);

export const UsageQuery = graphql(
  `
  query Usage($from: DateTime!, $to: DateTime!, $groupBy: UsageGroupBy!) {
    usage(from: $from, to: $to, groupBy: $groupBy) {
      allTenants
      rows {
        tenant
        key
        totals {
          ...UsageTotalsFields
        }
      }
      tenants {
        tenant
        total {
          ...UsageTotalsFields
        }
      }
      total {
        ...UsageTotalsFields
      }
    }
  }
`,
  [UsageTotalsFields],
);

export const RetryJobMutation = graphql(`
  mutation RetryJob($id: ID!) {
    retryJob(id: $id) {
      id
      retryOfId
    }
  }
`);

export type UsageReport = ResultOf<typeof UsageQuery>['usage'];
export type UsageTotals = ResultOf<typeof UsageTotalsFields>;
