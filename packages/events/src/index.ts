export * from './cancel-requests.ts';
export * from './env.ts';
export * from './job-event-log.ts';
export * from './key-slot.ts';
export * from './keyspace.ts';
export * from './output-owners.ts';
export * from './redis-client.ts';
export * from './usage-records.ts';
