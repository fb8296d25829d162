// Workflow-safe: how long and how often a job may try (values shared by the workflow and its failures).

/** Runware generations of one job, all runs and retries together. */
export const GENERATION_BUDGET_MS = 30 * 60_000;
/** New Runware tasks for images whose generation failed with a retryable code. */
export const MAX_FOLLOW_UP_RUNS = 3;
