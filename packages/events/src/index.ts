export * from './env.ts';
export * from './job-event-log.ts';
export * from './output-owners.ts';
