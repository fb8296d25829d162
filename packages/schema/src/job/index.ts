// `@photomaker/schema/job`: the job model without zod. Temporal re-evaluates every module a workflow
// imports for each workflow run, and evaluating zod schemas there was most of the worker's CPU per job;
// workflow code imports this entry (and only types from the main one). test/zod-free.test.ts keeps it so.
export * from '../photomaker/limits.ts';
export * from '../photomaker/seed-math.ts';
export * from './cancel-after.ts';
export * from './job-model.ts';
export * from './job-state.ts';
