import type { Priority } from '@temporalio/common';

/**
 * The Temporal task priority a job workflow starts with (its activities inherit it): the tenant as the
 * fairness key, so Temporal's matching round-robins the job task queue's backlog across tenants and a
 * flood of one tenant's workflow and activity tasks cannot hold another tenant's first task behind it
 * (that first task is what asks the admission queue for a slot). Needs fairness enabled on the server
 * (dynamic config `matching.enableFairness`); without it the key is ignored and dispatch stays FIFO.
 *
 * No priorityKey, on purpose: Temporal orders by priorityKey before fairness, across all keys, so a
 * tenant flooding HIGH jobs would again starve another tenant's NORMAL job. A job's HIGH/NORMAL/LOW
 * orders it within its tenant in the admission workflow, which is where slots are decided.
 */
export function jobTaskPriority(tenant: string): Priority {
  return { fairnessKey: tenant };
}
