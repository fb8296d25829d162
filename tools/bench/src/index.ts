// The harness chaos and other tools reuse: the platform as real processes, clients, measurement helpers.

export * from './harness/build-worker.ts';
export * from './harness/documents.ts';
export * from './harness/emulator-admin.ts';
export * from './harness/graphql-client.ts';
export * from './harness/platform-client.ts';
export * from './harness/proc-stats.ts';
export * from './harness/stack.ts';
export * from './stats/percentiles.ts';
