export * from './job-event-log.ts';
